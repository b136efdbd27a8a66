"""Running a data connector: its templates filled with the inputs, the HTTP request made (checked
by the same private-address policy as webhooks), and the outcome recorded as an execution result.

The request happens outside any transaction; `record` writes the result (and the
`data_connector.execution.completed` event) afterwards.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from tidings.config import Settings
from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.core.workspaces import numeric_app_id
from tidings.data_connectors import storage
from tidings.events.record import record_event
from tidings.webhooks.safety import UnsafeDestination, check_destination

TIMEOUT_SECONDS = 10.0
KEEP_BYTES = 65_536
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@cache
def _settings() -> Settings:
    return Settings()


@dataclass(slots=True)
class Outcome:
    success: bool
    http_status: int | None
    error_type: str | None
    error_message: str | None
    elapsed_ms: int
    request_url: str | None
    request_body: str | None
    response_body: str | None


class InputError(ValueError):
    pass


def _typed(kind: str, value: Any) -> str:
    """An input as text, checked against its declared type."""
    if kind == "integer" and not re.fullmatch(r"-?[0-9]{1,18}", str(value)):
        raise InputError(f"must be an integer, not {value!r}")
    if kind == "decimal":
        try:
            float(str(value))
        except ValueError:
            raise InputError(f"must be a number, not {value!r}") from None
    if kind == "boolean":
        if str(value).lower() not in ("true", "false"):
            raise InputError(f"must be true or false, not {value!r}")
        return str(value).lower()
    return str(value)


def input_values(row: Any, given: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for spec in row["data_inputs"]:
        name = spec["name"]
        value = given.get(name)
        if value is None or value == "":
            value = spec["default_value"] or None
        if value is None:
            if spec["required"]:
                raise InputError(f"input {name} is required")
            values[name] = ""
            continue
        try:
            values[name] = _typed(spec["type"], value)
        except InputError as wrong:
            raise InputError(f"input {name} {wrong}") from None
    return values


def _fill(template: str, values: dict[str, str], escape: Any) -> str:
    return PLACEHOLDER.sub(lambda m: escape(values.get(m[1], "")), template)


def _json_text(value: str) -> str:
    return json.dumps(value)[1:-1]


def redacted_url(url: str) -> str:
    """Without query, fragment or credentials (they may carry secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _failed(kind: str, message: str, started: float, url: str | None, body: str | None) -> Outcome:
    elapsed = int((time.monotonic() - started) * 1000)
    return Outcome(False, None, kind, message[:1000], elapsed, url, body, None)


async def perform(row: Any, given: dict[str, Any]) -> Outcome:
    started = time.monotonic()
    if not row["url"]:
        return _failed("request_configuration_error", "The data connector has no URL", started, None, None)
    try:
        values = input_values(row, given)
    except InputError as wrong:
        return _failed("request_validation_error", str(wrong), started, None, None)
    url = _fill(row["url"], values, lambda v: quote(v, safe=""))
    body = _fill(row["body"], values, _json_text) if row["body"] else None
    headers = {h["name"]: _fill(h["value"], values, lambda v: v) for h in row["headers"]}
    try:
        await check_destination(url, _settings())
    except UnsafeDestination as refused:
        return _failed("request_configuration_error", str(refused), started, url, body)
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.request(row["http_method"].upper(), url, headers=headers, content=body)
    except httpx.HTTPError as failure:
        return _failed("faraday_error", f"{type(failure).__name__}: {failure}", started, url, body)
    elapsed = int((time.monotonic() - started) * 1000)
    text = response.content[:KEEP_BYTES].decode("utf-8", errors="replace")
    ok = response.status_code < 400
    return Outcome(
        success=ok,
        http_status=response.status_code,
        error_type=None if ok else "3rd_party_error",
        error_message=None if ok else f"The service answered {response.status_code}",
        elapsed_ms=elapsed,
        request_url=url,
        request_body=body,
        response_body=text,
    )


async def record(
    uow: UnitOfWork, row: Any, outcome: Outcome, source_type: str, conversation_id: str | None, user_id: str | None
) -> int:
    now = clock.now()
    execution_id = await storage.insert_execution(
        uow,
        {
            "data_connector_id": row["id"],
            "success": outcome.success,
            "http_status": outcome.http_status,
            "http_method": row["http_method"],
            "error_type": outcome.error_type,
            "error_message": outcome.error_message,
            "execution_time_ms": outcome.elapsed_ms,
            "source_type": source_type,
            "source_id": None,
            "conversation_id": conversation_id,
            "request_url": outcome.request_url,
            "request_body": outcome.request_body,
            "response_body": outcome.response_body,
            "created_at": now,
        },
    )
    item = {
        "type": "data_connector.execution",
        "id": str(execution_id),
        "app_id": numeric_app_id(uow.workspace_id),
        "action_id": str(row["id"]),
        "action_name": row["name"],
        "success": outcome.success,
        "http_status": outcome.http_status or 0,
        # The webhook spells this one differently from the API.
        "error_type": "third_party_error" if outcome.error_type == "3rd_party_error" else outcome.error_type,
        "execution_time_ms": outcome.elapsed_ms,
        "completed_at": clock.iso_seconds(now),
        "source_type": "other" if source_type == "fin" else source_type,
        "source_id": None,
        "conversation_id": conversation_id,
        "user_id": user_id,
        "admin_id": None,
    }
    await record_event(uow, "data_connector.execution.completed", item)
    return execution_id
