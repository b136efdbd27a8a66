from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.paging import CursorPages, Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType

# Intercom's examples send admin and assignee ids as numbers although the schema says string.
AnyId = str | int


# Requests.
class ContactRef(Request):
    type: str
    id: str


class CreateConversationRequest(Request):
    from_: ContactRef = msgspec.field(name="from")
    body: str
    subject: str | None | UnsetType = UNSET
    attachment_urls: list[str] | UnsetType = UNSET
    created_at: int | UnsetType = UNSET


class UpdateConversationRequest(Request):
    read: bool | UnsetType = UNSET
    title: str | None | UnsetType = UNSET
    custom_attributes: dict[str, Any] | UnsetType = UNSET
    company_id: str | None | UnsetType = UNSET


class ReplyRequest(Request):
    message_type: str
    type: str
    body: str | None | UnsetType = UNSET
    admin_id: AnyId | UnsetType = UNSET
    intercom_user_id: str | UnsetType = UNSET
    user_id: str | UnsetType = UNSET
    email: str | UnsetType = UNSET
    created_at: int | UnsetType = UNSET
    attachment_urls: list[str] | UnsetType = UNSET
    reply_options: list[dict[str, Any]] | UnsetType = UNSET


class ManageRequest(Request):
    message_type: str
    admin_id: AnyId
    type: str | UnsetType = UNSET
    assignee_id: AnyId | UnsetType = UNSET
    body: str | None | UnsetType = UNSET
    snoozed_until: int | UnsetType = UNSET


class AttachContactRequest(Request):
    admin_id: AnyId | UnsetType = UNSET
    customer: dict[str, Any] | UnsetType = UNSET


class DetachContactRequest(Request):
    admin_id: AnyId


class RedactRequest(Request):
    type: str
    conversation_id: AnyId
    conversation_part_id: AnyId | UnsetType = UNSET
    source_id: AnyId | UnsetType = UNSET


class SearchRequest(Request):
    query: dict[str, Any]
    pagination: dict[str, Any] | None | UnsetType = UNSET


class AttachTagRequest(Request):
    id: AnyId
    admin_id: AnyId


class DetachTagRequest(Request):
    admin_id: AnyId


class UpdatePartRequest(Request):
    experimental: bool
    secret: str
    send_state: str | UnsetType = UNSET
    info_message: str | UnsetType = UNSET
    seen: bool | UnsetType = UNSET
    admin_id: AnyId | UnsetType = UNSET


class ConvertRequest(Request):
    ticket_type_id: AnyId
    ticket_state_id: AnyId | UnsetType = UNSET
    attributes: dict[str, Any] | UnsetType = UNSET


class CreateMessageRequest(Request):
    from_: dict[str, Any] = msgspec.field(name="from")
    message_type: str | UnsetType = UNSET
    subject: str | None | UnsetType = UNSET
    body: str | None | UnsetType = UNSET
    template: str | UnsetType = UNSET
    to: dict[str, Any] | list[dict[str, Any]] | UnsetType = UNSET
    cc: dict[str, Any] | list[dict[str, Any]] | UnsetType = UNSET
    bcc: dict[str, Any] | list[dict[str, Any]] | UnsetType = UNSET
    components: list[dict[str, Any]] | UnsetType = UNSET
    locale: str | UnsetType = UNSET
    created_at: int | UnsetType = UNSET
    create_conversation_without_contact_reply: bool = False
    referer: str | UnsetType = UNSET


# Responses.
class PartOut(Out, tag="conversation_part"):
    id: str
    part_type: str
    body: str | None
    created_at: int
    updated_at: int
    notified_at: int
    author: dict[str, Any]
    attachments: list[dict[str, Any]]
    external_id: str | None
    redacted: bool
    state: str
    tags: list[dict[str, Any]]
    email_message_metadata: None = None
    app_package_code: None = None
    event_details: dict[str, Any] | UnsetType = UNSET
    # The spec's `$ref` + `nullable` does not allow null here: absent means "no assignment change".
    assigned_to: dict[str, Any] | UnsetType = UNSET
    metadata: dict[str, Any] | UnsetType = UNSET
    external_reply_send_state: str | UnsetType = UNSET
    seen_state: dict[str, Any] | UnsetType = UNSET


class PartList(Out, tag="conversation_part.list"):
    conversation_parts: list[PartOut]
    total_count: int


class ConversationOut(Out, tag="conversation"):
    id: str
    title: str | None
    created_at: int
    updated_at: int
    waiting_since: int | None
    snoozed_until: int | None
    open: bool
    state: str
    read: bool
    priority: str
    admin_assignee_id: int | None
    team_assignee_id: int | None
    tags: dict[str, Any]
    conversation_rating: None
    source: dict[str, Any]
    contacts: dict[str, Any]
    teammates: dict[str, Any]
    custom_attributes: dict[str, Any]
    first_contact_reply: dict[str, Any] | None
    statistics: dict[str, Any]
    linked_objects: dict[str, Any]
    ai_agent_participated: bool
    sla_applied: None = None
    company: dict[str, Any] | UnsetType = UNSET
    conversation_parts: PartList | UnsetType = UNSET


class ConversationList(Out, tag="conversation.list"):
    conversations: list[ConversationOut]
    total_count: int
    pages: CursorPages


class Customers(PlainOut):
    """What attaching or detaching a participant answers: the participants now (Intercom's examples)."""

    customers: list[dict[str, Any]]


class ConversationDeleted(PlainOut):
    id: str
    object: str = "conversation"
    deleted: bool = True


class DeletedConversationItem(Out, tag="conversation"):
    id: str
    metrics_retained: bool
    deleted_at: int


class DeletedConversationList(Out, tag="conversations.list"):
    conversations: list[DeletedConversationItem]
    total_count: int
    pages: Pages


class AppliedTagOut(Out, tag="tag"):
    id: str
    name: str
    applied_at: int | None
    applied_by: dict[str, Any] | None


class HandlingEventList(PlainOut):
    handling_events: list[dict[str, Any]]


class SideConversationList(Out, tag="side_conversation.list"):
    side_conversations: list[dict[str, Any]]
    total_count: int
    pages: Pages


class MessageOut(PlainOut):
    type: str
    id: str
    created_at: int
    body: str
    message_type: str
    subject: str | UnsetType = UNSET
    conversation_id: str | UnsetType = UNSET
    owner: dict[str, Any] | UnsetType = UNSET


class WhatsAppStatusOut(Out, tag="broadcast_outbound"):
    conversation_id: str
    status: str
    created_at: int
    updated_at: int
    message_id: str
    template_name: str | UnsetType = UNSET


class WhatsAppStatusList(Out, tag="list"):
    ruleset_id: str
    pages: CursorPages
    total_count: int
    events: list[dict[str, Any]]
