"""Litestar dependencies every Intercom route uses: version check, bearer auth, unit of work.

They are chained (the unit of work resolves the principal itself) rather than siblings, since
Litestar resolves sibling dependencies in a task group per request (style-anchors §9.3).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency

from tidings.control import faults
from tidings.core import clock, scopes
from tidings.core.auth import bearer
from tidings.core.errors import unauthorized
from tidings.core.uow import UnitOfWork, transaction
from tidings.core.versioning import check_version, effective_version
from tidings.observability.requests import note_workspace

READ_METHODS = frozenset({"GET", "HEAD"})

Uow: TypeAlias = NamedDependency[UnitOfWork]
"""A handler's `uow` parameter: the unit of work `provide_uow` opens for the request."""


def _auth_and_version(raw_headers: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None]:
    """The two headers every request needs, read from the raw ASGI list (no header map is built)."""
    authorization = version = None
    for name, value in raw_headers:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"intercom-version":
            version = value.decode("latin-1")
    return authorization, version


async def provide_uow(request: Request[Any, Any, Any]) -> AsyncGenerator[UnitOfWork, None]:
    # app.state directly: a `state: State` parameter would build a State copy per request.
    state = request.app.state
    authorization, version = _auth_and_version(request.scope["headers"])
    token = bearer(authorization)
    if token is None:
        raise unauthorized()
    principal = await state.tokens.resolve(token)
    clock.bind(principal.workspace_id)  # before a fault acts, so the request log names the workspace
    await state.rate_limiter.take(principal.workspace_id, principal.rate_limit_per_minute)
    scopes.check(principal.allowed, request.method, request.scope["path"])
    note_workspace(request.scope, principal.workspace_id)
    await faults.apply(
        principal.workspace_id, request.method, request.scope["path"], request.route_handler.operation_id
    )
    if not request.route_handler.opt.get("any_intercom_version"):
        check_version(version)
    write = request.method not in READ_METHODS or bool(request.route_handler.opt.get("write"))
    async with transaction(state.storage, write) as tx:
        yield UnitOfWork(
            tx=tx,
            workspace_id=principal.workspace_id,
            admin_id=principal.admin_id,
            intercom_version=effective_version(version, state.settings.default_intercom_version),
        )
