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
from tidings.areas import INTERCOM_ROUTES, JOB_HANDLERS, MANAGEMENT_ROUTES
from tidings.bootstrap import load_admin_key
from tidings.config import Settings
from tidings.control import clock as clock_control
from tidings.control import seeds
from tidings.control.requests import RequestLogMiddleware
from tidings.core.auth import TokenCache
from tidings.core.deps import provide_uow
from tidings.core.errors import render_error
from tidings.core.request_id import RequestIdMiddleware
from tidings.db.storage import open_storage
from tidings.fin.runner import fin_runtime
from tidings.jobs.runner import JobRunner
from tidings.webhooks.runtime import delivery_runtime


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        storage = open_storage(settings.resolved_database_url)
        app.state.storage = storage
        app.state.tokens = TokenCache(storage)
        app.state.admin_key = load_admin_key(settings)
        await clock_control.load(storage)
        await seeds.load(storage)
        jobs = JobRunner(storage, JOB_HANDLERS)
        jobs.start()
        try:
            async with delivery_runtime(storage, settings, run_worker=settings.run_worker), fin_runtime(storage):
                yield
        finally:
            await jobs.stop()
            await storage.close()

    intercom = Router(path="/", route_handlers=INTERCOM_ROUTES, dependencies={"uow": Provide(provide_uow)})
    return Litestar(
        route_handlers=[intercom, *MANAGEMENT_ROUTES],
        lifespan=[lifespan],
        state=State({"settings": settings}),
        exception_handlers={Exception: render_error},
        openapi_config=OpenAPIConfig(title="tidings", version=__version__, path="/_tidings/openapi"),
        debug=False,
    )


def asgi_app() -> Any:
    """Factory for uvicorn workers: the request-id layer outside everything, routing errors included,
    then the control plane's request log."""
    settings = Settings()
    return RequestIdMiddleware(RequestLogMiddleware(create_app(settings), settings.request_log_size))
