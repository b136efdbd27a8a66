"""Contacts (users and leads): the table and the lookups other areas (conversations, tickets, Fin) use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, and_, bindparam, or_, select

from tidings.core import clock
from tidings.core.ids import hex24
from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, metadata, timestamp_column, workspace_column
from tidings.db.prepared import PreparedRead
from tidings.tags.storage import tags

contacts = Table(
    "contacts",
    metadata,
    Column("id", String(24), primary_key=True),
    workspace_column(),
    Column("role", String(16), nullable=False),
    Column("external_id", String(255), nullable=True),
    Column("email", String(255), nullable=True),
    Column("email_key", String(255), nullable=True),
    Column("email_domain", String(255), nullable=True),
    Column("phone", String(64), nullable=True),
    Column("name", String(255), nullable=True),
    Column("avatar", String(1024), nullable=True),
    Column("owner_id", Integer, nullable=True),
    Column("has_hard_bounced", Boolean, nullable=False, default=False),
    Column("marked_email_as_spam", Boolean, nullable=False, default=False),
    Column("unsubscribed_from_emails", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    timestamp_column("signed_up_at", nullable=True),
    timestamp_column("last_seen_at", nullable=True),
    timestamp_column("last_replied_at", nullable=True),
    timestamp_column("last_contacted_at", nullable=True),
    timestamp_column("last_email_opened_at", nullable=True),
    timestamp_column("last_email_clicked_at", nullable=True),
    Column("language_override", String(16), nullable=True),
    Column("browser", String(64), nullable=True),
    Column("browser_version", String(64), nullable=True),
    Column("browser_language", String(16), nullable=True),
    Column("os", String(64), nullable=True),
    Column("location", JsonType, nullable=True),
    # Device fields (android_*, ios_*) and other rarely-set standard fields.
    Column("device", JsonType, nullable=True),
    Column("custom_attributes", JsonType, nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("blocked", Boolean, nullable=False, default=False),
    # A merged lead points at the user it was merged into; merged contacts leave lists and search.
    Column("merged_into_id", String(24), nullable=True),
    Index("ix_contacts_workspace_email", "workspace_id", "email_key"),
    Index("ix_contacts_workspace_external_id", "workspace_id", "external_id"),
    Index("ix_contacts_workspace_created", "workspace_id", "created_at", "id"),
    Index("ix_contacts_workspace_updated", "workspace_id", "updated_at"),
    Index("ix_contacts_workspace_last_seen", "workspace_id", "last_seen_at"),
    Index("ix_contacts_workspace_email_domain", "workspace_id", "email_domain"),
    # Search compares `email` as given (exact); lookups use `email_key`.
    Index("ix_contacts_workspace_email_exact", "workspace_id", "email"),
)

# The keys of the contacts lists and searches show (`contacts.service.visible`): a search that
# gathers ids elsewhere (a tag's contacts, a branch of a counted OR) checks them here, index-only,
# instead of reading each row or scanning the workspace.
Index(
    "ix_contacts_live",
    contacts.c.workspace_id,
    contacts.c.id,
    postgresql_where=and_(contacts.c.merged_into_id.is_(None), contacts.c.archived.is_(False)),
    sqlite_where=and_(contacts.c.merged_into_id.is_(None), contacts.c.archived.is_(False)),
)


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


CONTACT_BY_ID = PreparedRead(
    lambda: select(contacts).where(contacts.c.workspace_id == bindparam("ws"), contacts.c.id == bindparam("id"))
)
LIVE_CONTACT_BY_ID = PreparedRead(
    lambda: select(contacts).where(
        contacts.c.workspace_id == bindparam("ws"),
        contacts.c.id == bindparam("id"),
        contacts.c.merged_into_id.is_(None),
    )
)


async def get_contact(uow: UnitOfWork, contact_id: str) -> Any:
    return await uow.fetch_one(CONTACT_BY_ID, id=contact_id)


async def find_contact(
    uow: UnitOfWork, *, id: str | None = None, external_id: str | None = None, email: str | None = None
) -> Any:
    """The live (not merged) contact matching the first identifier given, or None."""
    if id is not None:
        return await uow.fetch_one(LIVE_CONTACT_BY_ID, id=id)
    stmt = uow.select(contacts).where(contacts.c.merged_into_id.is_(None))
    if id is not None:
        stmt = stmt.where(contacts.c.id == id)
    elif external_id is not None:
        stmt = stmt.where(contacts.c.external_id == external_id)
    elif email is not None:
        stmt = stmt.where(contacts.c.email_key == email_key(email))
    else:
        return None
    return await uow.one_or_none(stmt.order_by(contacts.c.created_at).limit(1))


async def insert_contact(
    uow: UnitOfWork,
    *,
    role: str,
    email: str | None = None,
    external_id: str | None = None,
    name: str | None = None,
    custom_attributes: dict[str, Any] | None = None,
    **fields: Any,
) -> str:
    """Insert a contact row and return its id. Validation and events are the caller's (the service's)."""
    now = clock.now()
    contact_id = hex24()
    await uow.execute(
        uow.insert(contacts).values(
            id=contact_id,
            role=role,
            email=email,
            email_key=email_key(email),
            email_domain=email.rsplit("@", 1)[-1].lower() if email and "@" in email else None,
            external_id=external_id,
            name=name,
            custom_attributes=custom_attributes or {},
            created_at=fields.pop("created_at", None) or now,
            updated_at=now,
            signed_up_at=fields.pop("signed_up_at", None) or (now if role == "user" else None),
            **fields,
        )
    )
    return contact_id


# Tags applied to contacts; deleting the tag or the contact removes the tagging.
contact_tags = Table(
    "contact_tags",
    metadata,
    workspace_column(),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("applied_by_admin_id", Integer, nullable=True),
    timestamp_column("applied_at"),
    Index("ix_contact_tags_tag", "tag_id", "contact_id"),
    # SQLite would otherwise pick the workspace_id index and read every tagging of the workspace.
    Index("ix_contact_tags_workspace_contact", "workspace_id", "contact_id", "applied_at"),
)


async def update_contact(uow: UnitOfWork, contact_id: str, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(contacts).where(contacts.c.id == contact_id).values(**values))


async def delete_contact(uow: UnitOfWork, contact_id: str) -> None:
    await uow.execute(uow.delete(contacts).where(contacts.c.id == contact_id))


async def tags_of(uow: UnitOfWork, contact_ids: list[str]) -> list[Any]:
    """(contact_id, tag row, applied_at, applied_by_admin_id) for the contacts, in tagging order."""
    if not contact_ids:
        return []
    stmt = (
        uow.select(
            contact_tags,
            contact_tags.c.contact_id,
            contact_tags.c.applied_at,
            contact_tags.c.applied_by_admin_id,
            tags.c.id,
            tags.c.name,
        )
        .join(tags, tags.c.id == contact_tags.c.tag_id)
        .where(contact_tags.c.contact_id.in_(contact_ids))
        .order_by(contact_tags.c.applied_at, tags.c.id)
    )
    return await uow.all(stmt)


async def find_tagging(uow: UnitOfWork, contact_id: str, tag_id: int) -> Any:
    return await uow.one_or_none(
        uow.select(contact_tags).where(contact_tags.c.contact_id == contact_id, contact_tags.c.tag_id == tag_id)
    )


async def tag_contact(uow: UnitOfWork, contact_id: str, tag_id: int, admin_id: int | None, applied_at: int) -> None:
    await uow.execute(
        uow.insert(contact_tags).values(
            contact_id=contact_id, tag_id=tag_id, applied_by_admin_id=admin_id, applied_at=applied_at
        )
    )


async def untag_contact(uow: UnitOfWork, contact_id: str, tag_id: int) -> None:
    await uow.execute(
        uow.delete(contact_tags).where(contact_tags.c.contact_id == contact_id, contact_tags.c.tag_id == tag_id)
    )


async def conflicting_contact(
    uow: UnitOfWork, *, role: str, email: str | None, external_id: str | None, except_id: str | None = None
) -> Any:
    """A live contact another would clash with: the same external_id, or a user with the same email."""
    clauses = []
    if external_id:
        clauses.append(contacts.c.external_id == external_id)
    if email and role == "user":
        clauses.append((contacts.c.email_key == email_key(email)) & (contacts.c.role == "user"))
    if not clauses:
        return None
    stmt = uow.select(contacts).where(contacts.c.merged_into_id.is_(None), or_(*clauses))
    if except_id is not None:
        stmt = stmt.where(contacts.c.id != except_id)
    return await uow.one_or_none(stmt.limit(1))


async def find_contact_by_phone(uow: UnitOfWork, phone: str) -> Any:
    """The oldest live contact with this phone number, or None."""
    stmt = uow.select(contacts).where(contacts.c.merged_into_id.is_(None), contacts.c.phone == phone)
    return await uow.one_or_none(stmt.order_by(contacts.c.created_at, contacts.c.id).limit(1))
