"""Outbound events: what happens in a custom-channel conversation, POSTed to the integrator's callback.

Intercom does not publish this schema; it is tidings' own (docs/areas/custom-channel.md). Every event is
one JSON object

    {"event_id", "event_type", "external_conversation_id", "conversation_id",
     "contact": {"type", "id", "external_id", "name", "email"}, "payload": {...}, "created_at"}

queued in the caller's transaction through the durable delivery pipeline
(`tidings.webhooks.outbox.enqueue_delivery`): signed with the settings' `webhook_secret`
(`X-Custom-Channel-Signature: sha256=<hex HMAC-SHA256 of the raw body>`), carrying
`Authorization: Bearer <auth_token>` when one is configured, retried until the receiver answers
2xx, and sent one at a time per conversation in the order they happened.

Parts added to a mapped conversation by anyone but the contact (an admin through the Conversations
API, Fin) become events here through the conversations area's part listener (`on_part_added`):
a comment is `new_message`, a quick-reply part `quick_reply_options`, a bot comment asking for an
attribute `attribute_collection_request`, a close `conversation_closed`. Fin's `typing` and
`handover` are not parts; `fin_turn` emits them with `emit`.
"""

from __future__ import annotations

from typing import Any

from tidings.admins import storage as admin_storage
from tidings.contacts.storage import get_contact
from tidings.conversations import engine as conversation_engine
from tidings.conversations import storage as conversation_storage
from tidings.core import clock
from tidings.core.ids import parse_numeric_id, random_hex
from tidings.core.uow import UnitOfWork
from tidings.custom_channel import storage
from tidings.webhooks import signing
from tidings.webhooks.outbox import enqueue_delivery

NEW_MESSAGE = "new_message"
QUICK_REPLY_OPTIONS = "quick_reply_options"
ATTRIBUTE_COLLECTION_REQUEST = "attribute_collection_request"
TYPING = "typing"
HANDOVER = "handover"
CONVERSATION_CLOSED = "conversation_closed"
EVENT_TYPES = (NEW_MESSAGE, QUICK_REPLY_OPTIONS, ATTRIBUTE_COLLECTION_REQUEST, TYPING, HANDOVER, CONVERSATION_CLOSED)

# The key of a bot comment's metadata that makes it an attribute-collection request.
ATTRIBUTE_REQUEST_KEY = "attribute_collector"


def contact_view(contact: Any) -> dict[str, Any]:
    return {
        "type": contact["role"],
        "id": contact["id"],
        "external_id": contact["external_id"],
        "name": contact["name"],
        "email": contact["email"],
    }


async def emit(uow: UnitOfWork, mapping: Any, event_type: str, payload: dict[str, Any]) -> None:
    """Queue one event about `mapping`'s conversation for the integrator's callback."""
    settings = await storage.get_settings(uow)
    if settings is None:
        return
    contact = await get_contact(uow, mapping["contact_id"])
    event = {
        "event_id": "ccevt_" + random_hex(16),
        "event_type": event_type,
        "external_conversation_id": mapping["external_conversation_id"],
        "conversation_id": str(mapping["conversation_id"]),
        "contact": contact_view(contact) if contact is not None else None,
        "payload": payload,
        "created_at": clock.now(),
    }
    token = settings["auth_token"]
    await enqueue_delivery(
        uow,
        url=settings["webhook_url"],
        secret=settings["webhook_secret"],
        signer=signing.CUSTOM_CHANNEL,
        topic=event_type,
        payload=event,
        ordering_key=f"custom_channel:{mapping['conversation_id']}",
        headers={"Authorization": f"Bearer {token}"} if token else None,
    )


async def author_view(uow: UnitOfWork, author_type: str, author_id: str, name: str | None) -> dict[str, Any]:
    if author_type == "admin":
        numeric = parse_numeric_id(author_id)
        admin = await admin_storage.get_admin(uow, numeric) if numeric else None
        name = admin["name"] if admin is not None else name
    return {"type": author_type, "id": str(author_id), "name": name}


def message_view(part: Any, author: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(part["id"]),
        "part_type": part["part_type"],
        "author": author,
        "body": part["body"],
        "attachments": part["attachments"] or [],
        "created_at": part["created_at"],
    }


async def on_part_added(uow: UnitOfWork, conversation_id: int, part_id: int) -> None:
    """The conversations area's part listener: tell the integrator what an admin or Fin added."""
    mapping = await storage.find_by_conversation(uow, conversation_id)
    if mapping is None:
        return
    part = await conversation_storage.get_part(uow, conversation_id, part_id)
    if part is None or part["author_type"] not in ("admin", "bot"):
        return
    replying = part["part_type"] in ("comment", "quick_reply")
    if part["author_type"] == "admin" and replying and mapping["fin_state"] == storage.FIN_ACTIVE:
        # A teammate replying in the conversation takes it from Fin.
        await storage.update_conversation(uow, mapping["id"], {"fin_state": storage.FIN_HANDED_OVER})
    metadata = part["metadata"] or {}
    author = await author_view(uow, part["author_type"], part["author_id"], part["author_name"])
    message = message_view(part, author)
    if part["part_type"] == "comment" and ATTRIBUTE_REQUEST_KEY in metadata:
        attribute = metadata[ATTRIBUTE_REQUEST_KEY]
        await emit(uow, mapping, ATTRIBUTE_COLLECTION_REQUEST, {"message": message, "attribute": attribute})
    elif part["part_type"] == "comment":
        await emit(uow, mapping, NEW_MESSAGE, {"message": message})
    elif part["part_type"] == "quick_reply" and metadata.get("quick_reply_options"):
        await offer_quick_replies(uow, mapping, part, message, metadata["quick_reply_options"])
    elif part["part_type"] == "close":
        closing = {"closed_by": author, **({"message": message} if part["body"] else {})}
        await emit(uow, mapping, CONVERSATION_CLOSED, closing)


async def offer_quick_replies(
    uow: UnitOfWork, mapping: Any, part: Any, message: dict[str, Any], options: list[dict[str, Any]]
) -> None:
    """Remember the offer (a selection must name one of its options) and send it."""
    offered = [{"uuid": str(option["uuid"]), "text": str(option["text"])} for option in options]
    pending = {**(mapping["pending"] or {}), "quick_reply": {"options": offered, "asked_by": part["author_type"]}}
    await storage.update_conversation(uow, mapping["id"], {"pending": pending})
    choices = [{"id": option["uuid"], "text": option["text"]} for option in offered]
    await emit(uow, mapping, QUICK_REPLY_OPTIONS, {"message": message, "options": choices})


conversation_engine.PART_LISTENERS.append(on_part_added)
