"""Data events and per-contact counters (what summaries read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, and_, or_
from sqlalchemy.dialects import postgresql, sqlite

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, JsonType, id_column, metadata, timestamp_column, workspace_column

data_events = Table(
    "data_events",
    metadata,
    id_column(),
    workspace_column(),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("event_name", String(255), nullable=False),
    # When the event happened (the client's `created_at`), Unix seconds.
    timestamp_column("created_at"),
    Column("metadata", JsonType, nullable=False),
    timestamp_column("received_at"),
    # Intercom drops a repeat of the same event name, contact and time; this key does it race-free.
    Index("uq_data_events_identity", "workspace_id", "contact_id", "event_name", "created_at", unique=True),
    Index("ix_data_events_contact_time", "contact_id", "created_at", "id"),
)

# One row per contact and event name: counts and first/last times, for summaries. Events add to it;
# `POST /events/summaries` merges into it without individual events.
data_event_counters = Table(
    "data_event_counters",
    metadata,
    workspace_column(),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("event_name", String(255), primary_key=True),
    Column("count", BigId, nullable=False),
    timestamp_column("first"),
    timestamp_column("last"),
)


def _insert_ignoring_duplicates(uow: UnitOfWork, table: Table) -> Any:
    dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing()


async def insert_event(uow: UnitOfWork, values: dict[str, Any]) -> int | None:
    """The new event's id; None when it repeats one already stored (it is dropped)."""
    stmt = (
        _insert_ignoring_duplicates(uow, data_events)
        .values(workspace_id=uow.workspace_id, **values)
        .returning(data_events.c.id)
    )
    return await uow.scalar(stmt)


async def add_to_counter(uow: UnitOfWork, contact_id: str, name: str, count: int, first: int, last: int) -> None:
    t = data_event_counters
    await uow.serialise("data-event-counter", contact_id, name)
    key = and_(t.c.contact_id == contact_id, t.c.event_name == name)
    row = await uow.one_or_none(uow.select(t).where(key))
    if row is None:
        await uow.execute(
            uow.insert(t).values(contact_id=contact_id, event_name=name, count=count, first=first, last=last)
        )
        return
    await uow.execute(
        uow.update(t)
        .where(key)
        .values(count=row["count"] + count, first=min(row["first"], first), last=max(row["last"], last))
    )


async def counters(uow: UnitOfWork, contact_id: str) -> list[Any]:
    t = data_event_counters
    return await uow.all(uow.select(t).where(t.c.contact_id == contact_id).order_by(t.c.event_name))


async def events_of(
    uow: UnitOfWork, contact_id: str, oldest: int, before: tuple[int, int] | None, since: int | None, limit: int
) -> list[Any]:
    """The contact's events, newest first, no older than `oldest`, before the keyset `(created_at, id)`."""
    t = data_events
    stmt = uow.select(t).where(t.c.contact_id == contact_id, t.c.created_at >= oldest)
    if before is not None:
        stmt = stmt.where(or_(t.c.created_at < before[0], and_(t.c.created_at == before[0], t.c.id < before[1])))
    if since is not None:
        stmt = stmt.where(t.c.created_at >= since)
    return await uow.all(stmt.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit))
