"""Segments: named, saved search queries over contacts (or companies)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, Table

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, metadata, timestamp_column, workspace_column

segments = Table(
    "segments",
    metadata,
    Column("id", String(24), primary_key=True),
    workspace_column(),
    Column("name", String(255), nullable=False),
    # `contact` segments select contacts, `company` segments companies.
    Column("model", String(16), nullable=False),
    Column("person_type", String(16), nullable=False),
    Column("query", JsonType, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)


async def get_segment(uow: UnitOfWork, segment_id: str) -> Any:
    return await uow.one_or_none(uow.select(segments).where(segments.c.id == segment_id))


async def list_segments(uow: UnitOfWork, model: str | None = None) -> list[Any]:
    stmt = uow.select(segments)
    if model is not None:
        stmt = stmt.where(segments.c.model == model)
    return await uow.all(stmt.order_by(segments.c.created_at, segments.c.id))


async def insert_segment(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(segments).values(**values))
