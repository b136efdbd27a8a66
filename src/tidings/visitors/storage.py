"""Visitors: anonymous people on the Messenger, until they become leads or users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Index, String, Table, func

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, metadata, timestamp_column, workspace_column

visitors = Table(
    "visitors",
    metadata,
    Column("id", String(24), primary_key=True),
    workspace_column(),
    Column("user_id", String(64), nullable=False),
    Column("name", String(255), nullable=True),
    Column("email", String(255), nullable=True),
    Column("phone", String(64), nullable=True),
    Column("pseudonym", String(255), nullable=True),
    Column("custom_attributes", JsonType, nullable=False),
    # The contact this visitor became, once converted.
    Column("converted_to_id", String(24), nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_visitors_workspace_user_id", "workspace_id", "user_id"),
)


async def find_visitor(uow: UnitOfWork, *, id: str | None = None, user_id: str | None = None) -> Any:
    stmt = uow.select(visitors).where(visitors.c.converted_to_id.is_(None))
    if id is not None:
        stmt = stmt.where(visitors.c.id == id)
    elif user_id is not None:
        stmt = stmt.where(visitors.c.user_id == user_id)
    else:
        return None
    return await uow.one_or_none(stmt.limit(1))


async def insert_visitor(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(visitors).values(**values))


async def update_visitor(uow: UnitOfWork, visitor_id: str, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(visitors).where(visitors.c.id == visitor_id).values(**values))


async def find_by_email(uow: UnitOfWork, email: str) -> Any:
    return await uow.one_or_none(
        uow.select(visitors)
        .where(visitors.c.converted_to_id.is_(None), func.lower(visitors.c.email) == email.strip().lower())
        .limit(1)
    )
