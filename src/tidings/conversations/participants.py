"""Conversations: who takes part (attachContactToConversation, detachContactFromConversation).

A contact is added as a participant with a `participant_added` part (`conversation.contact.attached`)
and removed with a `participant_removed` part, through the engine's `add_part`.
"""

from __future__ import annotations

from typing import Any

from tidings.contacts.storage import get_contact
from tidings.conversations import storage
from tidings.conversations.engine import (
    Author,
    add_part,
    admin_row,
    contact_by_identifier,
    conversation_row,
    user_not_found,
)
from tidings.conversations.schemas import AttachContactRequest, Customers, DetachContactRequest
from tidings.core.errors import UNPROCESSABLE, missing
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork


async def _acting_admin(uow: UnitOfWork, admin_id: Any) -> Any:
    """The admin named in the request, or the token's admin when none is named."""
    if admin_id is UNSET or admin_id is None:
        return await admin_row(uow, uow.admin_id)
    return await admin_row(uow, admin_id)


async def attach_contact(uow: UnitOfWork, conversation_id: str, data: AttachContactRequest) -> Customers:
    row = await conversation_row(uow, conversation_id)
    if data.customer is UNSET or not isinstance(data.customer, dict):
        raise missing("customer")
    admin = await _acting_admin(uow, data.admin_id)
    contact = await contact_by_identifier(uow, data.customer)
    if contact["id"] not in await storage.contact_ids(uow, row["id"]):
        await storage.add_contact(uow, row["id"], contact["id"])
        await add_part(uow, row["id"], Author.admin(admin["id"]), "participant_added")
    return await _customers(uow, row["id"])


async def _customers(uow: UnitOfWork, conversation_id: int) -> Customers:
    customers = []
    for contact_id in await storage.contact_ids(uow, conversation_id):
        contact = await get_contact(uow, contact_id)
        customers.append({"type": contact["role"] if contact else "user", "id": contact_id})
    return Customers(customers=customers)


async def detach_contact(
    uow: UnitOfWork, conversation_id: str, contact_id: str, data: DetachContactRequest
) -> Customers:
    row = await conversation_row(uow, conversation_id)
    admin = await admin_row(uow, data.admin_id)
    participants = await storage.contact_ids(uow, row["id"])
    if contact_id not in participants:
        raise user_not_found()
    if len(participants) == 1:
        raise UNPROCESSABLE("Removing the last customer is not allowed")
    await storage.remove_contact(uow, row["id"], contact_id)
    await add_part(uow, row["id"], Author.admin(admin["id"]), "participant_removed")
    return await _customers(uow, row["id"])
