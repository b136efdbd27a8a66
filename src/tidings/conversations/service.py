"""Conversations: the HTTP use cases (create, list, search, retrieve, update, delete, reply, manage,
priority, redaction, parts, tags, deleted conversations).

They are what the routes (and the inbox and the Intercom import, which drive the same use cases)
call. Opening conversations and adding parts is the engine's (`engine.py`); participants are
`participants.py`.
"""

from __future__ import annotations

from typing import Any

from tidings.contacts.storage import find_contact
from tidings.conversations import storage
from tidings.conversations.engine import (
    Author,
    add_part,
    admin_row,
    announce,
    contact_by_identifier,
    conversation_not_found,
    conversation_row,
    part_or_message_not_found,
    start_conversation,
    user_not_found,
)
from tidings.conversations.schemas import (
    AppliedTagOut,
    AttachTagRequest,
    ConversationDeleted,
    ConversationList,
    ConversationOut,
    CreateConversationRequest,
    DeletedConversationItem,
    DeletedConversationList,
    DetachTagRequest,
    HandlingEventList,
    ManageRequest,
    MessageOut,
    PartOut,
    RedactRequest,
    ReplyRequest,
    SearchRequest,
    SideConversationList,
    UpdateConversationRequest,
    UpdatePartRequest,
)
from tidings.conversations.search_fields import CONVERSATION_SEARCH, custom_attribute_types
from tidings.conversations.views import (
    Directory,
    applied_tag,
    attachments_from_urls,
    render_conversation,
    render_conversations,
    render_part,
)
from tidings.core import clock
from tidings.core.errors import FORBIDDEN, TAG_NOT_FOUND, TEAM_NOT_FOUND, found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.limits import (
    MAX_ATTRIBUTE_NAME_LENGTH,
    MAX_ATTRIBUTE_VALUE_LENGTH,
    MAX_CUSTOM_ATTRIBUTES,
    check_length,
)
from tidings.core.paging import clamp_per_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.search import compile_query, search_page
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import references
from tidings.events.record import record_event
from tidings.tags import service as tag_service
from tidings.tags import tagging
from tidings.teams import storage as team_storage
from tidings.tickets_conversations import links

LIST_PER_PAGE, LIST_MAX_PER_PAGE = 20, 150
DELETED_PER_PAGE, DELETED_MAX_PER_PAGE = 20, 60
MAX_ATTACHMENTS = 10
UNASSIGNED = "0"
REPLY_TYPES = ("comment", "note", "quick_reply")
# Conversations' owner type for custom object references.
OWNER_TYPE = "conversation"
# What a redacted part or source shows instead of its body (the spec's redaction example).
REDACTED_BODY = "<p><i>This message was deleted</i></p>"


def _attachments(urls: list[str] | Any) -> list[dict[str, Any]]:
    if urls is UNSET or not urls:
        return []
    if len(urls) > MAX_ATTACHMENTS:
        raise invalid(f"at most {MAX_ATTACHMENTS} attachment_urls are allowed", "attachment_urls")
    return attachments_from_urls(list(urls))


# Operations.
async def create(uow: UnitOfWork, data: CreateConversationRequest) -> MessageOut:
    if data.from_.type not in ("user", "lead", "contact"):
        raise invalid("from.type must be one of user, lead, contact", "from.type")
    contact = await find_contact(uow, id=data.from_.id)
    if contact is None or (data.from_.type != "contact" and contact["role"] != data.from_.type):
        raise user_not_found()
    if not data.body.strip():
        raise missing("body")
    attachments = _attachments(data.attachment_urls)
    conversation_id = await start_conversation(
        uow,
        contact_id=contact["id"],
        body=data.body,
        subject=data.subject or None,
        attachment_urls=[a["url"] for a in attachments],
        created_at=data.created_at or None,
    )
    row = await storage.get_conversation(uow, conversation_id)
    return MessageOut(
        type="user_message",
        id=row["source_id"],
        created_at=row["created_at"],
        body=row["source_body"],
        message_type="inapp",
        conversation_id=str(conversation_id),
    )


