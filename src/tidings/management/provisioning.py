"""Provisioning a workspace: an application service above the areas it seeds (admins, help center).

`tidings.core.workspaces` keeps what every area may use (finding a workspace, tokens, reset);
creating one needs the areas, so it lives here, next to the management API that calls it.
"""

from __future__ import annotations

from sqlalchemy import insert

from tidings.admins import storage as admin_storage
from tidings.control.seeds import set_seed
from tidings.core import clock
from tidings.core.errors import CONFLICT
from tidings.core.ids import app_id
from tidings.core.tables import workspaces
from tidings.core.uow import UnitOfWork
from tidings.core.workspaces import find_workspace
from tidings.db.storage import Transaction
from tidings.help_center.content import seed_default_help_center


async def create_workspace(
    tx: Transaction, name: str, workspace_id: str | None = None, seed: str | None = None
) -> UnitOfWork:
    """Insert the workspace and its owner admin; returns a unit of work scoped to it. With a seed,
    its id and every id it hands out are deterministic (`tidings.core.ids`)."""
    ws_id = workspace_id or app_id(seed)
    if seed is not None and await find_workspace(tx, ws_id) is not None:
        raise CONFLICT(f"Workspace {ws_id} already has seed {seed}; reset it with the seed instead")
    now = clock.now()
    await tx.execute(insert(workspaces).values(id=ws_id, name=name, timezone="UTC", region="US", created_at=now))
    await set_seed(tx, ws_id, seed)
    uow = UnitOfWork(tx=tx, workspace_id=ws_id)
    uow.admin_id = await admin_storage.insert_admin(
        uow,
        {"name": f"{name} Owner", "email": f"owner@{ws_id}.tidings.local", "job_title": "Owner", "created_at": now},
    )
    # Every workspace has a help center, as in Intercom.
    await seed_default_help_center(uow, name)
    return uow
