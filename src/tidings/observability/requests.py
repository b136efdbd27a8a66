"""One log line and one set of metrics per HTTP request (pure ASGI, outside the framework)."""

from __future__ import annotations

import logging
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tidings.core.request_id import current_request_id
from tidings.observability.logs import event
from tidings.observability.metrics import record_pool, record_request

log = logging.getLogger("tidings.request")

WORKSPACE_KEY = "tidings.workspace_id"
"""Scope key where authentication notes the caller's workspace (`note_workspace`)."""


def note_workspace(scope: Any, workspace_id: str) -> None:
    scope[WORKSPACE_KEY] = workspace_id


def operation_of(scope: Scope) -> str:
    handler = scope.get("route_handler")
    if handler is None:
        return "unmatched"
    operation_id = getattr(handler, "operation_id", None)
    return operation_id if isinstance(operation_id, str) else handler.handler_name


class RequestTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self.finished(scope, status, time.perf_counter() - started)

    @staticmethod
    def finished(scope: Scope, status: int, seconds: float) -> None:
        operation_id = operation_of(scope)
        record_request(operation_id, scope["method"], status, seconds)
        app = scope.get("app")
        storage = getattr(getattr(app, "state", None), "storage", None)
        if storage is not None:
            record_pool(storage)
        workspace_id = scope.get(WORKSPACE_KEY) or (scope.get("path_params") or {}).get("ws")
        event(
            log,
            "request",
            request_id=current_request_id.get(),
            workspace_id=workspace_id,
            operation_id=operation_id,
            method=scope["method"],
            path=scope["path"],
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )
