"""Macros: the template as written (with `{{placeholder}}`s) and who may see it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Index, String, Table, Text, and_, or_

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column

macros = Table(
    "macros",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("template", Text, nullable=False),
    Column("visible_to", String(16), nullable=False),
    Column("visible_to_team_ids", JsonType, nullable=False),
    Column("available_on", JsonType, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_macros_workspace_updated", "workspace_id", "updated_at", "id"),
    info=KEEP_ON_RESET,
)


async def get_macro(uow: UnitOfWork, macro_id: int) -> Any:
    return await uow.one_or_none(uow.select(macros).where(macros.c.id == macro_id))


async def macros_after(
    uow: UnitOfWork, after: tuple[int, int] | None, updated_since: int | None, limit: int
) -> list[Any]:
    """Most recently updated first, from after the keyset `(updated_at, id)`."""
    t = macros
    stmt = uow.select(t)
    if after is not None:
        stmt = stmt.where(or_(t.c.updated_at < after[0], and_(t.c.updated_at == after[0], t.c.id < after[1])))
    if updated_since is not None:
        stmt = stmt.where(t.c.updated_at > updated_since)
    return await uow.all(stmt.order_by(t.c.updated_at.desc(), t.c.id.desc()).limit(limit))


async def insert_macro(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(macros).values(**values).returning(macros.c.id))).scalar_one())


async def update_macro(uow: UnitOfWork, macro_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(macros).where(macros.c.id == macro_id).values(**values))
