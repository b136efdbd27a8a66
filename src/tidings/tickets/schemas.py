from __future__ import annotations

from typing import Any, Literal

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType

TypeCategory = Literal["Customer", "Back-office", "Tracker"]
DataType = Literal["string", "list", "integer", "decimal", "boolean", "datetime", "files"]


# Ticket states.
class TicketStateOut(msgspec.Struct):
    id: str
    category: str
    internal_label: str
    external_label: str
    type: str = "ticket_state"


class TicketStateList(msgspec.Struct):
    data: list[TicketStateOut]
    type: str = "list"


class TicketTypeBrief(msgspec.Struct):
    """A ticket type as listed under a ticket state: without its attributes and states."""

    id: str
    name: str
    description: str
    icon: str
    archived: bool
    is_internal: bool
    category: str
    type: str = "ticket_type"


class TicketTypeBriefList(msgspec.Struct):
    data: list[TicketTypeBrief]
    type: str = "list"


class TicketStateDetailedOut(msgspec.Struct):
    id: str
    category: str
    internal_label: str
    external_label: str
    archived: bool
    ticket_types: TicketTypeBriefList
    type: str = "ticket_state"


class TicketStateDetailedList(msgspec.Struct):
    data: list[TicketStateDetailedOut]
    type: str = "list"


# Ticket types and attributes.
class TicketTypeAttributeOut(msgspec.Struct):
    id: str
    workspace_id: str
    name: str
    description: str
    data_type: str
    order: int
    required_to_create: bool
    required_to_create_for_contacts: bool
    visible_on_create: bool
    visible_to_contacts: bool
    default: bool
    ticket_type_id: int
    archived: bool
    created_at: int
    updated_at: int
    # The schema does not allow null: attributes without options omit the field.
    input_options: dict[str, Any] | UnsetType = UNSET
    type: str = "ticket_type_attribute"


class TicketTypeAttributeList(msgspec.Struct):
    """Intercom answers `{type: list, data}` (its examples) while the schema (and so the SDKs) name the
    array `ticket_type_attributes`: both are sent, so either reader finds the attributes."""

    data: list[TicketTypeAttributeOut]
    ticket_type_attributes: list[TicketTypeAttributeOut]
    type: str = "list"


class TicketTypeOut(msgspec.Struct):
    id: str
    name: str
    description: str
    icon: str
    workspace_id: str
    archived: bool
    created_at: int
    updated_at: int
    is_internal: bool
    ticket_type_attributes: TicketTypeAttributeList
    category: str
    ticket_states: TicketStateList
    type: str = "ticket_type"


class TicketTypeList(msgspec.Struct):
    data: list[TicketTypeOut]
    type: str = "list"


class CreateTicketTypeRequest(Request):
    name: str
    description: str | UnsetType = UNSET
    category: TypeCategory | UnsetType = UNSET
    icon: str | UnsetType = UNSET
    is_internal: bool | UnsetType = UNSET


class UpdateTicketTypeRequest(Request):
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    category: TypeCategory | UnsetType = UNSET
    icon: str | UnsetType = UNSET
    archived: bool | UnsetType = UNSET
    is_internal: bool | UnsetType = UNSET


class CreateTicketTypeAttributeRequest(Request):
    name: str
    description: str
    data_type: DataType
    required_to_create: bool = False
    required_to_create_for_contacts: bool = False
    visible_on_create: bool = True
    visible_to_contacts: bool = True
    multiline: bool | UnsetType = UNSET
    list_items: str | UnsetType = UNSET
    allow_multiple_values: bool | UnsetType = UNSET


class UpdateTicketTypeAttributeRequest(Request):
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    required_to_create: bool | UnsetType = UNSET
    required_to_create_for_contacts: bool | UnsetType = UNSET
    visible_on_create: bool | UnsetType = UNSET
    visible_to_contacts: bool | UnsetType = UNSET
    multiline: bool | UnsetType = UNSET
    list_items: str | UnsetType = UNSET
    allow_multiple_values: bool | UnsetType = UNSET
    archived: bool | UnsetType = UNSET


# Tickets.
class Reference(msgspec.Struct):
    type: str
    id: str | None


class PartAuthor(msgspec.Struct):
    id: str
    type: str
    name: str | None
    email: str | UnsetType = UNSET


class TicketPartOut(msgspec.Struct):
    id: str
    part_type: str
    created_at: int
    updated_at: int
    author: PartAuthor
    attachments: list[dict[str, Any]]
    redacted: bool
    body: str | None | UnsetType = UNSET
    previous_ticket_state: str | UnsetType = UNSET
    ticket_state: str | UnsetType = UNSET
    assigned_to: Reference | UnsetType = UNSET
    updated_attribute_data: dict[str, Any] | UnsetType = UNSET
    type: str = "ticket_part"


