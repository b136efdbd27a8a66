"""Tickets: ticket types with their attributes and states, tickets, their attribute values, parts and tags.

Ticket states are workspace-wide (Intercom's defaults are created lazily, at first use, once per
workspace) and linked to the ticket types that use them. Attribute values live one row per
(ticket, attribute), with typed columns beside the JSON value so search can compare them in SQL.
Links between a ticket and a conversation (`conversation_to_link_id`, or a conversion) are one
`ticket_links` row each, read from both sides.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects import postgresql, sqlite

from tidings.conversations.storage import conversations
from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, JsonType, id_column, metadata, timestamp_column, workspace_column

ticket_types = Table(
    "ticket_types",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False),
    Column("icon", String(64), nullable=False),
    Column("category", String(16), nullable=False),
    Column("is_internal", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)

ticket_type_attributes = Table(
    "ticket_type_attributes",
    metadata,
    id_column(),
    workspace_column(),
    Column("ticket_type_id", ForeignKey("ticket_types.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False),
    Column("data_type", String(16), nullable=False),
    # string: multiline; list: list_options [{id, label}]; files: allow_multiple_values.
    Column("input_options", JsonType, nullable=True),
    Column("order", Integer, nullable=False),
    Column("required_to_create", Boolean, nullable=False, default=False),
    Column("required_to_create_for_contacts", Boolean, nullable=False, default=False),
    Column("visible_on_create", Boolean, nullable=False, default=True),
    Column("visible_to_contacts", Boolean, nullable=False, default=True),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)

ticket_states = Table(
    "ticket_states",
    metadata,
    id_column(),
    workspace_column(),
    Column("category", String(32), nullable=False),
    Column("internal_label", String(255), nullable=False),
    Column("external_label", String(255), nullable=False),
    # The category for Intercom's built-in states, so lazily creating them twice is a no-op.
    Column("default_key", String(32), nullable=True),
    Column("archived", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    UniqueConstraint("workspace_id", "default_key", name="uq_ticket_states_workspace_default"),
)

ticket_type_states = Table(
    "ticket_type_states",
    metadata,
    workspace_column(),
    Column("ticket_type_id", ForeignKey("ticket_types.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_state_id", ForeignKey("ticket_states.id", ondelete="CASCADE"), primary_key=True),
)

# The inbox number (`ticket_id`) is counted per workspace; the row id (`id`) is global.
ticket_numbers = Table(
    "ticket_numbers",
    metadata,
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("last_number", BigId, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    id_column(),
    workspace_column(),
    Column("number", BigId, nullable=False),
    Column("ticket_type_id", ForeignKey("ticket_types.id"), nullable=False),
    Column("ticket_state_id", ForeignKey("ticket_states.id"), nullable=False),
    Column("previous_ticket_state_id", BigId, nullable=True),
    Column("contact_id", String(24), nullable=True),
    Column("company_id", String(255), nullable=True),
    Column("admin_assignee_id", BigId, nullable=True),
    Column("team_assignee_id", BigId, nullable=True),
    Column("open", Boolean, nullable=False, default=True),
    Column("is_shared", Boolean, nullable=False, default=False),
    timestamp_column("snoozed_until", nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    UniqueConstraint("workspace_id", "number", name="uq_tickets_workspace_number"),
    Index("ix_tickets_workspace_created", "workspace_id", "created_at", "id"),
)

ticket_attribute_values = Table(
    "ticket_attribute_values",
    metadata,
    workspace_column(),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("attribute_id", ForeignKey("ticket_type_attributes.id", ondelete="CASCADE"), primary_key=True),
    Column("value", JsonType, nullable=True),
    # Typed copies for search: text (string, list label, list option id), number, boolean.
    Column("text_value", Text, nullable=True),
    Column("option_id", String(64), nullable=True),
    Column("number_value", Float, nullable=True),
    Column("bool_value", Boolean, nullable=True),
    Index("ix_ticket_attribute_values_attribute", "attribute_id"),
)

ticket_parts = Table(
    "ticket_parts",
    metadata,
    id_column(),
    workspace_column(),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("part_type", String(64), nullable=False),
    Column("body", Text, nullable=True),
    Column("previous_ticket_state", String(32), nullable=True),
    Column("ticket_state", String(32), nullable=True),
    Column("assigned_to", JsonType, nullable=True),
    Column("author_type", String(16), nullable=False),
    Column("author_id", String(32), nullable=True),
    Column("attachments", JsonType, nullable=False),
    Column("reply_options", JsonType, nullable=True),
    Column("updated_attribute_data", JsonType, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_ticket_parts_ticket", "ticket_id", "id"),
)

ticket_tags = Table(
    "ticket_tags",
    metadata,
    workspace_column(),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("applied_by_admin_id", BigId, nullable=True),
    timestamp_column("applied_at"),
)

# A ticket linked to a conversation: `linked` by `conversation_to_link_id`, or `converted` from it.
ticket_links = Table(
    "ticket_links",
    metadata,
    id_column(),
    workspace_column(),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("conversation_id", ForeignKey(conversations.c.id, ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    timestamp_column("created_at"),
    UniqueConstraint("ticket_id", "conversation_id", name="uq_ticket_links_ticket_conversation"),
    Index("ix_ticket_links_conversation", "conversation_id", "id"),
)


def _insert_ignoring_conflicts(uow: UnitOfWork, table: Table) -> Any:
    """An INSERT that skips rows clashing with a unique key (lazy, race-free creation of defaults)."""
    dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    return uow.numbered(dialect_insert(table), table).on_conflict_do_nothing()


async def _returning_id(uow: UnitOfWork, table: Table, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(table).values(**values).returning(table.c.id))
    return int(result.scalar_one())


# Ticket states.
async def insert_default_states(uow: UnitOfWork, states: list[dict[str, Any]]) -> None:
    stmt = _insert_ignoring_conflicts(uow, ticket_states)
    await uow.execute(stmt, [{"workspace_id": uow.workspace_id, **state} for state in states])


async def list_states(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(ticket_states).order_by(ticket_states.c.id))


async def link_states(uow: UnitOfWork, ticket_type_id: int, state_ids: list[int]) -> None:
    rows = [
        {"workspace_id": uow.workspace_id, "ticket_type_id": ticket_type_id, "ticket_state_id": s} for s in state_ids
    ]
    await uow.execute(uow.insert(ticket_type_states), rows)


async def state_links(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(ticket_type_states))


async def state_ids_of_type(uow: UnitOfWork, ticket_type_id: int) -> list[int]:
    rows = await uow.all(uow.select(ticket_type_states).where(ticket_type_states.c.ticket_type_id == ticket_type_id))
    return [int(r["ticket_state_id"]) for r in rows]


# Ticket types and their attributes.
async def insert_type(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return await _returning_id(uow, ticket_types, values)


async def get_type(uow: UnitOfWork, ticket_type_id: int) -> Any:
    return await uow.one_or_none(uow.select(ticket_types).where(ticket_types.c.id == ticket_type_id))


async def list_types(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(ticket_types).order_by(ticket_types.c.id))


async def update_type(uow: UnitOfWork, ticket_type_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(ticket_types).where(ticket_types.c.id == ticket_type_id).values(**values))


async def insert_attribute(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return await _returning_id(uow, ticket_type_attributes, values)


async def get_attribute(uow: UnitOfWork, attribute_id: int) -> Any:
    return await uow.one_or_none(uow.select(ticket_type_attributes).where(ticket_type_attributes.c.id == attribute_id))


async def attributes_by_id(uow: UnitOfWork, attribute_ids: list[int]) -> list[Any]:
    return await uow.all(uow.select(ticket_type_attributes).where(ticket_type_attributes.c.id.in_(attribute_ids)))


async def attributes_of(uow: UnitOfWork, ticket_type_ids: list[int]) -> list[Any]:
    attrs = ticket_type_attributes
    return await uow.all(
        uow.select(attrs).where(attrs.c.ticket_type_id.in_(ticket_type_ids)).order_by(attrs.c.order, attrs.c.id)
    )


async def next_attribute_order(uow: UnitOfWork, ticket_type_id: int) -> int:
    attrs = ticket_type_attributes
    highest = await uow.scalar(
        uow.select(attrs, func.max(attrs.c.order)).where(attrs.c.ticket_type_id == ticket_type_id)
    )
    return int(highest) + 1 if highest is not None else 0


async def update_attribute(uow: UnitOfWork, attribute_id: int, values: dict[str, Any]) -> None:
    attrs = ticket_type_attributes
    await uow.execute(uow.update(attrs).where(attrs.c.id == attribute_id).values(**values))


# Tickets.
async def next_ticket_number(uow: UnitOfWork) -> int:
    """The workspace's next inbox number; the row lock on the counter serialises concurrent creates."""
    await uow.execute(
        _insert_ignoring_conflicts(uow, ticket_numbers).values(workspace_id=uow.workspace_id, last_number=0)
    )
    result = await uow.execute(
        uow.update(ticket_numbers)
        .values(last_number=ticket_numbers.c.last_number + 1)
        .returning(ticket_numbers.c.last_number)
    )
    return int(result.scalar_one())


