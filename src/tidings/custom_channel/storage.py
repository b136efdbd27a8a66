"""Custom channel state: the workspace's integration settings, the external ↔ Intercom conversation
map (with what Fin is waiting for in each conversation), and the inbound events already handled.

An inbound `event_id` is claimed in the request's transaction before anything else is written
(`claim_event`), so two deliveries of one event, even concurrent ones, change things once: the
second waits on the unique key, then finds the first's stored answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, BigId, JsonType, id_column, metadata, timestamp_column

custom_channel_settings = Table(
    "custom_channel_settings",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("webhook_url", String(2048), nullable=False),
    Column("webhook_secret", String(255), nullable=False),
    Column("auth_token", String(1024), nullable=True),
    Column("fin_enabled", Boolean, nullable=False, default=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)

# Fin's part in a conversation: answering, or out of it once the team has it.
FIN_ACTIVE = "active"
FIN_HANDED_OVER = "handed_over"

custom_channel_conversations = Table(
    "custom_channel_conversations",
    metadata,
    id_column(),
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("external_conversation_id", String(255), nullable=False),
    Column("conversation_id", BigId, nullable=False),
    Column("contact_id", String(24), nullable=False),
    Column("fin_state", String(16), nullable=False),
    # What the conversation waits for from the integrator: `{"quick_reply_options": [{"uuid", "text"}],
    # "asked_by": "fin"|"admin"}` and/or `{"attribute": {"id", "target", "then"}}`.
    Column("pending", JsonType, nullable=False),
    timestamp_column("created_at"),
    UniqueConstraint("workspace_id", "external_conversation_id", name="uq_custom_channel_conversations_external"),
    Index("ix_custom_channel_conversations_conversation", "workspace_id", "conversation_id"),
)

custom_channel_inbound_events = Table(
    "custom_channel_inbound_events",
    metadata,
    id_column(),
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String(255), nullable=False),
    # sha256 of the operation and the request body: the same event_id with another body is a conflict.
    Column("fingerprint", String(64), nullable=False),
    Column("response", JsonType, nullable=True),
    timestamp_column("created_at"),
    UniqueConstraint("workspace_id", "event_id", name="uq_custom_channel_inbound_events_event"),
)


# Settings.
async def get_settings(uow: UnitOfWork) -> Any:
    return await uow.one_or_none(uow.select(custom_channel_settings))


async def save_settings(uow: UnitOfWork, values: dict[str, Any], exists: bool) -> None:
    if exists:
        await uow.execute(uow.update(custom_channel_settings).values(**values))
    else:
        await uow.execute(uow.insert(custom_channel_settings).values(**values))


# Conversations.
async def find_by_external_id(uow: UnitOfWork, external_conversation_id: str) -> Any:
    return await uow.one_or_none(
        uow.select(custom_channel_conversations).where(
            custom_channel_conversations.c.external_conversation_id == external_conversation_id
        )
    )


async def find_by_conversation(uow: UnitOfWork, conversation_id: int) -> Any:
    return await uow.one_or_none(
        uow.select(custom_channel_conversations).where(
            custom_channel_conversations.c.conversation_id == conversation_id
        )
    )


async def insert_conversation(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(custom_channel_conversations).values(**values))


async def update_conversation(uow: UnitOfWork, mapping_id: int, values: dict[str, Any]) -> None:
    await uow.execute(
        uow.update(custom_channel_conversations).where(custom_channel_conversations.c.id == mapping_id).values(**values)
    )


# Inbound events.
async def claim_event(uow: UnitOfWork, event_id: str, fingerprint: str, created_at: int) -> int | None:
    """Insert the event's row; None when it was already there (a repeat: read it with `get_event`)."""
    insert = postgresql_insert if uow.dialect == "postgresql" else sqlite_insert
    stmt = (
        uow.numbered(insert(custom_channel_inbound_events), custom_channel_inbound_events)
        .values(workspace_id=uow.workspace_id, event_id=event_id, fingerprint=fingerprint, created_at=created_at)
        .on_conflict_do_nothing(index_elements=["workspace_id", "event_id"])
        .returning(custom_channel_inbound_events.c.id)
    )
    return await uow.scalar(stmt)


async def get_event(uow: UnitOfWork, event_id: str) -> Any:
    return await uow.one_or_none(
        uow.select(custom_channel_inbound_events).where(custom_channel_inbound_events.c.event_id == event_id)
    )


async def store_response(uow: UnitOfWork, row_id: int, response: dict[str, Any]) -> None:
    await uow.execute(
        uow.update(custom_channel_inbound_events)
        .where(custom_channel_inbound_events.c.id == row_id)
        .values(response=response)
    )
