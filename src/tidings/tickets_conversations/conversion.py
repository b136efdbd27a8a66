"""Converting a conversation into a customer ticket (`POST /conversations/{id}/convert`).

Only a Customer ticket type will do (400 "Ticket type is not a customer ticket type"). The ticket
takes the conversation's contact, assignees and creation time, and its history: the opening
message and every comment, note and quick reply, as ticket parts with their authors and times,
then the `ticket_state_updated_by_admin` part of the conversion (submitted → the given
`ticket_state_id`, default submitted). `attributes` are checked as on ticket creation.

Intercom turns the conversation itself into the ticket. Here both stay, linked (`converted`), so
each lists the other in `linked_objects`; a conversation is converted once. The conversion
records `ticket.created` with the ticket.
"""

from __future__ import annotations

from typing import Any

from tidings.conversations import engine as conversation_engine
from tidings.conversations import storage as conversation_storage
from tidings.conversations.schemas import ConvertRequest
from tidings.conversations.statistics import CONTACT_AUTHORS
from tidings.core import clock
from tidings.core.errors import TICKET_STATE_ID_INVALID, found, invalid
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.tickets import parts, service, storage
from tidings.tickets.schemas import TicketOut
from tidings.tickets.types_service import Catalog, load_catalog

HISTORY_PARTS = ("comment", "note", "quick_reply")


def _customer_type(catalog: Catalog, ticket_type_id: Any) -> Any:
    ticket_type = service.type_for_create(catalog, ticket_type_id)
    if ticket_type["category"] != "Customer":
        raise invalid("Ticket type is not a customer ticket type", "ticket_type_id")
    return ticket_type


def _state(catalog: Catalog, ticket_type: Any, ticket_state_id: Any) -> Any:
    if ticket_state_id is UNSET:
        return service.initial_state(catalog, ticket_type["id"])
    state = found(
        service.state_in_type(catalog, ticket_type["id"], ticket_state_id),
        TICKET_STATE_ID_INVALID(field="ticket_state_id"),
    )
    return state


async def _contact_of(uow: UnitOfWork, conversation: Any) -> str:
    """The contact who opened the conversation, else its first participant."""
    if conversation["source_author_type"] in CONTACT_AUTHORS:
        return str(conversation["source_author_id"])
    participants = await conversation_storage.contact_ids(uow, conversation["id"])
    if not participants:
        raise invalid("The conversation has no contact to raise the ticket for", "id")
    return participants[0]


def _author(author_type: str, author_id: str) -> dict[str, Any]:
    """A conversation author as a ticket part's: contacts (users and leads) appear as `user`."""
    return {"author_type": "user" if author_type in CONTACT_AUTHORS else author_type, "author_id": author_id}


def _history(conversation: Any, parts: list[Any]) -> list[dict[str, Any]]:
    """The conversation's messages as ticket part rows, oldest first."""
    source = {
        "part_type": "comment",
        "body": conversation["source_body"],
        "attachments": conversation["source_attachments"],
        "reply_options": None,
        "created_at": conversation["created_at"],
        "updated_at": conversation["created_at"],
        **_author(conversation["source_author_type"], conversation["source_author_id"]),
    }
    history = [source]
    for part in parts:
        # A contact's comment that reopened the conversation is kept as an `open` part with its body.
        reopening = part["part_type"] == "open" and part["author_type"] in CONTACT_AUTHORS and part["body"]
        if part["part_type"] not in HISTORY_PARTS and not reopening:
            continue
        metadata = part["metadata"] or {}
        history.append(
            {
                "part_type": "comment" if reopening else part["part_type"],
                "body": part["body"],
                "attachments": part["attachments"],
                "reply_options": metadata.get("quick_reply_options"),
                "created_at": part["created_at"],
                "updated_at": part["updated_at"],
                **_author(part["author_type"], part["author_id"]),
            }
        )
    return history


async def convert_conversation(uow: UnitOfWork, conversation_id: str, data: ConvertRequest) -> TicketOut:
    conversation = await conversation_engine.conversation_row(uow, conversation_id)
    catalog = await load_catalog(uow)
    ticket_type = _customer_type(catalog, data.ticket_type_id)
    state = _state(catalog, ticket_type, data.ticket_state_id)
    value_rows = service.checked_values(catalog, ticket_type, data.attributes)
    if await storage.conversion_of(uow, conversation["id"]) is not None:
        raise invalid("This conversation has already been converted to a ticket", "id")
    contact_id = await _contact_of(uow, conversation)

    submitted = service.initial_state(catalog, ticket_type["id"])
    ticket_id = await service.insert_new_ticket(
        uow,
        ticket_type=ticket_type,
        state=state,
        previous_state=submitted if state["id"] != submitted["id"] else None,
        contact_id=contact_id,
        value_rows=value_rows,
        created_at=conversation["created_at"],
        admin_assignee=conversation["admin_assignee_id"],
        team_assignee=conversation["team_assignee_id"],
    )
    history = _history(conversation, await conversation_storage.list_parts(uow, conversation["id"]))
    await storage.insert_parts(uow, ticket_id, history)
    now = clock.now()
    author = parts.author_fields(uow.admin_id)
    await parts.state_part(uow, ticket_id, submitted, state, author, {"created_at": now, "updated_at": now})
    await storage.insert_link(uow, ticket_id, conversation["id"], "converted", now)
    return await service.record(uow, ticket_id, ["ticket.created"])
