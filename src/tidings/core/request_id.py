"""A fresh request id per request: kept in a contextvar for error bodies and logs, sent as a header."""

from __future__ import annotations

import os
from contextvars import ContextVar

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tidings.core import clock

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def new_request_id() -> str:
    """A random (version 4) UUID string; cheaper than uuid.uuid4() on the hot path."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


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
        binding = clock.request_scope()
        header = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            clock.release(binding)
            current_request_id.reset(token)
