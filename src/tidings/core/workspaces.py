"""Workspaces (Intercom's "apps"): finding them, their tokens, reset.

Creating one (with its owner admin and help center) is `tidings.management.provisioning`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from tidings.core import clock
from tidings.core import scopes as token_scopes
from tidings.core.auth import hash_token, new_token
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


async def set_rate_limit(tx: Transaction, workspace_id: str, per_minute: int) -> None:
    await tx.execute(update(workspaces).where(workspaces.c.id == workspace_id).values(rate_limit_per_minute=per_minute))


async def list_workspaces(tx: Transaction) -> list[Any]:
    return list((await tx.execute(select(workspaces).order_by(workspaces.c.created_at))).mappings().all())


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
