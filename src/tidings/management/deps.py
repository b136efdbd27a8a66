"""The management API's dependency: the admin key, and a transaction not bound to one workspace
(`tidings.core.uow.transaction`, so the after-commit hooks of its units of work run as a request's do)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from tidings.admins.storage import first_admin_id
from tidings.core.auth import check_admin_key
from tidings.core.deps import READ_METHODS
from tidings.core.errors import not_found
from tidings.core.uow import UnitOfWork, transaction
from tidings.core.workspaces import find_workspace
from tidings.db.storage import Transaction

ControlTx: TypeAlias = NamedDependency[Transaction]
"""A management handler's `tx` parameter: the transaction `provide_control_tx` opens."""


async def provide_control_tx(request: Request[Any, Any, Any], state: State) -> AsyncGenerator[Transaction, None]:
    check_admin_key(request.headers.get("authorization"), state.admin_key)
    async with transaction(state.storage, write=request.method not in READ_METHODS) as tx:
        yield tx


async def workspace_uow(tx: Transaction, workspace_id: str) -> UnitOfWork:
    """A unit of work on an existing workspace, acting as its first admin."""
    if await find_workspace(tx, workspace_id) is None:
        raise not_found(f"Workspace {workspace_id} not found")
    uow = UnitOfWork(tx=tx, workspace_id=workspace_id)
    uow.admin_id = await first_admin_id(uow)
    return uow