async def _page(uow: UnitOfWork, condition: Any, pagination: Any) -> ConversationList:
    """Most recently updated first (the list's order, and search's without a sort), cursor-paged."""
    page = await search_page(
        uow,
        uow.select(storage.conversations),
        CONVERSATION_SEARCH,
        condition=condition,
        pagination=pagination,
        default_per_page=LIST_PER_PAGE,
        max_per_page=LIST_MAX_PER_PAGE,
    )
    return ConversationList(
        conversations=await render_conversations(uow, page.rows), total_count=page.total_count, pages=page.pages
    )


async def list_page(uow: UnitOfWork, per_page: int | None, starting_after: str | None) -> ConversationList:
    return await _page(uow, None, {"per_page": per_page, "starting_after": starting_after})


async def search(uow: UnitOfWork, data: SearchRequest) -> ConversationList:
    condition = compile_query(CONVERSATION_SEARCH, data.query, uow.dialect, custom_attribute_types(data.query))
    return await _page(uow, condition, data.pagination if data.pagination is not UNSET else None)


async def retrieve(uow: UnitOfWork, conversation_id: str, display_as: str | None) -> ConversationOut:
    row = await conversation_row(uow, conversation_id)
    return await render_conversation(uow, row, with_parts=True, plain=display_as == "plaintext")


def _custom_attributes(values: dict[str, Any]) -> dict[str, Any]:
    """Strings and integers (dates are Unix seconds), the value types the spec's schema can carry
    besides custom object references (split off before, see `update`); names, values and their
    number bounded (`core.limits`)."""
    if len(values) > MAX_CUSTOM_ATTRIBUTES:
        raise invalid(f"custom_attributes may hold at most {MAX_CUSTOM_ATTRIBUTES} attributes", "custom_attributes")
    for name, value in values.items():
        if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
            raise invalid(
                f"Custom attribute names may be at most {MAX_ATTRIBUTE_NAME_LENGTH} characters", "custom_attributes"
            )
        field = f"custom_attributes.{name}"
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise invalid(f"{field} must be a string or an integer", field)
        check_length(value, field, MAX_ATTRIBUTE_VALUE_LENGTH)
    return values


async def _record_attribute_changes(uow: UnitOfWork, row: Any, changed: dict[str, Any]) -> None:
    """One `conversation_attribute_updated_by_admin` part per attribute whose value changed."""
    author = Author.admin(uow.admin_id) if uow.admin_id is not None else Author.bot("0")
    for name, value in changed.items():
        previous = row["custom_attributes"].get(name)
        if previous == value:
            continue
        details = {
            "attribute": {"name": name},
            "value": {"name": str(value), "previous": None if previous is None else str(previous)},
        }
        await add_part(uow, row["id"], author, "conversation_attribute_updated_by_admin", event_details=details)


async def update(
    uow: UnitOfWork, conversation_id: str, data: UpdateConversationRequest, display_as: str | None
) -> ConversationOut:
    row = await conversation_row(uow, conversation_id)
    if data.company_id is not UNSET:
        raise invalid("Associating companies with conversations is not available on this server yet", "company_id")
    values: dict[str, Any] = {}
    if data.read is not UNSET:
        values["read"] = data.read
    if data.title is not UNSET:
        values["title"] = data.title
    if data.custom_attributes is not UNSET:
        # References to custom object instances are checked and kept apart (`custom_objects.references`).
        plain, instance_ids = await references.split_custom_attributes(uow, OWNER_TYPE, data.custom_attributes)
        changed = _custom_attributes(plain)
        await _record_attribute_changes(uow, row, changed)
        await references.save_references(uow, OWNER_TYPE, str(row["id"]), instance_ids)
        values["custom_attributes"] = {**row["custom_attributes"], **changed}
    if values:
        await storage.update_conversation(uow, row["id"], {**values, "updated_at": clock.now()})
    fresh = await storage.get_conversation(uow, row["id"])
    return await render_conversation(uow, fresh, with_parts=True, plain=display_as == "plaintext")


