"""Litestar dependencies every Intercom route uses: version check, bearer auth, unit of work.

They are chained (the unit of work resolves the principal itself) rather than siblings, since
Litestar resolves sibling dependencies in a task group per request (style-anchors §9.3).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State

from tidings.core.auth import bearer
from tidings.core.errors import unauthorized
from tidings.core.uow import UnitOfWork
from tidings.core.versioning import check_version

READ_METHODS = frozenset({"GET", "HEAD"})


async def provide_uow(request: Request[Any, Any, Any], state: State) -> AsyncGenerator[UnitOfWork, None]:
    headers = request.headers
    token = bearer(headers.get("authorization"))
    if token is None:
        raise unauthorized()
    principal = await state.tokens.resolve(token)
    check_version(headers.get("intercom-version"))
    write = request.method not in READ_METHODS or bool(request.route_handler.opt.get("write"))
    tx = await state.storage.begin(write)
    uow = UnitOfWork(tx=tx, workspace_id=principal.workspace_id, admin_id=principal.admin_id)
    try:
        yield uow
    except BaseException:
        await tx.rollback()
        raise
    await tx.commit()
    for hook in uow.after_commit:
        hook()
