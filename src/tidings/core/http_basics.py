"""HTTP as any client expects it of an API, in one pure-ASGI layer in front of the router.

- HEAD on a GET route answers as GET does, without the body.
- OPTIONS answers 200 with `Allow` naming every method the path serves (Litestar's own answer
  names only some of them).
- A POST, PUT or PATCH without a body is handled as `{}`: the spec marks 63 of its 74 request
  bodies optional. A handler whose body is required says so with `opt={"body_required": True}`
  and keeps the "A JSON request body is required" answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
EMPTY_OBJECT = b"{}"


@dataclass(frozen=True, slots=True)
class _Route:
    pattern: re.Pattern[str]
    # 1 per literal segment, 0 per parameter: a literal segment wins, as the router decides.
    rank: tuple[int, ...]
    methods: frozenset[str]
    body_required: frozenset[str]


def _route(route: HTTPRoute) -> _Route:
    segments = [s for s in route.path.split("/") if s]
    regex = "".join("/[^/]+" if s.startswith("{") else "/" + re.escape(s) for s in segments) or "/"
    required = {m for h in route.route_handlers if h.opt.get("body_required") for m in h.http_methods}
    return _Route(
        pattern=re.compile(f"^{regex}/?$"),
        rank=tuple(0 if s.startswith("{") else 1 for s in segments),
        methods=frozenset(route.methods - {"OPTIONS"}),
        body_required=frozenset(required),
    )


class RouteTable:
    def __init__(self, app: Litestar) -> None:
        self._routes = [_route(r) for r in app.routes if isinstance(r, HTTPRoute)]

    def serving(self, path: str) -> list[_Route]:
        """The routes the router would pick among for `path`: the most literal ones matching it."""
        matching = [r for r in self._routes if r.pattern.match(path)]
        if not matching:
            return []
        best = max(r.rank for r in matching)
        return [r for r in matching if r.rank == best]

    def allow(self, path: str) -> str | None:
        methods = {m for r in self.serving(path) for m in r.methods}
        if not methods:
            return None
        if "GET" in methods:
            methods.add("HEAD")
        return ", ".join(sorted(methods | {"OPTIONS"}))

    def body_required(self, method: str, path: str) -> bool:
        return any(method in r.body_required for r in self.serving(path))


class HttpBasicsMiddleware:
    def __init__(self, app: ASGIApp, routes: RouteTable) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and await self._options(scope, send):
            return
        if method == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
            return
        if method in BODY_METHODS and not self.routes.body_required(method, scope["path"]):
            scope, receive = await _empty_body_as_object(scope, receive)
        await self.app(scope, receive, send)

    async def _options(self, scope: Scope, send: Send) -> bool:
        allow = self.routes.allow(scope["path"])
        if allow is None:
            return False
        headers = [(b"allow", allow.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body"):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_head


async def _empty_body_as_object(scope: Scope, receive: Receive) -> tuple[Scope, Receive]:
    """The request as it came, or, when it has no body at all, as if it had sent `{}`."""
    first = await receive()
    empty = first["type"] == "http.request" and not first.get("body") and not first.get("more_body")
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        if empty:
            return {"type": "http.request", "body": EMPTY_OBJECT, "more_body": False}
        return first

    if empty:
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-length", b"content-type")]
        headers += [(b"content-length", str(len(EMPTY_OBJECT)).encode()), (b"content-type", b"application/json")]
        scope = {**scope, "headers": headers}
    return scope, replay
