"""The application factory: Intercom routes, the management API, one error renderer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from tidings import __version__
from tidings.areas import INBOX_ROUTES, INTERCOM_ROUTES, JOB_HANDLERS, MANAGEMENT_ROUTES
from tidings.bootstrap import load_admin_key
from tidings.config import Settings
from tidings.core.auth import TokenCache
from tidings.core.deps import provide_uow
from tidings.core.errors import render_error
from tidings.core.request_id import RequestIdMiddleware
from tidings.db.storage import open_storage
from tidings.fin.runner import fin_runtime
from tidings.inbox.web import inbox_router, template_config
from tidings.jobs.runner import JobRunner
from tidings.webhooks.runtime import delivery_runtime


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        storage = open_storage(settings.resolved_database_url, settings.statement_timeout_seconds)
        app.state.storage = storage
        app.state.tokens = TokenCache(storage)
        app.state.admin_key = load_admin_key(settings)
        jobs = JobRunner(storage, JOB_HANDLERS)
        if settings.run_jobs:
            jobs.start()
        try:
            async with delivery_runtime(storage, settings, run_worker=settings.run_worker), fin_runtime(storage):
                yield
        finally:
            await jobs.stop()
            await storage.close()

    intercom = Router(path="/", route_handlers=INTERCOM_ROUTES, dependencies={"uow": Provide(provide_uow)})
    inbox = [inbox_router(INBOX_ROUTES)] if settings.inbox_enabled else []
    return Litestar(
        route_handlers=[intercom, *MANAGEMENT_ROUTES, *inbox],
        template_config=template_config() if settings.inbox_enabled else None,
        lifespan=[lifespan],
        state=State({"settings": settings}),
        exception_handlers={Exception: render_error},
        openapi_config=OpenAPIConfig(title="tidings", version=__version__, path="/_tidings/openapi"),
        debug=False,
    )


def asgi_app() -> Any:
    """Factory for uvicorn workers: the request-id layer outside everything, routing errors included."""
    return RequestIdMiddleware(create_app())
