"""Messages: `POST /messages` and the WhatsApp delivery status endpoints.

An admin-initiated message is stored as a `messages` row; it becomes a conversation at once when
`create_conversation_without_contact_reply` is set (and always for WhatsApp, whose delivery
statuses name the conversation). A message `from` a contact opens a conversation, as
`POST /conversations` does. WhatsApp messages start `sent`; `ruleset_id` is the message's id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from tidings.contacts import service as contact_service
from tidings.contacts.storage import contacts, find_contact
from tidings.conversations import storage
from tidings.conversations.engine import Author, admin_row, start_conversation, user_not_found
from tidings.conversations.schemas import (
    ContactRef,
    CreateConversationRequest,
    CreateMessageRequest,
    MessageOut,
    WhatsAppStatusList,
    WhatsAppStatusOut,
)
from tidings.conversations.service import create
from tidings.core import clock
from tidings.core.errors import EMAIL_SUBJECT_MISSING, WHATSAPP_MESSAGE_NOT_FOUND, found, invalid, missing
from tidings.core.ids import random_hex
from tidings.core.paging import CursorPages, StartingAfter, clamp_per_page, decode_cursor, encode_cursor, total_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork

# Request spellings → the `message_type` Intercom answers with, and the conversation source type.
MESSAGE_TYPES = {
    "in_app": ("inapp", "conversation"),
    "inapp": ("inapp", "conversation"),
    "conversation": ("inapp", "conversation"),
    "email": ("email", "email"),
    "sms": ("sms", "sms"),
    "whatsapp": ("whatsapp", "whatsapp"),
}
STATUS_PER_PAGE, STATUS_MAX_PER_PAGE = 50, 100


def _recipients(value: Any) -> list[dict[str, Any]]:
    if value is UNSET or value is None:
        return []
    return value if isinstance(value, list) else [value]


async def _recipient_contact(uow: UnitOfWork, recipient: dict[str, Any]) -> Any:
    if recipient.get("id"):
        contact = await find_contact(uow, id=str(recipient["id"]))
    elif recipient.get("user_id"):
        contact = await find_contact(uow, external_id=str(recipient["user_id"]))
    elif recipient.get("email"):
        contact = await find_contact(uow, email=str(recipient["email"]))
    elif recipient.get("phone"):
        return await _contact_by_phone(uow, str(recipient["phone"]), recipient.get("name"))
    else:
        raise missing("to.id")
    if contact is None:
        raise user_not_found()
    return contact


async def _contact_by_phone(uow: UnitOfWork, phone: str, name: str | None) -> Any:
    """WhatsApp recipients are phone numbers: the contact with that number, or a new lead."""
    digits = phone.lstrip("+")
    stmt = uow.select(contacts).where(
        contacts.c.merged_into_id.is_(None), func.replace(contacts.c.phone, "+", "") == digits
    )
    contact = await uow.one_or_none(stmt.limit(1))
    if contact is None:
        created = await contact_service.insert_and_announce(uow, role="lead", name=name, phone=f"+{digits}")
        contact = await find_contact(uow, id=created.id)
    return contact


async def create_message(uow: UnitOfWork, data: CreateMessageRequest) -> MessageOut:
    sender_type = data.from_.get("type")
    if sender_type in ("user", "lead", "contact"):
        body = data.body if isinstance(data.body, str) else ""
        request = CreateConversationRequest(
            from_=ContactRef(type=sender_type, id=str(data.from_.get("id") or "")), body=body
        )
        return await create(uow, request)
    if sender_type != "admin":
        raise invalid("from.type must be admin, user or lead", "from.type")
    admin = await admin_row(uow, data.from_.get("id"), "from.id")
    if data.message_type is UNSET:
        raise missing("message_type")
    if data.message_type not in MESSAGE_TYPES:
        raise invalid(f"message_type must be one of {', '.join(sorted(MESSAGE_TYPES))}", "message_type")
    message_type, source_type = MESSAGE_TYPES[data.message_type]
    body = data.body if isinstance(data.body, str) else ""
    subject = data.subject if isinstance(data.subject, str) else ""
    template = data.template if data.template is not UNSET else None
    if message_type == "whatsapp":
        if not template:
            raise missing("template")
    elif not body.strip():
        raise invalid("Body is required", "body")
    if message_type == "email" and not subject.strip():
        raise EMAIL_SUBJECT_MISSING(field="subject")
    to = _recipients(data.to)
    if not to:
        raise missing("to")
    recipients = [await _recipient_contact(uow, r) for r in to]
    now = clock.now()
    created = data.created_at or now
    whatsapp = message_type == "whatsapp"
    message_id = await storage.insert_message(
        uow,
        {
            "message_type": message_type,
            "subject": subject or None,
            "body": body,
            "template": template,
            "from_type": "admin",
            "from_id": str(admin["id"]),
            "recipients": [c["id"] for c in recipients],
            "whatsapp_message_id": f"wamid.{random_hex(12)}" if whatsapp else None,
            "delivery_status": "sent" if whatsapp else None,
            "created_at": created,
            "updated_at": now,
        },
    )
    if whatsapp:
        await storage.update_message(uow, message_id, {"ruleset_id": str(message_id)})
    conversation_id: int | None = None
    if data.create_conversation_without_contact_reply or whatsapp:
        conversation_id = await start_conversation(
            uow,
            contact_id=recipients[0]["id"],
            body=body or template or "",
            author=Author.admin(admin["id"]),
            subject=subject or None,
            created_at=created,
            source_type=source_type,
            source_id=str(message_id),
        )
        for contact in recipients[1:]:
            if contact["id"] not in await storage.contact_ids(uow, conversation_id):
                await storage.add_contact(uow, conversation_id, contact["id"])
    return MessageOut(
        type="admin_message",
        id=str(message_id),
        created_at=created,
        subject=subject,
        body=body,
        message_type=message_type,
        conversation_id=str(conversation_id) if conversation_id else UNSET,
        owner={
            "type": "admin",
            "id": str(admin["id"]),
            "name": admin["name"],
            "email": admin["email"],
            "away_mode_enabled": admin["away_mode_enabled"],
            "away_mode_reassign": admin["away_mode_reassign"],
        },
    )


def _status_event(row: Any) -> dict[str, Any]:
    event = {
        "id": str(row["id"]),
        "conversation_id": str(row["conversation_id"]),
        # A WhatsApp message has one recipient: the contact it was sent to.
        "user_id": row["recipients"][0],
        "status": row["delivery_status"],
        "type": "broadcast_outbound",
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "whatsapp_message_id": row["whatsapp_message_id"],
    }
    if row["template"]:
        event["template_name"] = row["template"]
    return event


async def whatsapp_statuses(
    uow: UnitOfWork, ruleset_id: str | None, per_page: int | None, starting_after: str | None
) -> WhatsAppStatusList:
    if not ruleset_id:
        raise missing("ruleset_id")
    size = clamp_per_page(per_page, STATUS_PER_PAGE, STATUS_MAX_PER_PAGE)
    cursor = decode_cursor(starting_after)
    after_id = int(cursor.key[0]) if cursor and cursor.key and isinstance(cursor.key[0], int) else None
    rows, total = await storage.whatsapp_page(uow, ruleset_id, after_id, size)
    more = len(rows) > size
    rows = rows[:size]
    next_page = (
        StartingAfter(size, encode_cursor((cursor.page if cursor else 1) + 1, [rows[-1]["id"]])) if more else None
    )
    return WhatsAppStatusList(
        ruleset_id=ruleset_id,
        pages=CursorPages(per_page=size, total_pages=total_pages(total, size), next=next_page),
        total_count=total,
        events=[_status_event(r) for r in rows],
    )


async def whatsapp_status(uow: UnitOfWork, message_id: str | None) -> WhatsAppStatusOut:
    if not message_id:
        raise missing("message_id")
    row = found(await storage.find_whatsapp_message(uow, message_id), WHATSAPP_MESSAGE_NOT_FOUND())
    return WhatsAppStatusOut(
        conversation_id=str(row["conversation_id"]),
        status=row["delivery_status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        message_id=row["whatsapp_message_id"],
        template_name=row["template"] or UNSET,
    )
