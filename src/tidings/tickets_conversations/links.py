"""Links between tickets and conversations, and their `linked_objects` on both sides.

A ticket is linked to a conversation when it is created with `conversation_to_link_id` (only a
back-office or tracker ticket may be: Intercom's allowed pairs are conversation↔back-office ticket
and conversation↔tracker ticket) or when it is converted from the conversation. The ticket then
lists `{"type": "conversation", "id", "category": null}` and the conversation lists
`{"type": "ticket", "id", "category": <the ticket type's category>}`, at most 1000 each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tidings.conversations import storage as conversation_storage
from tidings.core.errors import invalid
from tidings.core.ids import parse_numeric_id
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.tickets import storage
from tidings.tickets.schemas import LinkedObjectList

# Intercom returns up to 1000 linked objects.
MAX_LINKED = 1000
LINKABLE_TO_CONVERSATIONS = ("Back-office", "Tracker")
FIELD = "conversation_to_link_id"


async def conversation_to_link(uow: UnitOfWork, value: Any, ticket_type: Any) -> int | None:
    """The id of the conversation a new ticket of `ticket_type` links to, checked; None when none is asked for."""
    if value in (UNSET, None):
        return None
    if ticket_type["category"] not in LINKABLE_TO_CONVERSATIONS:
        raise invalid(
            f"A conversation can be linked to a back-office or tracker ticket, not to a {ticket_type['category']} "
            "ticket",
            FIELD,
        )
    numeric = parse_numeric_id(value)
    if numeric is None or await conversation_storage.get_conversation(uow, numeric) is None:
        raise invalid("Conversation to link not found", FIELD)
    return numeric


def _listing(data: list[dict[str, Any]]) -> LinkedObjectList:
    return LinkedObjectList(data=data[:MAX_LINKED], total_count=len(data), has_more=len(data) > MAX_LINKED)


async def linked_objects_of_tickets(uow: UnitOfWork, ticket_ids: Iterable[int]) -> dict[int, LinkedObjectList]:
    """{ticket id: its linked conversations}, for every ticket asked about (one query)."""
    ids = list(ticket_ids)
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for link in await storage.links_of_tickets(uow, ids):
        found[link["ticket_id"]].append({"type": "conversation", "id": str(link["conversation_id"]), "category": None})
    return {ticket_id: _listing(data) for ticket_id, data in found.items()}


async def linked_objects_of_conversations(
    uow: UnitOfWork, conversation_ids: Iterable[int]
) -> dict[int, LinkedObjectList]:
    """{conversation id: its linked tickets}, for every conversation asked about (one query)."""
    ids = list(conversation_ids)
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for link in await storage.links_of_conversations(uow, ids):
        found[link["conversation_id"]].append(
            {"type": "ticket", "id": str(link["ticket_id"]), "category": link["category"]}
        )
    return {conversation_id: _listing(data) for conversation_id, data in found.items()}


async def linked_conversation_ids(uow: UnitOfWork, ticket_id: int) -> list[int]:
    return [int(link["conversation_id"]) for link in await storage.links_of_tickets(uow, [ticket_id])]


async def forget_conversation(uow: UnitOfWork, conversation_id: int) -> None:
    """Drop a deleted conversation's links; its tickets stay."""
    await storage.delete_links_of_conversation(uow, conversation_id)