async def delete(uow: UnitOfWork, conversation_id: str, retain_metrics: bool | None) -> ConversationDeleted:
    row = await conversation_row(uow, conversation_id)
    await record_event(uow, "conversation.deleted", {"type": "conversation", "id": str(row["id"])})
    await references.clear_owner_references(uow, OWNER_TYPE, str(row["id"]))
    await links.forget_conversation(uow, row["id"])
    await storage.delete_conversation(uow, row["id"])
    await storage.record_deleted(uow, row["id"], retain_metrics is not False, clock.now())
    return ConversationDeleted(id=str(row["id"]))


async def _last_conversation_of(uow: UnitOfWork, contact_id: str) -> Any:
    condition = storage.conversations.c.id.in_(
        uow.select(storage.conversation_contacts, storage.conversation_contacts.c.conversation_id).where(
            storage.conversation_contacts.c.contact_id == contact_id
        )
    )
    rows, _ = await storage.conversations_page(uow, condition, None, 1)
    if not rows:
        raise conversation_not_found()
    return rows[0]


async def reply(uow: UnitOfWork, conversation_id: str, data: ReplyRequest) -> ConversationOut:
    attachments = [a["url"] for a in _attachments(data.attachment_urls)]
    body = data.body if isinstance(data.body, str) else None
    created_at = data.created_at or None
    if data.type == "user":
        if data.message_type != "comment":
            raise invalid("message_type must be comment for a contact reply", "message_type")
        contact = await contact_by_identifier(
            uow,
            {
                "intercom_user_id": data.intercom_user_id or None,
                "user_id": data.user_id or None,
                "email": data.email or None,
            },
        )
        if conversation_id == "last":
            row = await _last_conversation_of(uow, contact["id"])
        else:
            row = await conversation_row(uow, conversation_id)
        if contact["id"] not in await storage.contact_ids(uow, row["id"]):
            raise invalid("The contact is not a participant of this conversation", "intercom_user_id")
        if not (body or attachments):
            raise missing("body")
        author = Author.contact(contact["id"], contact["role"])
        await add_part(uow, row["id"], author, "comment", body, attachment_urls=attachments, created_at=created_at)
    elif data.type == "admin":
        if data.message_type not in REPLY_TYPES:
            raise invalid("message_type must be one of comment, note, quick_reply", "message_type")
        row = await conversation_row(uow, conversation_id)
        admin = await admin_row(uow, data.admin_id if data.admin_id is not UNSET else None)
        metadata = None
        if data.message_type == "quick_reply":
            if data.reply_options is UNSET or not data.reply_options:
                raise missing("reply_options")
            metadata = {"quick_reply_options": data.reply_options}
        elif not (body or attachments):
            raise missing("body")
        await add_part(
            uow,
            row["id"],
            Author.admin(admin["id"]),
            data.message_type,
            body,
            attachment_urls=attachments,
            created_at=created_at,
            metadata=metadata,
        )
    else:
        raise invalid("type must be admin or user", "type")
    return await render_conversation(uow, await storage.get_conversation(uow, row["id"]), with_parts=True)


async def _assignment(uow: UnitOfWork, row: Any, admin: Any, data: ManageRequest) -> None:
    if data.type not in ("admin", "team"):
        raise invalid("type must be admin or team for an assignment", "type")
    if data.assignee_id is UNSET:
        raise missing("assignee_id")
    assignee = str(data.assignee_id)
    column = "admin_assignee_id" if data.type == "admin" else "team_assignee_id"
    if assignee == UNASSIGNED:
        target: tuple[str, str | None] = ("nobody_admin", None)
        value = None
    elif data.type == "admin":
        value = int((await admin_row(uow, assignee, "assignee_id"))["id"])
        target = ("admin", str(value))
    else:
        numeric = parse_numeric_id(assignee)
        team = found(
            await team_storage.get_team(uow, numeric) if numeric else None, TEAM_NOT_FOUND(field="assignee_id")
        )
        value = int(team["id"])
        target = ("team", str(value))
    body = data.body if isinstance(data.body, str) else None
    await add_part(
        uow, row["id"], Author.admin(admin["id"]), "assignment", body, assigned_to=target, changes={column: value}
    )


