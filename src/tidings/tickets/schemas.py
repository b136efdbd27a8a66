from __future__ import annotations

from typing import Any, Literal

from tidings.core.limits import AttributeName, Description, Name
from tidings.core.paging import CursorPages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType

TypeCategory = Literal["Customer", "Back-office", "Tracker"]
DataType = Literal["string", "list", "integer", "decimal", "boolean", "datetime", "files"]


# Ticket states.
class TicketStateOut(Out, tag="ticket_state"):
    id: str
    category: str
    internal_label: str
    external_label: str


class TicketStateList(Out, tag="list"):
    data: list[TicketStateOut]


class TicketTypeBrief(Out, tag="ticket_type"):
    """A ticket type as listed under a ticket state: without its attributes and states."""

    id: str
    name: str
    description: str
    icon: str
    archived: bool
    is_internal: bool
    category: str


class TicketTypeBriefList(Out, tag="list"):
    data: list[TicketTypeBrief]


class TicketStateDetailedOut(Out, tag="ticket_state"):
    id: str
    category: str
    internal_label: str
    external_label: str
    archived: bool
    ticket_types: TicketTypeBriefList


class TicketStateDetailedList(Out, tag="list"):
    data: list[TicketStateDetailedOut]


# Ticket types and attributes.
class TicketTypeAttributeOut(Out, tag="ticket_type_attribute"):
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


class TicketTypeAttributeList(Out, tag="list"):
    """Intercom answers `{type: list, data}` (its examples) while the schema (and so the SDKs) name the
    array `ticket_type_attributes`: both are sent, so either reader finds the attributes."""

    data: list[TicketTypeAttributeOut]
    ticket_type_attributes: list[TicketTypeAttributeOut]


class TicketTypeOut(Out, tag="ticket_type"):
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


class TicketTypeList(Out, tag="list"):
    data: list[TicketTypeOut]


class CreateTicketTypeRequest(Request):
    name: Name
    description: Description | UnsetType = UNSET
    category: TypeCategory | UnsetType = UNSET
    icon: str | UnsetType = UNSET
    is_internal: bool | UnsetType = UNSET


class UpdateTicketTypeRequest(Request):
    name: Name | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    category: TypeCategory | UnsetType = UNSET
    icon: str | UnsetType = UNSET
    archived: bool | UnsetType = UNSET
    is_internal: bool | UnsetType = UNSET


class CreateTicketTypeAttributeRequest(Request):
    name: AttributeName
    description: Description
    data_type: DataType
    required_to_create: bool = False
    required_to_create_for_contacts: bool = False
    visible_on_create: bool = True
    visible_to_contacts: bool = True
    multiline: bool | UnsetType = UNSET
    list_items: str | UnsetType = UNSET
    allow_multiple_values: bool | UnsetType = UNSET


class UpdateTicketTypeAttributeRequest(Request):
    name: AttributeName | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    required_to_create: bool | UnsetType = UNSET
    required_to_create_for_contacts: bool | UnsetType = UNSET
    visible_on_create: bool | UnsetType = UNSET
    visible_to_contacts: bool | UnsetType = UNSET
    multiline: bool | UnsetType = UNSET
    list_items: str | UnsetType = UNSET
    allow_multiple_values: bool | UnsetType = UNSET
    archived: bool | UnsetType = UNSET


# Tickets.
class Reference(PlainOut):
    type: str
    id: str | None


class PartAuthor(PlainOut):
    id: str
    type: str
    name: str | None
    email: str | UnsetType = UNSET


class TicketPartOut(Out, tag="ticket_part"):
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


class TicketPartList(Out, tag="ticket_part.list"):
    ticket_parts: list[TicketPartOut]
    total_count: int


class ContactReference(Out, tag="contact"):
    id: str
    external_id: str | None


class TicketContacts(Out, tag="contact.list"):
    contacts: list[ContactReference]


class LinkedObjectList(Out, tag="list"):
    data: list[dict[str, Any]]
    total_count: int
    has_more: bool


class TicketOut(Out, tag="ticket"):
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


class TicketList(Out, tag="ticket.list"):
    tickets: list[TicketOut]
    total_count: int
    pages: CursorPages


class TicketDeleted(PlainOut):
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


class TicketReplyOut(Out, tag="ticket_part"):
    id: str
    part_type: str
    created_at: int
    updated_at: int
    author: PartAuthor
    attachments: list[dict[str, Any]]
    redacted: bool
    body: str | None | UnsetType = UNSET


class AttachTagRequest(Request):
    id: str | int
    admin_id: str | int


class DetachTagRequest(Request):
    admin_id: str | int


class AppliedTagOut(Out, tag="tag"):
    id: str
    name: str
    applied_at: int
    applied_by: Reference


class SearchPagination(Request):
    per_page: int | UnsetType = UNSET
    starting_after: str | None | UnsetType = UNSET


class SearchTicketsRequest(Request):
    query: dict[str, Any]
    pagination: SearchPagination | None | UnsetType = UNSET
