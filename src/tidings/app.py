"""The application factory: Intercom routes, the management API, one error renderer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide

from tidings.api_docs.reference import assets_router, openapi_config
from tidings.areas import INBOX_ROUTES, INTERCOM_ROUTES, JOB_HANDLERS, MANAGEMENT_ROUTES, register_listeners
from tidings.bootstrap import load_admin_key
from tidings.config import Settings
from tidings.control import clock as clock_control
from tidings.control import seeds
from tidings.control.requests import RequestLogMiddleware
from tidings.core.auth import TokenCache
from tidings.core.deps import provide_uow
from tidings.core.errors import render_error
from tidings.core.http_basics import HttpBasicsMiddleware, RouteTable
from tidings.core.rate_limits import RateLimiter
from tidings.core.request_id import RequestIdMiddleware
from tidings.db.storage import open_storage
from tidings.fin.runner import fin_runtime
from tidings.inbox.web import inbox_router, template_config
from tidings.jobs.runner import JobRunner
from tidings.observability.metrics import metrics_sampler
from tidings.observability.requests import RequestTelemetry
from tidings.observability.routes import metrics_page
from tidings.webhooks.runtime import delivery_runtime


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    register_listeners()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        storage = open_storage(settings.resolved_database_url, settings.statement_timeout_seconds)
        app.state.storage = storage
        app.state.tokens = TokenCache(storage)
        await app.state.tokens.start()
        app.state.rate_limiter = RateLimiter(storage, settings.rate_limit_window_seconds)
        app.state.admin_key = load_admin_key(settings)
        await clock_control.load(storage)
        await seeds.load(storage)
        jobs = JobRunner(storage, JOB_HANDLERS)
        if settings.run_jobs:
            jobs.start()
        try:
            async with (
                delivery_runtime(storage, settings, run_worker=settings.run_worker),
                fin_runtime(storage, settings),
                metrics_sampler(storage),
            ):
                yield
        finally:
            await jobs.stop()
            await app.state.rate_limiter.close()
            await app.state.tokens.close()
            await storage.close()

    intercom = Router(path="/", route_handlers=INTERCOM_ROUTES, dependencies={"uow": Provide(provide_uow)})
    inbox = [inbox_router(INBOX_ROUTES)] if settings.inbox_enabled else []
    # With a metrics port, /metrics is served there instead (tidings.cli.serve).
    operations = [] if settings.metrics_port else [metrics_page]
    return Litestar(
        route_handlers=[intercom, *MANAGEMENT_ROUTES, assets_router(), *operations, *inbox],
        template_config=template_config() if settings.inbox_enabled else None,
        lifespan=[lifespan],
        state=State({"settings": settings}),
        exception_handlers={Exception: render_error},
        openapi_config=openapi_config(),
        logging_config=None,  # `tidings serve` configures logging (tidings.observability.logs)
        debug=False,
    )


def asgi_app() -> Any:
    """Factory for uvicorn workers: the request-id layer outside everything, routing errors included;
    inside it, each request's log line and metrics, then the control plane's request log; then HTTP's
    basics (HEAD, OPTIONS, an absent body) in front of the router."""
    settings = Settings()
    app = create_app(settings)
    basics = HttpBasicsMiddleware(app, RouteTable(app))
    return RequestIdMiddleware(RequestTelemetry(RequestLogMiddleware(basics, settings.request_log_size)))