async def insert_ticket(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return await _returning_id(uow, tickets, values)


async def get_ticket(uow: UnitOfWork, ticket_id: int) -> Any:
    return await uow.one_or_none(uow.select(tickets).where(tickets.c.id == ticket_id))


async def update_ticket(uow: UnitOfWork, ticket_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(tickets).where(tickets.c.id == ticket_id).values(**values))


async def delete_ticket(uow: UnitOfWork, ticket_id: int) -> None:
    for table in (ticket_links, ticket_tags, ticket_parts, ticket_attribute_values):
        await uow.execute(uow.delete(table).where(table.c.ticket_id == ticket_id))
    await uow.execute(uow.delete(tickets).where(tickets.c.id == ticket_id))


async def attribute_values(uow: UnitOfWork, ticket_ids: list[int]) -> list[Any]:
    values = ticket_attribute_values
    return await uow.all(uow.select(values).where(values.c.ticket_id.in_(ticket_ids)))


async def replace_attribute_values(uow: UnitOfWork, ticket_id: int, rows: list[dict[str, Any]]) -> None:
    """Set the given attributes' values (a row per attribute), leaving other attributes untouched."""
    if not rows:
        return
    values = ticket_attribute_values
    await uow.execute(
        uow.delete(values).where(
            values.c.ticket_id == ticket_id, values.c.attribute_id.in_([r["attribute_id"] for r in rows])
        )
    )
    await uow.execute(
        uow.insert(values), [{"workspace_id": uow.workspace_id, "ticket_id": ticket_id, **row} for row in rows]
    )


async def clear_attribute_values(uow: UnitOfWork, ticket_id: int) -> None:
    values = ticket_attribute_values
    await uow.execute(uow.delete(values).where(values.c.ticket_id == ticket_id))


async def insert_part(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return await _returning_id(uow, ticket_parts, {"attachments": [], **values})


async def insert_parts(uow: UnitOfWork, ticket_id: int, rows: list[dict[str, Any]]) -> None:
    """Several parts at once, in order (rows with the same keys)."""
    if rows:
        await uow.execute(
            uow.insert(ticket_parts),
            [{"workspace_id": uow.workspace_id, "ticket_id": ticket_id, **row} for row in rows],
        )


async def get_part(uow: UnitOfWork, part_id: int) -> Any:
    return await uow.one_or_none(uow.select(ticket_parts).where(ticket_parts.c.id == part_id))


async def parts_of(uow: UnitOfWork, ticket_ids: list[int]) -> list[Any]:
    parts = ticket_parts
    return await uow.all(uow.select(parts).where(parts.c.ticket_id.in_(ticket_ids)).order_by(parts.c.id))


# Tags on tickets.
async def get_ticket_tag(uow: UnitOfWork, ticket_id: int, tag_id: int) -> Any:
    return await uow.one_or_none(
        uow.select(ticket_tags).where(ticket_tags.c.ticket_id == ticket_id, ticket_tags.c.tag_id == tag_id)
    )


async def insert_ticket_tag(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(ticket_tags).values(**values))


async def delete_ticket_tag(uow: UnitOfWork, ticket_id: int, tag_id: int) -> None:
    await uow.execute(
        uow.delete(ticket_tags).where(ticket_tags.c.ticket_id == ticket_id, ticket_tags.c.tag_id == tag_id)
    )


# Links to conversations.
async def insert_link(uow: UnitOfWork, ticket_id: int, conversation_id: int, kind: str, created_at: int) -> None:
    await uow.execute(
        uow.insert(ticket_links).values(
            ticket_id=ticket_id, conversation_id=conversation_id, kind=kind, created_at=created_at
        )
    )


async def links_of_tickets(uow: UnitOfWork, ticket_ids: list[int]) -> list[Any]:
    """The links of these tickets, oldest first."""
    return await uow.all(
        uow.select(ticket_links).where(ticket_links.c.ticket_id.in_(ticket_ids)).order_by(ticket_links.c.id)
    )


async def links_of_conversations(uow: UnitOfWork, conversation_ids: list[int]) -> list[Any]:
    """The links of these conversations, oldest first, each with its ticket's type category."""
    stmt = (
        uow.select(ticket_links, *ticket_links.c, ticket_types.c.category)
        .join(tickets, tickets.c.id == ticket_links.c.ticket_id)
        .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
        .where(ticket_links.c.conversation_id.in_(conversation_ids))
        .order_by(ticket_links.c.id)
    )
    return await uow.all(stmt)


async def conversion_of(uow: UnitOfWork, conversation_id: int) -> Any:
    """The link of the ticket the conversation was converted to, if it was."""
    return await uow.one_or_none(
        uow.select(ticket_links).where(
            ticket_links.c.conversation_id == conversation_id, ticket_links.c.kind == "converted"
        )
    )


async def delete_links_of_conversation(uow: UnitOfWork, conversation_id: int) -> None:
    await uow.execute(uow.delete(ticket_links).where(ticket_links.c.conversation_id == conversation_id))
