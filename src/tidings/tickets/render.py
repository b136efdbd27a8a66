"""Tickets and ticket parts in their API shapes, rendered in batches (one query per table, not per ticket)."""

from __future__ import annotations

from typing import Any

import msgspec

from tidings.admins import storage as admin_storage
from tidings.contacts.storage import get_contact
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.tickets import storage
from tidings.tickets.schemas import (
    ContactReference,
    PartAuthor,
    Reference,
    TicketContacts,
    TicketOut,
    TicketPartList,
    TicketPartOut,
    TicketReplyOut,
)
from tidings.tickets.types_service import Catalog, load_catalog, state_out
from tidings.tickets_conversations import links

MAX_PARTS = 500
REPLY_PARTS = frozenset({"comment", "note", "quick_reply"})


def _assignee(value: int | None) -> str:
    # Intercom shows an unassigned ticket as "0".
    return str(value) if value else "0"


class Authors:
    """Part authors: admins of the workspace, contacts, or the workspace's operator bot."""

    def __init__(self, uow: UnitOfWork, admins: dict[int, Any]) -> None:
        self._uow = uow
        self._admins = admins
        self._contacts: dict[str, Any] = {}

    @classmethod
    async def load(cls, uow: UnitOfWork) -> Authors:
        return cls(uow, {a["id"]: a for a in await admin_storage.list_admins(uow)})

    async def author(self, author_type: str, author_id: str | None) -> PartAuthor:
        if author_type == "admin" and author_id and int(author_id) in self._admins:
            admin = self._admins[int(author_id)]
            return PartAuthor(id=str(admin["id"]), type="admin", name=admin["name"], email=admin["email"])
        if author_type == "user" and author_id:
            if author_id not in self._contacts:
                self._contacts[author_id] = await get_contact(self._uow, author_id)
            contact = self._contacts[author_id]
            if contact is not None:
                email = contact["email"] if contact["email"] else UNSET
                return PartAuthor(id=contact["id"], type="user", name=contact["name"], email=email)
        return PartAuthor(id="0", type="bot", name="Operator", email=f"operator+{self._uow.workspace_id}@tidings.local")


async def part_out(row: Any, authors: Authors) -> TicketPartOut:
    is_reply = row["part_type"] in REPLY_PARTS
    return TicketPartOut(
        id=str(row["id"]),
        part_type=row["part_type"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        author=await authors.author(row["author_type"], row["author_id"]),
        attachments=row["attachments"],
        redacted=False,
        body=row["body"] if is_reply and row["part_type"] != "quick_reply" else UNSET,
        previous_ticket_state=row["previous_ticket_state"] or UNSET,
        ticket_state=row["ticket_state"] or UNSET,
        assigned_to=msgspec.convert(row["assigned_to"], Reference) if row["assigned_to"] else UNSET,
        updated_attribute_data=row["updated_attribute_data"] or UNSET,
    )


async def reply_out(uow: UnitOfWork, part_id: int) -> TicketReplyOut:
    row = await storage.get_part(uow, part_id)
    part = await part_out(row, await Authors.load(uow))
    return TicketReplyOut(
        id=part.id,
        part_type=part.part_type,
        created_at=part.created_at,
        updated_at=part.updated_at,
        author=part.author,
        attachments=part.attachments,
        redacted=part.redacted,
        body=part.body,
    )


def attribute_map(catalog: Catalog, ticket: Any, values: dict[int, Any]) -> dict[str, Any]:
    """Every live attribute of the ticket's type by name (null when unset), and archived ones that hold a value."""
    shown: dict[str, Any] = {}
    for attribute in catalog.attributes.get(ticket["ticket_type_id"], []):
        stored = values.get(attribute["id"])
        if attribute["archived"] and stored is None:
            continue
        shown[attribute["name"]] = stored["value"] if stored is not None else None
    return shown


async def tickets_out(uow: UnitOfWork, rows: list[Any], catalog: Catalog | None = None) -> list[TicketOut]:
    if not rows:
        return []
    catalog = catalog or await load_catalog(uow)
    ids = [r["id"] for r in rows]
    values: dict[int, dict[int, Any]] = {}
    for value in await storage.attribute_values(uow, ids):
        values.setdefault(value["ticket_id"], {})[value["attribute_id"]] = value
    parts: dict[int, list[Any]] = {}
    for part in await storage.parts_of(uow, ids):
        parts.setdefault(part["ticket_id"], []).append(part)
    linked = await links.linked_objects_of_tickets(uow, ids)
    authors = await Authors.load(uow)
    rendered = []
    for row in rows:
        ticket_parts = parts.get(row["id"], [])
        contact = await get_contact(uow, row["contact_id"]) if row["contact_id"] else None
        ticket_type = catalog.type_out(row["ticket_type_id"])
        rendered.append(
            TicketOut(
                id=str(row["id"]),
                ticket_id=str(row["number"]),
                ticket_attributes=attribute_map(catalog, row, values.get(row["id"], {})),
                ticket_state=state_out(catalog.states[row["ticket_state_id"]]),
                ticket_type=ticket_type,
                contacts=TicketContacts(
                    contacts=[ContactReference(id=contact["id"], external_id=contact["external_id"])] if contact else []
                ),
                admin_assignee_id=_assignee(row["admin_assignee_id"]),
                team_assignee_id=_assignee(row["team_assignee_id"]),
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                ticket_parts=TicketPartList(
                    ticket_parts=[await part_out(p, authors) for p in ticket_parts[-MAX_PARTS:]],
                    total_count=len(ticket_parts),
                ),
                open=row["open"],
                linked_objects=linked[row["id"]],
                category=ticket_type.category,
                is_shared=row["is_shared"],
                previous_ticket_state_id=(
                    str(row["previous_ticket_state_id"]) if row["previous_ticket_state_id"] else None
                ),
                snoozed_until=row["snoozed_until"] if row["snoozed_until"] is not None else UNSET,
            )
        )
    return rendered


async def ticket_out(uow: UnitOfWork, ticket_id: int) -> TicketOut:
    return (await tickets_out(uow, [await storage.get_ticket(uow, ticket_id)]))[0]
