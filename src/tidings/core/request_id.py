"""A fresh request id per request: kept in a contextvar for error bodies and logs, sent as a header."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from litestar.types import ASGIApp, Message, Receive, Scope, Send

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def new_request_id() -> str:
    return str(uuid.uuid4())


def request_id() -> str:
    """The id of the request being served, or a fresh one outside a request."""
    return current_request_id.get() or new_request_id()


class RequestIdMiddleware:
    """Pure ASGI: cheaper than Litestar's middleware layer, and it wraps the router's own 404/405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = new_request_id()
        token = current_request_id.set(rid)
        header = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
