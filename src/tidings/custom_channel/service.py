"""The four inbound notifications: find or create the contact, map the external conversation to an
Intercom one, add the user's part, and let Fin take its turn (`fin_turn`).

Each notification is handled once per `event_id`: a repeat with the same body answers what the
first answered and changes nothing; a repeat with another body is a duplicated reference (422).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from tidings.contacts import service as contact_service
from tidings.contacts.storage import contacts, email_key, find_contact, get_contact
from tidings.conversations import engine as conversation_engine
from tidings.conversations import storage as conversation_storage
from tidings.conversations.engine import Author
from tidings.core import clock
from tidings.core.errors import (
    CHANNEL_CONTACT_INVALID,
    INTEGRATION_NOT_FOUND,
    RECORD_REFERENCE_INVALID,
    TidingsError,
    found,
    invalid,
    missing,
)
from tidings.core.schemas import unset_to_none
from tidings.core.uow import UnitOfWork
from tidings.custom_channel import fin_turn, storage
from tidings.custom_channel.schemas import (
    AttributeCollectedEvent,
    BaseEvent,
    ChannelContact,
    NewConversationEvent,
    NewMessageEvent,
    NotificationResponse,
    QuickReplySelectedEvent,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Attributes an integrator may collect onto the contact's own fields rather than its custom attributes.
CONTACT_FIELDS = frozenset({"email", "name", "phone"})
CONVERSATION_PREFIX = "conversation."

Handler = Callable[[UnitOfWork, Any, Any, Any], Awaitable[Any]]


def integration_not_found() -> TidingsError:
    return INTEGRATION_NOT_FOUND()


def contact_not_creatable() -> TidingsError:
    return CHANNEL_CONTACT_INVALID()


def duplicated_reference(field: str | None = None) -> TidingsError:
    return RECORD_REFERENCE_INVALID(field=field)


def fingerprint(operation: str, data: BaseEvent) -> str:
    canonical = msgspec.json.encode({"operation": operation, "event": msgspec.to_builtins(data)}, order="sorted")
    return hashlib.sha256(canonical).hexdigest()


async def once(uow: UnitOfWork, operation: str, data: BaseEvent, handler: Handler) -> NotificationResponse:
    """Run `handler(uow, settings, data, contact)` unless this event_id was handled already."""
    settings = found(await storage.get_settings(uow), integration_not_found())
    digest = fingerprint(operation, data)
    claimed = await storage.claim_event(uow, data.event_id, digest, clock.now())
    if claimed is None:
        seen = await storage.get_event(uow, data.event_id)
        if seen is None or seen["fingerprint"] != digest or seen["response"] is None:
            raise duplicated_reference("event_id")
        return msgspec.convert(seen["response"], NotificationResponse)
    # Events of one conversation are handled one at a time: the first may create what the next uses
    # (the contact, the conversation and its mapping), and its messages keep their order.
    await uow.serialise("custom-channel-conversation", data.external_conversation_id)
    contact = await resolve_contact(uow, data.contact)
    mapping = await handler(uow, settings, data, contact)
    response = NotificationResponse(
        external_conversation_id=data.external_conversation_id,
        conversation_id=str(mapping["conversation_id"]),
        external_contact_id=data.contact.external_id,
        contact_id=contact["id"],
    )
    await storage.store_response(uow, claimed, msgspec.to_builtins(response))
    return response


async def resolve_contact(uow: UnitOfWork, given: ChannelContact) -> Any:
    """The contact with this external_id, or a new user (name and email required) or lead."""
    external_id = given.external_id.strip()
    if not external_id:
        raise contact_not_creatable()
    # One contact may open several conversations at once, or be created through the Contacts API.
    await contact_service.serialise_identity(uow, given.type, unset_to_none(given.email), external_id)
    found = await find_contact(uow, external_id=external_id)
    if found is not None:
        return found
    name, email = unset_to_none(given.name), unset_to_none(given.email)
    if given.type == "user" and not (name and email):
        raise contact_not_creatable()
    if email and not _EMAIL.fullmatch(email):
        raise contact_not_creatable()
    if given.type == "user":
        holder = await find_contact(uow, email=email)
        if holder is not None and holder["role"] == "user":
            # Another user owns this email under another external_id.
            raise contact_not_creatable()
    created = await contact_service.insert_and_announce(
        uow, role=given.type, email=email, external_id=external_id, name=name
    )
    return await get_contact(uow, created.id)


async def mapped_conversation(uow: UnitOfWork, data: BaseEvent, contact: Any) -> Any:
    """The existing mapping of `external_conversation_id`, which must belong to this contact."""
    mapping = await storage.find_by_external_id(uow, data.external_conversation_id)
    if mapping is not None and mapping["contact_id"] != contact["id"]:
        raise duplicated_reference("external_conversation_id")
    return mapping


async def open_conversation(uow: UnitOfWork, settings: Any, data: BaseEvent, contact: Any, body: str) -> Any:
    conversation_id = await conversation_engine.start_conversation(
        uow, contact_id=contact["id"], body=body, author=Author.contact(contact["id"], contact["role"])
    )
    await storage.insert_conversation(
        uow,
        {
            "external_conversation_id": data.external_conversation_id,
            "conversation_id": conversation_id,
            "contact_id": contact["id"],
            "fin_state": storage.FIN_ACTIVE,
            "pending": {},
            "created_at": clock.now(),
        },
    )
    return await storage.find_by_external_id(uow, data.external_conversation_id)


async def new_conversation(uow: UnitOfWork, settings: Any, data: NewConversationEvent, contact: Any) -> Any:
    if await mapped_conversation(uow, data, contact) is not None:
        raise duplicated_reference("external_conversation_id")
    return await open_conversation(uow, settings, data, contact, "")


async def new_message(uow: UnitOfWork, settings: Any, data: NewMessageEvent, contact: Any) -> Any:
    if not data.body.strip():
        raise missing("body")
    mapping = await mapped_conversation(uow, data, contact)
    if mapping is None:
        mapping = await open_conversation(uow, settings, data, contact, data.body)
    else:
        author = Author.contact(contact["id"], contact["role"])
        await conversation_engine.add_part(uow, mapping["conversation_id"], author, "comment", data.body)
    await fin_turn.on_user_message(uow, settings, mapping, contact, data.body)
    return mapping


async def quick_reply_selected(uow: UnitOfWork, settings: Any, data: QuickReplySelectedEvent, contact: Any) -> Any:
    mapping = await mapped_conversation(uow, data, contact)
    offer = (mapping["pending"] or {}).get("quick_reply") if mapping else None
    options = {option["uuid"]: option for option in (offer or {}).get("options", [])}
    chosen = options.get(data.quick_reply_option_id)
    if mapping is None or chosen is None:
        raise duplicated_reference("quick_reply_option_id")
    pending = {key: value for key, value in mapping["pending"].items() if key != "quick_reply"}
    await storage.update_conversation(uow, mapping["id"], {"pending": pending})
    await conversation_engine.add_part(
        uow,
        mapping["conversation_id"],
        Author.contact(contact["id"], contact["role"]),
        "quick_reply",
        chosen["text"],
        metadata={"quick_reply_uuid": chosen["uuid"]},
    )
    if offer.get("asked_by") == "bot":
        await fin_turn.on_quick_reply(
            uow, settings, await storage.find_by_external_id(uow, data.external_conversation_id), contact, chosen
        )
    return mapping


async def attribute_collected(uow: UnitOfWork, settings: Any, data: AttributeCollectedEvent, contact: Any) -> Any:
    mapping = found(await mapped_conversation(uow, data, contact), duplicated_reference("external_conversation_id"))
    request = (mapping["pending"] or {}).get("attribute")
    asked = request is not None and request["id"] == data.attribute.id
    target = request["target"] if asked else target_of(data.attribute.id)
    await store_attribute(uow, mapping, contact, target, data.attribute.value)
    if asked:
        pending = {key: value for key, value in mapping["pending"].items() if key != "attribute"}
        await storage.update_conversation(uow, mapping["id"], {"pending": pending})
        await fin_turn.on_attribute_collected(
            uow, settings, await storage.find_by_external_id(uow, data.external_conversation_id), contact, request
        )
    return mapping


def target_of(attribute_id: str) -> dict[str, str]:
    """Where an attribute nobody asked for goes: `conversation.x` on the conversation, else the contact."""
    if attribute_id.startswith(CONVERSATION_PREFIX):
        return {"owner": "conversation", "name": attribute_id.removeprefix(CONVERSATION_PREFIX)}
    return {"owner": "contact", "name": attribute_id}


async def store_attribute(uow: UnitOfWork, mapping: Any, contact: Any, target: dict[str, str], value: str) -> None:
    name = target["name"]
    if not name:
        raise invalid("attribute.id names no attribute", "attribute.id")
    if target["owner"] == "conversation":
        row = await conversation_storage.get_conversation(uow, mapping["conversation_id"])
        attributes = {**(row["custom_attributes"] or {}), name: value}
        await conversation_storage.update_conversation(
            uow, mapping["conversation_id"], {"custom_attributes": attributes, "updated_at": clock.now()}
        )
        return
    await uow.execute(
        uow.update(contacts).where(contacts.c.id == contact["id"]).values(**contact_values(contact, name, value))
    )


def contact_values(contact: Any, name: str, value: str) -> dict[str, Any]:
    values: dict[str, Any] = {"updated_at": clock.now()}
    if name == "email":
        if not _EMAIL.fullmatch(value):
            raise invalid("attribute.value is not an email address", "attribute.value")
        values.update(email=value, email_key=email_key(value), email_domain=value.rsplit("@", 1)[-1].lower())
    elif name in CONTACT_FIELDS:
        values[name] = value
    else:
        values["custom_attributes"] = {**(contact["custom_attributes"] or {}), name: value}
    return values
