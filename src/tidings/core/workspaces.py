"""Workspaces (Intercom's "apps") and their provisioning: a new workspace gets an owner admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from tidings.core import clock
from tidings.core import scopes as token_scopes
from tidings.core.auth import hash_token, new_token
from tidings.core.errors import TidingsError
from tidings.core.ids import app_id
from tidings.core.tables import access_tokens, workspaces
from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, metadata
from tidings.db.storage import Transaction


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: int
    token: str
    name: str
    scopes: list[str]


async def get_workspace(uow: UnitOfWork, workspace_id: str) -> Any:
    return await uow.one_or_none(select(workspaces).where(workspaces.c.id == workspace_id))


async def find_workspace(tx: Transaction, workspace_id: str) -> Any:
    return (await tx.execute(select(workspaces).where(workspaces.c.id == workspace_id))).mappings().first()


async def list_workspaces(tx: Transaction) -> list[Any]:
    return list((await tx.execute(select(workspaces).order_by(workspaces.c.created_at))).mappings().all())


async def create_workspace(
    tx: Transaction, name: str, workspace_id: str | None = None, seed: str | None = None
) -> UnitOfWork:
    """Insert the workspace and its owner admin; returns a unit of work scoped to it. With a seed,
    its id and every id it hands out are deterministic (`tidings.core.ids`)."""
    from tidings.admins import storage as admin_storage
    from tidings.control.seeds import set_seed
    from tidings.help_center.content import seed_default_help_center

    ws_id = workspace_id or app_id(seed)
    if seed is not None and await find_workspace(tx, ws_id) is not None:
        raise TidingsError(
            409, "conflict", f"Workspace {ws_id} already has seed {seed}; reset it with the seed instead"
        )
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


async def issue_token(
    uow: UnitOfWork, name: str, scopes: list[str] | None = None, token: str | None = None
) -> IssuedToken:
    plain = token or new_token()
    granted = token_scopes.validate(scopes) or [token_scopes.ALL]
    result = await uow.execute(
        uow.insert(access_tokens)
        .values(
            name=name,
            token_hash=hash_token(plain),
            admin_id=uow.admin_id,
            scopes=granted,
            revoked=False,
            created_at=clock.now(),
        )
        .returning(access_tokens.c.id)
    )
    return IssuedToken(id=int(result.scalar_one()), token=plain, name=name, scopes=granted)


async def first_admin_id(uow: UnitOfWork) -> int | None:
    from tidings.admins import storage as admin_storage

    admins = await admin_storage.list_admins(uow)
    return int(admins[0]["id"]) if admins else None


async def revoke_token(uow: UnitOfWork, token_id: int) -> bool:
    result = await uow.execute(
        uow.update(access_tokens)
        .where(access_tokens.c.id == token_id, access_tokens.c.revoked.is_(False))
        .values(revoked=True)
    )
    return bool(result.rowcount)


async def reset_workspace(uow: UnitOfWork) -> None:
    """Delete every object of the workspace except the tables marked to be kept."""
    for table in reversed(metadata.sorted_tables):
        if "workspace_id" in table.c and table.info.get("reset") != KEEP_ON_RESET["reset"]:
            await uow.execute(delete(table).where(table.c.workspace_id == uow.workspace_id))


def numeric_app_id(workspace_id: str) -> int:
    """The workspace id as the integer some objects carry (`app_id: 12345`): the id code read in base 36,
    so it is stable and names the workspace back."""
    try:
        return int(workspace_id, 36)
    except ValueError:
        return int.from_bytes(workspace_id.encode()[:7], "big")
