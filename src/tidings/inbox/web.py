"""Wiring the inbox into the app: its router (session dependency, HTML errors), templates, static files."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, Router
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Receive, Scope, Send

from tidings.core.errors import TidingsError
from tidings.inbox.deps import SignInRequired, provide_inbox
from tidings.inbox.queries import ListFilter
from tidings.inbox.sanitise import safe_html

HERE = Path(__file__).parent
log = logging.getLogger("tidings.inbox")


def _when(timestamp: int | None) -> str:
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%d %b %H:%M")


def _safe_url(url: Any) -> str:
    """Only http(s) links are drawn (attachment URLs are caller-supplied)."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://", "/")) and not text.startswith("//") else "#"


def _query(selected: ListFilter | None, **changes: Any) -> str:
    from urllib.parse import urlencode

    return urlencode((selected or ListFilter()).params(**changes))


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True), enable_async=False
    )
    environment.filters.update(safe_html=safe_html, when=_when, safe_url=_safe_url)
    environment.globals.update(query=_query)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def _sign_in(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if request.headers.get("hx-request") == "true":
        return Response(b"", status_code=401, headers={"HX-Redirect": "/inbox/login"})
    return Redirect("/inbox/login", status_code=303)


def _error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, TidingsError):
        status, message = exc.status, "; ".join(item.message for item in exc.items)
    elif isinstance(exc, NotFoundException):
        status, message = 404, "Not found"
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, str(exc.detail or "Request refused")
    else:
        log.exception("inbox error", exc_info=exc)
        status, message = 500, "Something went wrong"
    fragment = request.headers.get("hx-request") == "true"
    headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"} if fragment else {}
    return Template(
        template_name="error_fragment.html" if fragment else "error.html",
        context={"message": message, "status": status},
        status_code=status,
        headers=headers,
    )


def server_timing(app: ASGIApp) -> ASGIApp:
    """`Server-Timing: app;dur=<ms>` on every inbox response: from the request's arrival to its first
    byte, session, queries and template rendering included (Litestar renders the body before it sends
    the headers). `bench/inbox.py` reads it; so does a browser's network panel."""

    async def timed(scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - started) * 1000
                headers = [*message.get("headers", []), (b"server-timing", f"app;dur={elapsed:.2f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_timed)

    return timed


def inbox_router(controllers: list[ControllerRouterHandler]) -> Router:
    static = create_static_files_router(path="/inbox/static", directories=[HERE / "static"], include_in_schema=False)
    return Router(
        path="/",
        route_handlers=[*controllers, static],
        dependencies={"inbox": Provide(provide_inbox)},
        exception_handlers={SignInRequired: _sign_in, Exception: _error},
        middleware=[server_timing],
        response_headers={"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"},
    )


# Defence in depth behind the sanitiser: no inline or foreign scripts run even if markup slipped through.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