class TicketPartList(msgspec.Struct):
    ticket_parts: list[TicketPartOut]
    total_count: int
    type: str = "ticket_part.list"


class ContactReference(msgspec.Struct):
    id: str
    external_id: str | None
    type: str = "contact"


class TicketContacts(msgspec.Struct):
    contacts: list[ContactReference]
    type: str = "contact.list"


class LinkedObjectList(msgspec.Struct):
    data: list[dict[str, Any]]
    total_count: int
    has_more: bool
    type: str = "list"


class TicketOut(msgspec.Struct):
    id: str
    ticket_id: str
    ticket_attributes: dict[str, Any]
    ticket_state: TicketStateOut
    ticket_type: TicketTypeOut
    contacts: TicketContacts
    admin_assignee_id: str
    team_assignee_id: str
    created_at: int
    updated_at: int
    ticket_parts: TicketPartList
    open: bool
    linked_objects: LinkedObjectList
    category: str
    is_shared: bool
    previous_ticket_state_id: str | None
    snoozed_until: int | UnsetType = UNSET
    type: str = "ticket"


class TicketList(msgspec.Struct):
    tickets: list[TicketOut]
    total_count: int
    pages: dict[str, Any]
    type: str = "ticket.list"


class TicketDeleted(msgspec.Struct):
    id: str
    object: str = "ticket"
    deleted: bool = True


class ContactIdentifier(Request):
    id: str | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    email: str | UnsetType = UNSET


class Assignment(Request):
    admin_assignee_id: str | int | UnsetType = UNSET
    team_assignee_id: str | int | UnsetType = UNSET


class CreateTicketRequest(Request):
    ticket_type_id: str | int
    contacts: list[ContactIdentifier]
    ticket_attributes: dict[str, Any] | UnsetType = UNSET
    company_id: str | None | UnsetType = UNSET
    created_at: int | UnsetType = UNSET
    assignment: Assignment | UnsetType = UNSET
    conversation_to_link_id: str | int | None | UnsetType = UNSET
    skip_notifications: bool | UnsetType = UNSET


class UpdateTicketRequest(Request):
    ticket_attributes: dict[str, Any] | UnsetType = UNSET
    ticket_state_id: str | int | UnsetType = UNSET
    company_id: str | None | UnsetType = UNSET
    open: bool | UnsetType = UNSET
    is_shared: bool | UnsetType = UNSET
    snoozed_until: int | None | UnsetType = UNSET
    admin_id: str | int | UnsetType = UNSET
    assignee_id: str | int | UnsetType = UNSET
    skip_notifications: bool | UnsetType = UNSET


class ChangeTicketTypeRequest(Request):
    ticket_type_id: str | int
    ticket_state_id: str | int
    ticket_attributes: dict[str, Any] | UnsetType = UNSET


class ReplyOption(Request):
    text: str
    uuid: str


class ReplyTicketRequest(Request):
    """Both reply shapes the spec allows (admin, contact) in one struct; `type` picks the rules."""

    message_type: Literal["comment", "note", "quick_reply"]
    type: Literal["admin", "user"]
    body: str | UnsetType = UNSET
    admin_id: str | int | UnsetType = UNSET
    intercom_user_id: str | UnsetType = UNSET
    user_id: str | UnsetType = UNSET
    email: str | UnsetType = UNSET
    created_at: int | UnsetType = UNSET
    reply_options: list[ReplyOption] | UnsetType = UNSET
    attachment_urls: list[str] | UnsetType = UNSET
    cross_post: bool | UnsetType = UNSET
    skip_notifications: bool | UnsetType = UNSET


class TicketReplyOut(msgspec.Struct):
    id: str
    part_type: str
    created_at: int
    updated_at: int
    author: PartAuthor
    attachments: list[dict[str, Any]]
    redacted: bool
    body: str | None | UnsetType = UNSET
    type: str = "ticket_part"


class AttachTagRequest(Request):
    id: str | int
    admin_id: str | int


class DetachTagRequest(Request):
    admin_id: str | int


class AppliedTagOut(msgspec.Struct):
    id: str
    name: str
    applied_at: int
    applied_by: Reference
    type: str = "tag"


class SearchPagination(Request):
    per_page: int | UnsetType = UNSET
    starting_after: str | None | UnsetType = UNSET


class SearchTicketsRequest(Request):
    query: dict[str, Any]
    pagination: SearchPagination | None | UnsetType = UNSET