async def manage(uow: UnitOfWork, conversation_id: str, data: ManageRequest) -> ConversationOut:
    row = await conversation_row(uow, conversation_id)
    admin = await admin_row(uow, data.admin_id)
    author = Author.admin(admin["id"])
    body = data.body if isinstance(data.body, str) and data.body else None
    if data.message_type == "close":
        await add_part(uow, row["id"], author, "close", body)
    elif data.message_type == "snoozed":
        if data.snoozed_until is UNSET:
            raise missing("snoozed_until")
        if data.snoozed_until <= clock.now():
            raise invalid("snoozed_until must be in the future", "snoozed_until")
        await add_part(uow, row["id"], author, "snoozed", snoozed_until=data.snoozed_until)
    elif data.message_type == "open":
        await add_part(uow, row["id"], author, "open")
    elif data.message_type == "assignment":
        await _assignment(uow, row, admin, data)
    else:
        raise invalid("message_type must be one of close, snoozed, open, assignment", "message_type")
    return await render_conversation(uow, await storage.get_conversation(uow, row["id"]), with_parts=True)


PRIORITIES = ("priority", "not_priority")


async def set_priority(uow: UnitOfWork, conversation_id: str | int, priority: str) -> ConversationOut:
    """Mark or unmark the conversation as a priority (`conversation.priority.updated`)."""
    if priority not in PRIORITIES:
        raise invalid("priority must be priority or not_priority", "priority")
    row = await conversation_row(uow, conversation_id)
    if row["priority"] != priority:
        await storage.update_conversation(uow, row["id"], {"priority": priority, "updated_at": clock.now()})
        return await announce(uow, "conversation.priority.updated", row["id"])
    return await render_conversation(uow, row, with_parts=True)


async def redact(uow: UnitOfWork, data: RedactRequest) -> ConversationOut:
    row = await conversation_row(uow, data.conversation_id)
    now = clock.now()
    if data.type == "conversation_part":
        if data.conversation_part_id is UNSET:
            raise missing("conversation_part_id")
        numeric = parse_numeric_id(data.conversation_part_id)
        part = found(await storage.get_part(uow, row["id"], numeric) if numeric else None, part_or_message_not_found())
        await storage.update_part(
            uow, part["id"], {"body": REDACTED_BODY, "attachments": [], "redacted": True, "updated_at": now}
        )
    elif data.type == "source":
        if data.source_id is UNSET:
            raise missing("source_id")
        if str(data.source_id) != row["source_id"]:
            raise part_or_message_not_found()
        await storage.update_conversation(
            uow,
            row["id"],
            {"source_body": REDACTED_BODY, "source_words": " ", "source_attachments": [], "source_redacted": True},
        )
    else:
        raise invalid("type must be conversation_part or source", "type")
    await storage.update_conversation(uow, row["id"], {"updated_at": now})
    return await announce(uow, "conversation_part.redacted", row["id"])


async def update_part(uow: UnitOfWork, conversation_id: str, part_id: str, data: UpdatePartRequest) -> PartOut:
    if not data.experimental:
        raise invalid("This experimental endpoint needs experimental set to true", "experimental")
    if not data.secret.strip():
        raise FORBIDDEN("A secret is required for this endpoint", "secret")
    row = await conversation_row(uow, conversation_id)
    numeric = parse_numeric_id(part_id)
    part = found(
        await storage.get_part(uow, row["id"], numeric) if numeric else None, not_found("Conversation part not found")
    )
    values: dict[str, Any] = {}
    if data.send_state is not UNSET:
        values["send_state"] = data.send_state
    if data.seen is not UNSET:
        if data.admin_id is not UNSET:
            await admin_row(uow, data.admin_id)
        values["admin_seen"] = data.seen
    if not values:
        raise invalid("Nothing to update: send send_state or seen", "send_state")
    await storage.update_part(uow, part["id"], {**values, "updated_at": clock.now()})
    directory = await Directory.load(uow)
    return await render_part(directory, await storage.get_part(uow, row["id"], part["id"]))


