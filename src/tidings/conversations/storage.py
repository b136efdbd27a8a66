"""Conversations, their parts, participants, tags; admin-initiated messages; deleted conversation ids.

A conversation's source (the opening message) lives on the conversation row, in `source_*` columns
so that search can filter on it. Statistics are stored in `stat_*` columns, recomputed by the
service from the parts whenever a part is added (see `statistics.py`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, func

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, JsonType, id_column, metadata, timestamp_column, workspace_column
from tidings.tags.storage import tags

STAT_TIMESTAMPS = (
    "first_contact_reply_at",
    "first_assignment_at",
    "first_admin_reply_at",
    "first_close_at",
    "last_assignment_at",
    "last_assignment_admin_reply_at",
    "last_contact_reply_at",
    "last_admin_reply_at",
    "last_close_at",
)
STAT_DURATIONS = (
    "time_to_assignment",
    "time_to_admin_reply",
    "time_to_first_close",
    "time_to_last_close",
    "median_time_to_reply",
    "handling_time",
)
STAT_COUNTS = ("count_reopens", "count_assignments", "count_conversation_parts")

conversations = Table(
    "conversations",
    metadata,
    id_column(),
    workspace_column(),
    Column("title", String(255), nullable=True),
    Column("state", String(16), nullable=False),
    Column("open", Boolean, nullable=False),
    Column("read", Boolean, nullable=False),
    Column("priority", String(16), nullable=False),
    timestamp_column("waiting_since", nullable=True),
    timestamp_column("snoozed_until", nullable=True),
    Column("admin_assignee_id", Integer, nullable=True),
    Column("team_assignee_id", Integer, nullable=True),
    Column("company_id", String(64), nullable=True),
    Column("custom_attributes", JsonType, nullable=False),
    Column("ai_agent_participated", Boolean, nullable=False, default=False),
    # The opening message.
    Column("source_id", String(32), nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("source_delivered_as", String(32), nullable=False),
    Column("source_subject", String(1024), nullable=False, default=""),
    Column("source_body", Text, nullable=False, default=""),
    # The body's words, lower-cased and space-padded: `source.body` search matches whole words.
    Column("source_words", Text, nullable=False, default=" "),
    Column("source_author_type", String(16), nullable=False),
    Column("source_author_id", String(32), nullable=False),
    Column("source_url", String(1024), nullable=True),
    Column("source_attachments", JsonType, nullable=False),
    Column("source_redacted", Boolean, nullable=False, default=False),
    *(timestamp_column(f"stat_{name}", nullable=True) for name in STAT_TIMESTAMPS),
    *(Column(f"stat_{name}", Integer, nullable=True) for name in STAT_DURATIONS),
    *(Column(f"stat_{name}", Integer, nullable=False, default=0) for name in STAT_COUNTS),
    Column("stat_last_closed_by_id", String(32), nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_conversations_workspace_updated", "workspace_id", "updated_at", "id"),
    # Deleted conversation ids are listed and announced: SQLite must never hand one out again.
    sqlite_autoincrement=True,
)

conversation_parts = Table(
    "conversation_parts",
    metadata,
    id_column(),
    workspace_column(),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("part_type", String(64), nullable=False),
    Column("body", Text, nullable=True),
    Column("author_type", String(16), nullable=False),
    Column("author_id", String(32), nullable=False),
    # Bots (Fin) and other non-row authors carry their display name on the part.
    Column("author_name", String(255), nullable=True),
    Column("assigned_to_type", String(16), nullable=True),
    Column("assigned_to_id", String(32), nullable=True),
    Column("attachments", JsonType, nullable=False),
    Column("external_id", String(255), nullable=True),
    Column("redacted", Boolean, nullable=False, default=False),
    Column("state", String(16), nullable=False),
    Column("metadata", JsonType, nullable=True),
    Column("event_details", JsonType, nullable=True),
    Column("send_state", String(32), nullable=True),
    Column("admin_seen", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    timestamp_column("notified_at"),
    Index("ix_conversation_parts_conversation", "conversation_id", "id"),
    sqlite_autoincrement=True,
)

conversation_contacts = Table(
    "conversation_contacts",
    metadata,
    id_column(),
    workspace_column(),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("contact_id", String(24), nullable=False),
    Index("ix_conversation_contacts_conversation", "conversation_id", "contact_id", unique=True),
    Index("ix_conversation_contacts_contact", "contact_id"),
)

conversation_tags = Table(
    "conversation_tags",
    metadata,
    id_column(),
    workspace_column(),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("tag_id", BigId, ForeignKey("tags.id", ondelete="CASCADE"), nullable=False),
    Column("applied_by_type", String(16), nullable=False),
    Column("applied_by_id", String(32), nullable=False),
    timestamp_column("applied_at"),
    Index("ix_conversation_tags_conversation", "conversation_id", "tag_id", unique=True),
)

deleted_conversations = Table(
    "deleted_conversations",
    metadata,
    Column("conversation_id", BigId, primary_key=True),
    workspace_column(),
    Column("metrics_retained", Boolean, nullable=False),
    timestamp_column("deleted_at"),
)

# Messages: contact-initiated ones open a conversation; admin-initiated ones may (on request).
messages = Table(
    "messages",
    metadata,
    id_column(),
    workspace_column(),
    Column("message_type", String(16), nullable=False),
    Column("subject", String(1024), nullable=True),
    Column("body", Text, nullable=True),
    Column("template", String(255), nullable=True),
    Column("from_type", String(16), nullable=False),
    Column("from_id", String(32), nullable=False),
    Column("recipients", JsonType, nullable=False),
    Column("conversation_id", BigId, nullable=True),
    # WhatsApp delivery tracking (`GET /messages/status`, `/messages/whatsapp/status`).
    Column("ruleset_id", String(32), nullable=True),
    Column("whatsapp_message_id", String(64), nullable=True),
    Column("delivery_status", String(16), nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_messages_ruleset", "workspace_id", "ruleset_id", "id"),
    Index("ix_messages_whatsapp_id", "workspace_id", "whatsapp_message_id"),
)


# Conversations.
async def insert_conversation(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(conversations).values(**values).returning(conversations.c.id))
    return int(result.scalar_one())


async def get_conversation(uow: UnitOfWork, conversation_id: int) -> Any:
    return await uow.one_or_none(uow.select(conversations).where(conversations.c.id == conversation_id))


async def lock_conversation(uow: UnitOfWork, conversation_id: int) -> Any:
    """The row, locked until commit on PostgreSQL, so concurrent parts see each other (SQLite writers are serial)."""
    return await uow.one_or_none(
        uow.select(conversations).where(conversations.c.id == conversation_id).with_for_update()
    )


async def update_conversation(uow: UnitOfWork, conversation_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(conversations).where(conversations.c.id == conversation_id).values(**values))


async def delete_conversation(uow: UnitOfWork, conversation_id: int) -> None:
    for table in (conversation_parts, conversation_contacts, conversation_tags):
        await uow.execute(uow.delete(table).where(table.c.conversation_id == conversation_id))
    await uow.execute(uow.delete(conversations).where(conversations.c.id == conversation_id))


async def conversations_page(
    uow: UnitOfWork, condition: Any, key: list[Any] | None, limit: int
) -> tuple[list[Any], int]:
    """Most recently updated first, keyset on (updated_at, id); `condition` may be None."""
    base = uow.select(conversations)
    if condition is not None:
        base = base.where(condition)
    total = await uow.count(base)
    stmt = base
    if key is not None:
        updated_at, conversation_id = key
        stmt = stmt.where(
            (conversations.c.updated_at < updated_at)
            | ((conversations.c.updated_at == updated_at) & (conversations.c.id < conversation_id))
        )
    order = (conversations.c.updated_at.desc(), conversations.c.id.desc())
    return await uow.all(stmt.order_by(*order).limit(limit + 1)), total


# Parts.
async def insert_part(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(conversation_parts).values(**values).returning(conversation_parts.c.id))
    return int(result.scalar_one())


async def list_parts(uow: UnitOfWork, conversation_id: int) -> list[Any]:
    return await uow.all(
        uow.select(conversation_parts)
        .where(conversation_parts.c.conversation_id == conversation_id)
        .order_by(conversation_parts.c.id)
    )


async def teammate_ids_by_conversation(uow: UnitOfWork, conversation_ids: list[int]) -> dict[int, list[str]]:
    """Per conversation, the admins who wrote a part, in order of their first part."""
    p = conversation_parts.c
    rows = await uow.all(
        uow.select(conversation_parts, p.conversation_id, p.author_id, func.min(p.id).label("first_part"))
        .where(p.conversation_id.in_(conversation_ids), p.author_type == "admin")
        .group_by(p.conversation_id, p.author_id)
        .order_by(func.min(p.id))
    )
    return _grouped(rows, "author_id")


def _grouped(rows: list[Any], value: str | None = None) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row["conversation_id"], []).append(row[value] if value else row)
    return grouped


async def last_part_of_type(uow: UnitOfWork, conversation_id: int, part_type: str) -> Any:
    p = conversation_parts.c
    return await uow.one_or_none(
        uow.select(conversation_parts)
        .where(p.conversation_id == conversation_id, p.part_type == part_type)
        .order_by(p.id.desc())
        .limit(1)
    )


async def get_part(uow: UnitOfWork, conversation_id: int, part_id: int) -> Any:
    return await uow.one_or_none(
        uow.select(conversation_parts).where(
            conversation_parts.c.conversation_id == conversation_id, conversation_parts.c.id == part_id
        )
    )


async def update_part(uow: UnitOfWork, part_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(conversation_parts).where(conversation_parts.c.id == part_id).values(**values))


# Participants.
async def contact_ids(uow: UnitOfWork, conversation_id: int) -> list[str]:
    rows = await uow.all(
        uow.select(conversation_contacts, conversation_contacts.c.contact_id)
        .where(conversation_contacts.c.conversation_id == conversation_id)
        .order_by(conversation_contacts.c.id)
    )
    return [r["contact_id"] for r in rows]


async def contact_ids_by_conversation(uow: UnitOfWork, conversation_ids: list[int]) -> dict[int, list[str]]:
    c = conversation_contacts.c
    rows = await uow.all(
        uow.select(conversation_contacts, c.conversation_id, c.contact_id)
        .where(c.conversation_id.in_(conversation_ids))
        .order_by(c.id)
    )
    return _grouped(rows, "contact_id")


async def add_contact(uow: UnitOfWork, conversation_id: int, contact_id: str) -> None:
    await uow.execute(uow.insert(conversation_contacts).values(conversation_id=conversation_id, contact_id=contact_id))


async def remove_contact(uow: UnitOfWork, conversation_id: int, contact_id: str) -> None:
    await uow.execute(
        uow.delete(conversation_contacts).where(
            conversation_contacts.c.conversation_id == conversation_id,
            conversation_contacts.c.contact_id == contact_id,
        )
    )


# Tags.
async def applied_tags_by_conversation(uow: UnitOfWork, conversation_ids: list[int]) -> dict[int, list[Any]]:
    """Per conversation, its tag applications with the tag's name."""
    t = conversation_tags.c
    rows = await uow.all(
        uow.select(
            conversation_tags,
            t.conversation_id,
            t.tag_id,
            t.applied_at,
            t.applied_by_type,
            t.applied_by_id,
            tags.c.name,
        )
        .join(tags, tags.c.id == t.tag_id)
        .where(t.conversation_id.in_(conversation_ids))
        .order_by(t.id)
    )
    return _grouped(rows)


