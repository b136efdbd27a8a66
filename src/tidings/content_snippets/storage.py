"""Content snippets: private, reusable content for Fin and Copilot, never shown to customers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, id_column, metadata, timestamp_column, workspace_column

content_snippets = Table(
    "content_snippets",
    metadata,
    id_column(),
    workspace_column(),
    Column("title", Text, nullable=True),
    Column("locale", String(16), nullable=False),
    Column("json_blocks", JsonType, nullable=False),
    Column("chatbot_availability", Integer, nullable=False),
    Column("copilot_availability", Integer, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)


async def get(uow: UnitOfWork, snippet_id: int) -> Any:
    return await uow.one_or_none(uow.select(content_snippets).where(content_snippets.c.id == snippet_id))


async def page(uow: UnitOfWork, offset: int, limit: int) -> list[Any]:
    table = content_snippets
    return await uow.all(uow.select(table).order_by(table.c.id).offset(offset).limit(limit))


async def count(uow: UnitOfWork) -> int:
    return await uow.count(uow.select(content_snippets))


async def insert(uow: UnitOfWork, values: dict[str, Any]) -> int:
    table = content_snippets
    return int((await uow.execute(uow.insert(table).values(**values).returning(table.c.id))).scalar_one())


async def update(uow: UnitOfWork, snippet_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(content_snippets).where(content_snippets.c.id == snippet_id).values(**values))
