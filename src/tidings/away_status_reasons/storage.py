"""Away status reasons and the workspace's "a reason is mandatory" setting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, func

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, id_column, metadata, timestamp_column, workspace_column

away_status_reasons = Table(
    "away_status_reasons",
    metadata,
    id_column(),
    workspace_column(),
    Column("label", String(255), nullable=False),
    Column("emoji", String(32), nullable=False),
    Column("order", Integer, nullable=False),
    # Deleted reasons stay listed (Intercom lists them with `deleted: true`) and cannot be chosen.
    Column("deleted", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)

away_settings = Table(
    "away_settings",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("reason_mandatory", Boolean, nullable=False, default=False),
    info=KEEP_ON_RESET,
)


async def list_reasons(uow: UnitOfWork) -> list[Any]:
    t = away_status_reasons
    return await uow.all(uow.select(t).order_by(t.c.order, t.c.id))


async def get_reason(uow: UnitOfWork, reason_id: int) -> Any:
    return await uow.one_or_none(uow.select(away_status_reasons).where(away_status_reasons.c.id == reason_id))


async def insert_reason(uow: UnitOfWork, values: dict[str, Any]) -> int:
    t = away_status_reasons
    return int((await uow.execute(uow.insert(t).values(**values).returning(t.c.id))).scalar_one())


async def update_reason(uow: UnitOfWork, reason_id: int, values: dict[str, Any]) -> None:
    t = away_status_reasons
    await uow.execute(uow.update(t).where(t.c.id == reason_id).values(**values))


async def next_order(uow: UnitOfWork) -> int:
    t = away_status_reasons
    return int(await uow.scalar(uow.select(t, func.coalesce(func.max(t.c.order), 0))) or 0) + 1


async def reason_mandatory(uow: UnitOfWork) -> bool:
    row = await uow.one_or_none(uow.select(away_settings))
    return bool(row and row["reason_mandatory"])


async def set_reason_mandatory(uow: UnitOfWork, mandatory: bool) -> None:
    if await uow.one_or_none(uow.select(away_settings)) is None:
        await uow.execute(uow.insert(away_settings).values(reason_mandatory=mandatory))
    else:
        await uow.execute(uow.update(away_settings).values(reason_mandatory=mandatory))