async def get_conversation_tag(uow: UnitOfWork, conversation_id: int, tag_id: int) -> Any:
    return await uow.one_or_none(
        uow.select(conversation_tags).where(
            conversation_tags.c.conversation_id == conversation_id, conversation_tags.c.tag_id == tag_id
        )
    )


async def insert_conversation_tag(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(conversation_tags).values(**values))


async def delete_conversation_tag(uow: UnitOfWork, conversation_id: int, tag_id: int) -> None:
    await uow.execute(
        uow.delete(conversation_tags).where(
            conversation_tags.c.conversation_id == conversation_id, conversation_tags.c.tag_id == tag_id
        )
    )


# Deleted ids.
async def record_deleted(uow: UnitOfWork, conversation_id: int, metrics_retained: bool, deleted_at: int) -> None:
    await uow.execute(
        uow.insert(deleted_conversations).values(
            conversation_id=conversation_id, metrics_retained=metrics_retained, deleted_at=deleted_at
        )
    )


async def deleted_page(uow: UnitOfWork, ascending: bool, offset: int, limit: int) -> tuple[list[Any], int]:
    base = uow.select(deleted_conversations)
    total = await uow.count(base)
    column = deleted_conversations.c.conversation_id
    rows = await uow.all(base.order_by(column.asc() if ascending else column.desc()).offset(offset).limit(limit))
    return rows, total


# Messages.
async def insert_message(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(messages).values(**values).returning(messages.c.id))
    return int(result.scalar_one())


async def update_message(uow: UnitOfWork, message_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(messages).where(messages.c.id == message_id).values(**values))


async def whatsapp_page(uow: UnitOfWork, ruleset_id: str, after_id: int | None, limit: int) -> tuple[list[Any], int]:
    base = uow.select(messages).where(messages.c.ruleset_id == ruleset_id)
    total = await uow.count(base)
    stmt = base if after_id is None else base.where(messages.c.id > after_id)
    return await uow.all(stmt.order_by(messages.c.id).limit(limit + 1)), total


async def find_whatsapp_message(uow: UnitOfWork, whatsapp_message_id: str) -> Any:
    return await uow.one_or_none(uow.select(messages).where(messages.c.whatsapp_message_id == whatsapp_message_id))
