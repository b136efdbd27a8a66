"""Admins (teammates) and their activity log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, bindparam, select

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column
from tidings.db.prepared import PreparedRead

admins = Table(
    "admins",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("email", String(255), nullable=False),
    Column("job_title", String(255), nullable=True),
    Column("avatar_url", String(1024), nullable=True),
    Column("away_mode_enabled", Boolean, nullable=False, default=False),
    Column("away_mode_reassign", Boolean, nullable=False, default=False),
    Column("away_status_reason_id", Integer, nullable=True),
    Column("has_inbox_seat", Boolean, nullable=False, default=True),
    timestamp_column("created_at"),
    info=KEEP_ON_RESET,
)

activity_logs = Table(
    "activity_logs",
    metadata,
    Column("id", String(36), primary_key=True),
    workspace_column(),
    Column("admin_id", Integer, nullable=False),
    Column("activity_type", String(64), nullable=False),
    Column("activity_description", String(1024), nullable=True),
    Column("metadata", JsonType, nullable=False),
    timestamp_column("created_at"),
    Index("ix_activity_logs_workspace_created", "workspace_id", "created_at", "id"),
)


ADMIN_BY_ID = PreparedRead(
    lambda: select(admins).where(admins.c.workspace_id == bindparam("ws"), admins.c.id == bindparam("id"))
)


async def get_admin(uow: UnitOfWork, admin_id: int) -> Any:
    return await uow.fetch_one(ADMIN_BY_ID, id=admin_id)


async def list_admins(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(admins).order_by(admins.c.id))


async def first_admin_id(uow: UnitOfWork) -> int | None:
    """The workspace's first admin (its owner): who acts for management calls and imports."""
    admins_ = await list_admins(uow)
    return int(admins_[0]["id"]) if admins_ else None


async def insert_admin(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(admins).values(**values).returning(admins.c.id))
    return int(result.scalar_one())


async def update_admin(uow: UnitOfWork, admin_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(admins).where(admins.c.id == admin_id).values(**values))


async def insert_activity(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(activity_logs).values(**values))


def _activity_filter(uow: UnitOfWork, after: int, before: int | None, types: list[str] | None) -> Any:
    stmt = uow.select(activity_logs).where(activity_logs.c.created_at >= after)
    if before is not None:
        stmt = stmt.where(activity_logs.c.created_at <= before)
    if types:
        stmt = stmt.where(activity_logs.c.activity_type.in_(types))
    return stmt


_NEWEST_FIRST = (activity_logs.c.created_at.desc(), activity_logs.c.id.desc())


async def activity_numbered_page(
    uow: UnitOfWork, after: int, before: int | None, types: list[str] | None, page: int, per_page: int
) -> tuple[list[Any], int]:
    """Newest first, by page number (the search endpoint pages by number)."""
    base = _activity_filter(uow, after, before, types)
    rows = await uow.all(base.order_by(*_NEWEST_FIRST).offset((page - 1) * per_page).limit(per_page))
    return rows, await uow.count(base)


async def activity_page(
    uow: UnitOfWork, after: int, before: int | None, key: list[Any] | None, limit: int
) -> tuple[list[Any], int]:
    """Newest first, keyset on (created_at, id)."""
    base = _activity_filter(uow, after, before, None)
    total = await uow.count(base)
    stmt = base
    if key is not None:
        created_at, log_id = key
        stmt = stmt.where(
            (activity_logs.c.created_at < created_at)
            | ((activity_logs.c.created_at == created_at) & (activity_logs.c.id < log_id))
        )
    rows = await uow.all(stmt.order_by(activity_logs.c.created_at.desc(), activity_logs.c.id.desc()).limit(limit + 1))
    return rows, total
