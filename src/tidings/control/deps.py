"""The control plane's dependency: the admin key and an existing workspace, with no transaction held.

Control calls run their own short transactions (moving the clock fires work in the workspace's
own transactions), so unlike `ControlTx` nothing stays open while they run.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from tidings.core.auth import check_admin_key
from tidings.core.errors import not_found
from tidings.core.workspaces import find_workspace

ControlledWorkspace: TypeAlias = NamedDependency[str]
"""A control handler's `workspace` parameter: the id of the workspace in its path, checked."""


async def provide_workspace(request: Request[Any, Any, Any], state: State, ws: str) -> str:
    check_admin_key(request.headers.get("authorization"), state.admin_key)
    tx = await state.storage.begin(write=False)
    try:
        found = await find_workspace(tx, ws)
    finally:
        await tx.rollback()
    if found is None:
        raise not_found(f"Workspace {ws} not found")
    return ws
