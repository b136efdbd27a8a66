"""Phone call redirects: the SMS link each one would carry, and whom it was for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, id_column, metadata, timestamp_column, workspace_column

phone_call_redirects = Table(
    "phone_call_redirects",
    metadata,
    id_column(),
    workspace_column(),
    Column("phone", String(32), nullable=False),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("custom_attributes", JsonType, nullable=False),
    timestamp_column("created_at"),
)


async def insert_redirect(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(phone_call_redirects).values(**values))


async def list_redirects(uow: UnitOfWork) -> list[Any]:
    t = phone_call_redirects
    return await uow.all(uow.select(t).order_by(t.c.id.desc()).limit(500))
