"""Notes admins leave on contacts and companies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import id_column, metadata, timestamp_column, workspace_column

notes = Table(
    "notes",
    metadata,
    id_column(),
    workspace_column(),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), nullable=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), nullable=True),
    Column("admin_id", Integer, nullable=False),
    Column("body", Text, nullable=False),
    timestamp_column("created_at"),
    Index("ix_notes_contact", "contact_id", "id"),
    # Scoped lookups by owner: without these SQLite reads every note of the workspace.
    Index("ix_notes_workspace_contact", "workspace_id", "contact_id", "id"),
    Index("ix_notes_workspace_company", "workspace_id", "company_id", "id"),
    Index("ix_notes_company", "company_id", "id"),
)


async def get_note(uow: UnitOfWork, note_id: int) -> Any:
    return await uow.one_or_none(uow.select(notes).where(notes.c.id == note_id))


async def insert_note(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(notes).values(**values).returning(notes.c.id))
    return int(result.scalar_one())


async def notes_page(uow: UnitOfWork, owner: str, owner_id: str, offset: int, limit: int) -> tuple[list[Any], int]:
    """A page of the notes on a contact or company (`owner` is "contact" or "company"), newest first,
    and how many there are."""
    stmt = uow.select(notes).where(notes.c[f"{owner}_id"] == owner_id)
    rows = await uow.all(stmt.order_by(notes.c.id.desc()).offset(offset).limit(limit))
    return rows, await uow.count(stmt)


async def recent_for_contacts(uow: UnitOfWork, contact_ids: list[str]) -> list[Any]:
    if not contact_ids:
        return []
    return await uow.all(
        uow.select(notes, notes.c.id, notes.c.contact_id)
        .where(notes.c.contact_id.in_(contact_ids))
        .order_by(notes.c.id.desc())
    )


async def move_notes(uow: UnitOfWork, from_contact: str, into_contact: str) -> None:
    await uow.execute(uow.update(notes).where(notes.c.contact_id == from_contact).values(contact_id=into_contact))


async def recent_for_companies(uow: UnitOfWork, company_ids: list[str]) -> list[Any]:
    if not company_ids:
        return []
    return await uow.all(
        uow.select(notes, notes.c.id, notes.c.company_id)
        .where(notes.c.company_id.in_(company_ids))
        .order_by(notes.c.id.desc())
    )
