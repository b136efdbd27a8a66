"""The request log: every Intercom API request a workspace received, in a bounded ring per workspace.

A pure ASGI layer inside the request-id layer records method, path, query, headers (credentials
masked), body, status, response body, duration and request id of every request outside
/_tidings, once the request's workspace is known (after authentication). The rings live in this
process (`TIDINGS_REQUEST_LOG_SIZE` entries per workspace, 0 turns the log off); bodies are kept up
to `BODY_LIMIT` bytes. The last step of a fault that drops the connection also happens here.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tidings.core import clock
from tidings.core.request_id import current_request_id

BODY_LIMIT = 64 * 1024
# Workspaces with a ring in this process; the least recently written one is dropped past this.
MAX_WORKSPACES = 1000
MASKED_HEADERS = frozenset({"authorization", "cookie", "x-tidings-admin-key"})

_rings: OrderedDict[str, deque[dict[str, Any]]] = OrderedDict()
_sequence = 0


def mask(name: str, value: str) -> str:
    """A credential shows its scheme and last four characters only: `Bearer ****1a2b`."""
    if name not in MASKED_HEADERS:
        return value
    scheme, _, secret = value.partition(" ") if " " in value else ("", "", value)
    tail = secret[-4:] if len(secret) > 12 else ""
    return f"{scheme} ****{tail}".strip()


def _text(body: bytearray, truncated: bool) -> str:
    text = bytes(body).decode("utf-8", errors="replace")
    return text + "…" if truncated else text


def record(workspace_id: str, entry: dict[str, Any], size: int) -> None:
    global _sequence
    _sequence += 1
    entry["id"] = _sequence
    ring = _rings.get(workspace_id)
    if ring is None:
        ring = _rings[workspace_id] = deque(maxlen=size)
        if len(_rings) > MAX_WORKSPACES:
            _rings.popitem(last=False)
    else:
        _rings.move_to_end(workspace_id)
    ring.append(entry)


def entries(
    workspace_id: str,
    method: str | None = None,
    path: str | None = None,
    status: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The workspace's logged requests, oldest first (the last `limit` that match)."""
    found = [
        e
        for e in _rings.get(workspace_id, ())
        if (method is None or e["method"] == method.upper())
        and (path is None or e["path"] == path or (path.endswith("*") and e["path"].startswith(path[:-1])))
        and (status is None or e["status"] == status)
    ]
    return found[-limit:] if limit else []


def clear(workspace_id: str) -> None:
    _rings.pop(workspace_id, None)


class _Capture:
    __slots__ = ("body", "body_truncated", "response", "response_truncated", "status", "headers")

    def __init__(self) -> None:
        self.body = bytearray()
        self.body_truncated = False
        self.response = bytearray()
        self.response_truncated = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []


def _append(buffer: bytearray, chunk: bytes) -> bool:
    """Keep up to BODY_LIMIT bytes; whether some were cut."""
    room = BODY_LIMIT - len(buffer)
    buffer += chunk[: max(room, 0)]
    return len(chunk) > room


def _drop(receive: Receive) -> None:
    """Close the client's connection without an answer (uvicorn's cycle holds the transport)."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, size: int) -> None:
        self.app = app
        self.size = size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_tidings"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        capture = _Capture()
        binding = clock.current_scope()

        async def receive_logged() -> Message:
            message = await receive()
            if message["type"] == "http.request" and self.size:
                capture.body_truncated |= _append(capture.body, message.get("body", b""))
            return message

        async def send_logged(message: Message) -> None:
            if binding is not None and binding.drop_connection:
                return
            if message["type"] == "http.response.start":
                capture.status = message["status"]
                capture.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and self.size:
                capture.response_truncated |= _append(capture.response, message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_logged, send_logged)
        finally:
            if binding is not None and binding.drop_connection:
                _drop(receive)
            if self.size and binding is not None and binding.workspace_id is not None:
                record(binding.workspace_id, self._entry(scope, capture, started, binding), self.size)

    @staticmethod
    def _entry(scope: Scope, capture: _Capture, started: float, binding: clock.RequestScope) -> dict[str, Any]:
        headers = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            headers[name] = mask(name, raw_value.decode("latin-1"))
        return {
            "type": "request",
            "request_id": current_request_id.get(),
            "at_ms": clock.workspace_now_ms(binding.workspace_id),
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "headers": headers,
            "body": _text(capture.body, capture.body_truncated),
            "status": None if binding.drop_connection else capture.status,
            "response_headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in capture.headers},
            "response_body": _text(capture.response, capture.response_truncated),
            "dropped": binding.drop_connection,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
