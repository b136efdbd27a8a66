"""Internal articles: single-locale articles for teammates (and Copilot)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, id_column, metadata, timestamp_column, workspace_column

internal_articles = Table(
    "internal_articles",
    metadata,
    id_column(),
    workspace_column(),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=True),
    Column("owner_id", BigId, nullable=False),
    Column("author_id", BigId, nullable=False),
    Column("locale", String(8), nullable=False),
    Column("folder_id", ForeignKey("folders.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("ai_agent_availability", Boolean, nullable=False),
    Column("ai_copilot_availability", Boolean, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)


async def get(uow: UnitOfWork, article_id: int) -> Any:
    return await uow.one_or_none(uow.select(internal_articles).where(internal_articles.c.id == article_id))


def _in_folders(uow: UnitOfWork, folder_ids: list[int] | None) -> Any:
    stmt = uow.select(internal_articles)
    return stmt if folder_ids is None else stmt.where(internal_articles.c.folder_id.in_(folder_ids))


async def page(uow: UnitOfWork, folder_ids: list[int] | None, offset: int, limit: int) -> list[Any]:
    table = internal_articles
    stmt = _in_folders(uow, folder_ids).order_by(table.c.updated_at.desc(), table.c.id.desc())
    return await uow.all(stmt.offset(offset).limit(limit))


async def count(uow: UnitOfWork, folder_ids: list[int] | None) -> int:
    return await uow.count(_in_folders(uow, folder_ids))


async def insert(uow: UnitOfWork, values: dict[str, Any]) -> int:
    table = internal_articles
    return int((await uow.execute(uow.insert(table).values(**values).returning(table.c.id))).scalar_one())


async def update(uow: UnitOfWork, article_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(internal_articles).where(internal_articles.c.id == article_id).values(**values))


async def delete(uow: UnitOfWork, article_id: int) -> None:
    await uow.execute(uow.delete(internal_articles).where(internal_articles.c.id == article_id))
