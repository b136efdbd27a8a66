"""Fault injection: rules per workspace that make matching Intercom API requests fail.

A rule matches a method (or any) and a path template (`/contacts/{id}`: a `{...}` matches one
segment) or an operationId, and then, for its next `times` matches (or every one) and with its
`probability`: answers an Intercom error (status, code, message, headers; a 429 carries rate-limit
headers unless given its own), or adds latency before the request is served as usual, or drops the
connection without an answer. It acts after authentication and before the handler, so a failed
request changes nothing. Rules live in this process.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from dataclasses import dataclass, field
from typing import Any

from tidings.core import clock
from tidings.core.errors import CONNECTION_DROPPED, TidingsError, injected_fault
from tidings.core.request_id import response_headers

ERROR, LATENCY, DROP = "error", "latency", "drop"
KINDS = (ERROR, LATENCY, DROP)

# What Intercom answers for each status when a rule names no code or message.
DEFAULT_ERRORS = {
    400: ("parameter_invalid", "Bad Request"),
    401: ("unauthorized", "Access Token Invalid"),
    403: ("forbidden", "You do not have permission to access this resource"),
    404: ("not_found", "Resource Not Found"),
    409: ("conflict", "Conflict"),
    422: ("parameter_invalid", "Unprocessable Entity"),
    429: ("rate_limit_exceeded", "Rate Limit Exceeded"),
    500: ("server_error", "Internal Server Error"),
    502: ("server_error", "Bad Gateway"),
    503: ("service_unavailable", "Service Unavailable"),
    504: ("server_error", "Gateway Timeout"),
}
# Intercom's private-app limit: 10,000 calls a minute, spread over 10-second windows.
RATE_LIMIT = 1000

_ids = itertools.count(1)


@dataclass
class Rule:
    kind: str
    method: str | None
    path: str | None
    operation_id: str | None
    times: int | None
    probability: float
    status: int | None = None
    code: str | None = None
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    matched: int = 0
    id: str = field(default_factory=lambda: f"fault_{next(_ids)}")
    pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        if self.path is not None:
            segments = [("[^/]+" if re.fullmatch(r"\{[^/]*\}", s) else re.escape(s)) for s in self.path.split("/")]
            self.pattern = re.compile("/".join(segments) + "/?")

    def matches(self, method: str, path: str, operation_id: str | None) -> bool:
        if self.times is not None and self.matched >= self.times:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.pattern is not None and not self.pattern.fullmatch(path):
            return False
        return self.operation_id is None or self.operation_id == operation_id

    def error(self) -> TidingsError:
        status = self.status or 500
        code, message = DEFAULT_ERRORS.get(status, ("server_error", "Error"))
        headers = dict(self.headers)
        if status == 429:
            reset = clock.now() + 10
            defaults = {"X-RateLimit-Limit": str(RATE_LIMIT), "X-RateLimit-Remaining": "0"}
            headers = {**defaults, "X-RateLimit-Reset": str(reset), "Retry-After": "1", **headers}
            _drop_counted_rate_limit_headers()
        return injected_fault(status, self.code or code, self.message or message, headers or None)


def _drop_counted_rate_limit_headers() -> None:
    """A scripted 429 states its own allowance; the real limiter's headers for this request go."""
    pending = response_headers.get()
    if pending is not None:
        pending[:] = [(name, value) for name, value in pending if not name.startswith(b"x-ratelimit-")]


_rules: dict[str, list[Rule]] = {}


def add(workspace_id: str, rule: Rule) -> Rule:
    _rules.setdefault(workspace_id, []).append(rule)
    return rule


def rules(workspace_id: str) -> list[Rule]:
    return list(_rules.get(workspace_id, ()))


def remove(workspace_id: str, rule_id: str) -> bool:
    kept = [r for r in _rules.get(workspace_id, ()) if r.id != rule_id]
    found = len(kept) != len(_rules.get(workspace_id, ()))
    _rules[workspace_id] = kept
    return found


def clear(workspace_id: str) -> None:
    _rules.pop(workspace_id, None)


async def apply(workspace_id: str, method: str, path: str, operation_id: str | None) -> None:
    """Act out the first rule of the workspace matching this request, if one does."""
    if not _rules:
        return
    for rule in _rules.get(workspace_id, ()):
        if rule.matches(method, path, operation_id) and random.random() < rule.probability:
            rule.matched += 1
            if rule.kind == LATENCY:
                await asyncio.sleep(rule.latency_ms / 1000)
                return
            if rule.kind == DROP:
                scope = clock.current_scope()
                if scope is not None:
                    scope.drop_connection = True
                raise CONNECTION_DROPPED()
            raise rule.error()


def describe(rule: Rule) -> dict[str, Any]:
    return {
        "type": "fault",
        "id": rule.id,
        "kind": rule.kind,
        "method": rule.method,
        "path": rule.path,
        "operation_id": rule.operation_id,
        "times": rule.times,
        "probability": rule.probability,
        "status": rule.status,
        "code": rule.code,
        "message": rule.message,
        "headers": rule.headers,
        "latency_ms": rule.latency_ms,
        "matched": rule.matched,
    }