async def handling_events(uow: UnitOfWork, conversation_id: str) -> HandlingEventList:
    """Pauses and resumptions of teammates' handling time: nothing on this server records them yet."""
    await conversation_row(uow, conversation_id)
    return HandlingEventList(handling_events=[])


async def side_conversations(
    uow: UnitOfWork, conversation_id: str, page: int | None, per_page: int | None
) -> SideConversationList:
    """Side conversations are not created on this server, so every conversation has none."""
    await conversation_row(uow, conversation_id)
    size = clamp_per_page(per_page, 25, 50)
    return SideConversationList(
        side_conversations=[],
        total_count=0,
        pages=numbered_pages(page or 1, size, 0),
    )


async def _insert_tag(
    uow: UnitOfWork, conversation_id: int, tag_id: int, admin_id: int | None, applied_at: int
) -> None:
    values = {
        "conversation_id": conversation_id,
        "tag_id": tag_id,
        "applied_by_type": "admin",
        "applied_by_id": str(admin_id),
        "applied_at": applied_at,
    }
    await storage.insert_conversation_tag(uow, values)


TAGGABLE = tagging.Taggable("conversation", storage.get_conversation_tag, _insert_tag, storage.delete_conversation_tag)


async def attach_tag(uow: UnitOfWork, conversation_id: str, data: AttachTagRequest) -> AppliedTagOut:
    row = await conversation_row(uow, conversation_id, "Conversation not found")
    admin = await admin_row(uow, data.admin_id)
    tag = await tag_service.row_by_id(uow, data.id)
    applied, created = await tagging.attach(uow, TAGGABLE, row["id"], tag, admin["id"])
    if created:
        await storage.update_conversation(uow, row["id"], {"updated_at": clock.now()})
    return applied_tag(tag, applied)


async def detach_tag(uow: UnitOfWork, conversation_id: str, tag_id: str, data: DetachTagRequest) -> AppliedTagOut:
    row = await conversation_row(uow, conversation_id, "Conversation not found")
    await admin_row(uow, data.admin_id)
    tag = await tag_service.row_by_id(uow, tag_id, tag_service.tag_not_found("tag_not_found", "Tag not found"))
    applied = found(
        await tagging.detach(uow, TAGGABLE, row["id"], tag), TAG_NOT_FOUND("Tag not found on this conversation")
    )
    await storage.update_conversation(uow, row["id"], {"updated_at": clock.now()})
    return applied_tag(tag, applied)


async def list_deleted(
    uow: UnitOfWork, page: int | None, per_page: int | None, order: str | None, base_url: str
) -> DeletedConversationList:
    size = clamp_per_page(per_page, DELETED_PER_PAGE, DELETED_MAX_PER_PAGE)
    number = page or 1
    if number < 1:
        raise invalid("page must be a positive integer", "page")
    direction = (order or "desc").lower()
    if direction not in ("asc", "desc"):
        raise invalid("order must be asc or desc", "order")
    rows, total = await storage.deleted_page(uow, direction == "asc", (number - 1) * size, size)
    next_url = f"{base_url.rstrip('/')}/conversations/deleted?per_page={{per_page}}&order={direction}&page={{page}}"
    return DeletedConversationList(
        conversations=[
            DeletedConversationItem(
                id=str(r["conversation_id"]), metrics_retained=r["metrics_retained"], deleted_at=r["deleted_at"]
            )
            for r in rows
        ],
        total_count=total,
        pages=numbered_pages(number, size, total, next_url, last=None),
    )
