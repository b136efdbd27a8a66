"""Teammates' inbox access, for the management API and the CLI: passwords, sign-in links, removal."""

from __future__ import annotations

from typing import Any

from tidings.admins import storage as admin_storage
from tidings.conversations import storage as conversation_storage
from tidings.core.errors import ADMIN_NOT_FOUND, TidingsError, found
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.inbox import auth, storage
from tidings.teams import storage as team_storage


def admin_not_found() -> TidingsError:
    return ADMIN_NOT_FOUND()


async def admin_by_id(uow: UnitOfWork, admin_id: str | int) -> Any:
    numeric = parse_numeric_id(admin_id)
    row = found(await admin_storage.get_admin(uow, numeric) if numeric else None, admin_not_found())
    return row


async def admin_by_email(uow: UnitOfWork, email: str) -> Any:
    found = await storage.find_admin_by_email(uow.tx, email, uow.workspace_id)
    if not found:
        raise ADMIN_NOT_FOUND(f"No admin with email {email} in this workspace")
    return found[0]


async def set_password(uow: UnitOfWork, admin: Any, password: str) -> None:
    await auth.set_password(uow, int(admin["id"]), password)


async def login_link(uow: UnitOfWork, admin: Any, base_url: str, minutes: int) -> str:
    return await auth.issue_login_link(uow, int(admin["id"]), base_url, minutes)


async def remove_admin(uow: UnitOfWork, admin: Any) -> None:
    """Remove a teammate: their sessions end at once, their conversations go back to their team's
    inbox (unassigned), and they leave their teams."""
    admin_id = int(admin["id"])
    await storage.forget_admin(uow, admin_id)
    c = conversation_storage.conversations.c
    await uow.execute(
        uow.update(conversation_storage.conversations)
        .where(c.admin_assignee_id == admin_id)
        .values(admin_assignee_id=None)
    )
    for team in await team_storage.list_teams(uow):
        members = [int(a) for a in team["admin_ids"]]
        if admin_id in members:
            await uow.execute(
                uow.update(team_storage.teams)
                .where(team_storage.teams.c.id == team["id"])
                .values(admin_ids=[a for a in members if a != admin_id])
            )
    await uow.execute(uow.delete(admin_storage.admins).where(admin_storage.admins.c.id == admin_id))
