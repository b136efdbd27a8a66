"""Replies to a ticket (`POST /tickets/{id}/reply`): comments and notes by admins, comments by
contacts, with the body normalised as Intercom does and attachments checked. An admin note with
`cross_post` on a back-office ticket is also added, as a note, to every linked conversation
(through `conversations.engine.add_part`).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlparse

import msgspec

from tidings.contacts import storage as contact_storage
from tidings.conversations import engine as conversation_engine
from tidings.conversations.engine import Author
from tidings.core import clock
from tidings.core.errors import PARAMETER_MISMATCH, USER_NOT_FOUND, found, invalid, missing
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.tickets import storage, values
from tidings.tickets.render import reply_out
from tidings.tickets.schemas import ReplyTicketRequest, TicketReplyOut
from tidings.tickets.service import admin_row, record, resource_not_found, ticket_row
from tidings.tickets.types_service import load_catalog
from tidings.tickets_conversations import links

MAX_ATTACHMENTS = 10


# Replies.
_WRAPPER = re.compile(
    r"^\s*(?:<html[^>]*>)?\s*(?:<body[^>]*>)?(?P<inner>.*?)(?:</body>)?\s*(?:</html>)?\s*$", re.S | re.I
)


def html_body(body: str) -> str:
    """Store the fragment inside an `<html><body>` wrapper; plain text becomes a paragraph."""
    inner = _WRAPPER.match(body).group("inner").strip()  # type: ignore[union-attr]
    return inner if inner.startswith("<") else f"<p>{html.escape(inner)}</p>"


def _attachments(urls: list[str] | Any) -> list[dict[str, Any]]:
    if urls is UNSET:
        return []
    if len(urls) > MAX_ATTACHMENTS:
        raise invalid(f"You can include up to {MAX_ATTACHMENTS} attachment_urls", "attachment_urls")
    for url in urls:
        if urlparse(url).scheme not in ("http", "https"):
            raise invalid(f"attachment_urls must be URLs: {url!r}", "attachment_urls")
    return [values.file_object(url) for url in urls]


async def _reply_author(uow: UnitOfWork, data: ReplyTicketRequest, ticket_type: Any) -> tuple[dict[str, Any], str]:
    """The part's author and the event topic, after the rules for who may reply how."""
    if data.type == "admin":
        if data.admin_id is UNSET:
            raise missing("admin_id")
        admin = await admin_row(uow, data.admin_id)
        if data.message_type == "quick_reply":
            if data.reply_options is UNSET or not data.reply_options:
                raise missing("reply_options")
        elif data.body is UNSET or not data.body.strip():
            raise missing("body")
        topic = "ticket.note.created" if data.message_type == "note" else "ticket.admin.replied"
        return {"author_type": "admin", "author_id": str(admin["id"])}, topic
    if data.message_type != "comment":
        raise invalid("Contacts can only reply with a comment", "message_type")
    if data.body is UNSET or not data.body.strip():
        raise missing("body")
    if ticket_type["category"] != "Customer":
        raise PARAMETER_MISMATCH("User replies are not allowed on Backoffice tickets")
    given = {
        k: v
        for k, v in (("id", data.intercom_user_id), ("external_id", data.user_id), ("email", data.email))
        if v is not UNSET
    }
    if len(given) != 1:
        raise invalid("Identify the contact with exactly one of intercom_user_id, user_id or email", "intercom_user_id")
    contact = found(await contact_storage.find_contact(uow, **given), USER_NOT_FOUND())
    return {"author_type": "user", "author_id": contact["id"]}, "ticket.contact.replied"


async def reply(uow: UnitOfWork, ticket_id: str, data: ReplyTicketRequest) -> TicketReplyOut:
    row = await ticket_row(uow, ticket_id, resource_not_found())
    catalog = await load_catalog(uow)
    ticket_type = catalog.types[row["ticket_type_id"]]
    author, topic = await _reply_author(uow, data, ticket_type)
    attachments = _attachments(data.attachment_urls)
    if data.created_at is not UNSET and data.created_at < 0:
        raise invalid("created_at must be a UNIX timestamp", "created_at")
    now = clock.now()
    created_at = data.created_at if data.created_at is not UNSET else now
    body = html_body(data.body) if data.body is not UNSET else None
    part_id = await storage.insert_part(
        uow,
        {
            "ticket_id": row["id"],
            "part_type": data.message_type,
            "body": body,
            "attachments": attachments,
            "reply_options": msgspec.to_builtins(data.reply_options) if data.reply_options is not UNSET else None,
            "created_at": created_at,
            "updated_at": created_at,
            **author,
        },
    )
    await storage.update_ticket(uow, row["id"], {"updated_at": now})
    await record(uow, row["id"], [topic])
    if data.cross_post is True and data.message_type == "note" and ticket_type["category"] == "Back-office":
        await _cross_post(uow, row["id"], author["author_id"], body, attachments, created_at)
    return await reply_out(uow, part_id)


async def _cross_post(
    uow: UnitOfWork, ticket_id: int, admin_id: str, body: str | None, attachments: list[dict[str, Any]], at: int
) -> None:
    """Copy an admin's note to every conversation linked to the ticket, as that admin's note there."""
    for conversation_id in await links.linked_conversation_ids(uow, ticket_id):
        await conversation_engine.add_part(
            uow,
            conversation_id,
            Author.admin(admin_id),
            "note",
            body,
            attachment_urls=[a["url"] for a in attachments],
            created_at=at,
        )
