"""Companies, the contacts attached to them, and their tags."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    cast,
    func,
    literal,
    select,
    union_all,
)

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, metadata, timestamp_column, workspace_column
from tidings.notes.storage import notes
from tidings.tags.storage import tags

companies = Table(
    "companies",
    metadata,
    Column("id", String(24), primary_key=True),
    workspace_column(),
    Column("company_id", String(255), nullable=False),
    Column("name", String(255), nullable=True),
    Column("plan", String(255), nullable=True),
    Column("size", Integer, nullable=True),
    Column("website", String(1024), nullable=True),
    Column("industry", String(255), nullable=True),
    Column("monthly_spend", Float, nullable=False, default=0),
    Column("session_count", Integer, nullable=False, default=0),
    Column("remote_created_at", BigInteger, nullable=True),
    Column("last_request_at", BigInteger, nullable=True),
    Column("custom_attributes", JsonType, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    UniqueConstraint("workspace_id", "company_id", name="uq_companies_workspace_company_id"),
    Index("ix_companies_workspace_created", "workspace_id", "created_at", "id"),
)

contact_companies = Table(
    "contact_companies",
    metadata,
    workspace_column(),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    timestamp_column("created_at"),
    Index("ix_contact_companies_company", "company_id", "contact_id"),
    # Scoped lookups by either side: without these SQLite reads every attachment of the workspace.
    Index("ix_contact_companies_workspace_contact", "workspace_id", "contact_id"),
    Index("ix_contact_companies_workspace_company", "workspace_id", "company_id"),
)

company_tags = Table(
    "company_tags",
    metadata,
    workspace_column(),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    timestamp_column("applied_at"),
    Index("ix_company_tags_workspace_company", "workspace_id", "company_id"),
)


async def get_company(uow: UnitOfWork, company_id: str) -> Any:
    return await uow.one_or_none(uow.select(companies).where(companies.c.id == company_id))


async def find_by_company_id(uow: UnitOfWork, company_id: str) -> Any:
    return await uow.one_or_none(uow.select(companies).where(companies.c.company_id == company_id))


async def insert_company(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(companies).values(**values))


async def update_company(uow: UnitOfWork, company_id: str, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(companies).where(companies.c.id == company_id).values(**values))


async def delete_company(uow: UnitOfWork, company_id: str) -> None:
    await uow.execute(uow.delete(companies).where(companies.c.id == company_id))


async def counts_for(uow: UnitOfWork, company_ids: list[str]) -> dict[str, int]:
    if not company_ids:
        return {}
    rows = await uow.all(
        uow.select(contact_companies, contact_companies.c.company_id, func.count().label("n"))
        .where(contact_companies.c.company_id.in_(company_ids))
        .group_by(contact_companies.c.company_id)
    )
    return {r["company_id"]: int(r["n"]) for r in rows}


async def tags_for(uow: UnitOfWork, company_ids: list[str]) -> list[Any]:
    if not company_ids:
        return []
    return await uow.all(
        uow.select(company_tags, company_tags.c.company_id, tags.c.id, tags.c.name)
        .join(tags, tags.c.id == company_tags.c.tag_id)
        .where(company_tags.c.company_id.in_(company_ids))
        .order_by(company_tags.c.applied_at, tags.c.id)
    )


async def find_tagging(uow: UnitOfWork, company_id: str, tag_id: int) -> Any:
    return await uow.one_or_none(
        uow.select(company_tags).where(company_tags.c.company_id == company_id, company_tags.c.tag_id == tag_id)
    )


async def tag_company(uow: UnitOfWork, company_id: str, tag_id: int, applied_at: int) -> None:
    exists = await uow.one_or_none(
        uow.select(company_tags).where(company_tags.c.company_id == company_id, company_tags.c.tag_id == tag_id)
    )
    if exists is None:
        await uow.execute(uow.insert(company_tags).values(company_id=company_id, tag_id=tag_id, applied_at=applied_at))


async def untag_company(uow: UnitOfWork, company_id: str, tag_id: int) -> None:
    await uow.execute(
        uow.delete(company_tags).where(company_tags.c.company_id == company_id, company_tags.c.tag_id == tag_id)
    )


async def companies_of(uow: UnitOfWork, contact_ids: list[str]) -> list[Any]:
    """(contact_id, company row) pairs for the contacts, in attachment order."""
    if not contact_ids:
        return []
    return await uow.all(
        uow.select(contact_companies, contact_companies.c.contact_id, *companies.c)
        .join(companies, companies.c.id == contact_companies.c.company_id)
        .where(contact_companies.c.contact_id.in_(contact_ids))
        .order_by(contact_companies.c.created_at, companies.c.id)
    )


async def companies_page(uow: UnitOfWork, contact_id: str, offset: int, limit: int) -> tuple[list[Any], int]:
    """A page of the companies a contact is attached to, in attachment order, and how many there are."""
    stmt = (
        uow.select(contact_companies, *companies.c)
        .join(companies, companies.c.id == contact_companies.c.company_id)
        .where(contact_companies.c.contact_id == contact_id)
    )
    ordered = stmt.order_by(contact_companies.c.created_at, companies.c.id)
    return await uow.all(ordered.offset(offset).limit(limit)), await uow.count(stmt)


async def find_attachment(uow: UnitOfWork, contact_id: str, company_id: str) -> Any:
    return await uow.one_or_none(
        uow.select(contact_companies).where(
            contact_companies.c.contact_id == contact_id, contact_companies.c.company_id == company_id
        )
    )


async def attach(uow: UnitOfWork, contact_id: str, company_id: str, created_at: int) -> None:
    await uow.execute(
        uow.insert(contact_companies).values(contact_id=contact_id, company_id=company_id, created_at=created_at)
    )


async def detach(uow: UnitOfWork, contact_id: str, company_id: str) -> None:
    await uow.execute(
        uow.delete(contact_companies).where(
            contact_companies.c.contact_id == contact_id, contact_companies.c.company_id == company_id
        )
    )


async def company_count_of_contact(uow: UnitOfWork, contact_id: str) -> int:
    return await uow.count(uow.select(contact_companies).where(contact_companies.c.contact_id == contact_id))


def contact_ids_of_company(uow: UnitOfWork, company_id: str) -> Any:
    return uow.select(contact_companies, contact_companies.c.contact_id).where(
        contact_companies.c.company_id == company_id
    )


async def related_of(uow: UnitOfWork, company_ids: list[str], note_limit: int) -> list[Any]:
    """What companies embed, for many in one statement: rows (company_id, kind, item, name, total) with
    kind `users` (total: attached contacts), `tags` (every tag: item its id, name its name, in tagging
    order) or `notes` (the newest `note_limit`, total: how many in all)."""
    if not company_ids:
        return []
    cc, ct, n = contact_companies, company_tags, notes
    users = (
        uow.select(
            cc,
            cc.c.company_id.label("company_id"),
            literal("users").label("kind"),
            literal(None, String).label("item"),
            literal(None, String).label("name"),
            literal(1).label("rn"),
            func.count().label("total"),
        )
        .where(cc.c.company_id.in_(company_ids))
        .group_by(cc.c.company_id)
    )
    tagged = (
        uow.select(
            ct,
            ct.c.company_id.label("company_id"),
            literal("tags").label("kind"),
            cast(tags.c.id, String).label("item"),
            tags.c.name.label("name"),
            func.row_number().over(partition_by=ct.c.company_id, order_by=[ct.c.applied_at, tags.c.id]).label("rn"),
            literal(0).label("total"),
        )
        .join(tags, tags.c.id == ct.c.tag_id)
        .where(ct.c.company_id.in_(company_ids))
    )
    noted = uow.select(
        n,
        n.c.company_id.label("company_id"),
        literal("notes").label("kind"),
        cast(n.c.id, String).label("item"),
        literal(None, String).label("name"),
        func.row_number().over(partition_by=n.c.company_id, order_by=n.c.id.desc()).label("rn"),
        func.count().over(partition_by=n.c.company_id).label("total"),
    ).where(n.c.company_id.in_(company_ids))
    inner = union_all(users, tagged, noted).subquery("related")
    stmt = (
        select(inner)
        .where((inner.c.kind != "notes") | (inner.c.rn <= note_limit))
        .order_by(inner.c.company_id, inner.c.kind, inner.c.rn)
    )
    return await uow.all(stmt)
