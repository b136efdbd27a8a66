from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.conversations import messages, participants, service
from tidings.conversations.schemas import (
    AppliedTagOut,
    AttachContactRequest,
    AttachTagRequest,
    ConversationDeleted,
    ConversationList,
    ConversationOut,
    ConvertRequest,
    CreateConversationRequest,
    CreateMessageRequest,
    Customers,
    DeletedConversationList,
    DetachContactRequest,
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
    WhatsAppStatusList,
    WhatsAppStatusOut,
)
from tidings.core.deps import Uow
from tidings.tickets.schemas import TicketOut
from tidings.tickets_conversations import conversion


class ConversationsController(Controller):
    path = "/conversations"
    tags = ["Conversations"]

    @get("/", operation_id="listConversations")
    async def list_conversations(
        self, uow: Uow, per_page: FromQuery[int | None] = None, starting_after: FromQuery[str | None] = None
    ) -> ConversationList:
        return await service.list_page(uow, per_page, starting_after)

    @post("/", operation_id="createConversation", status_code=200)
    async def create_conversation(self, data: JSONBody[CreateConversationRequest], uow: Uow) -> MessageOut:
        return await service.create(uow, data)

    @get("/deleted", operation_id="listDeletedConversationIds")
    async def list_deleted_conversation_ids(
        self,
        request: Request[Any, Any, Any],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        order: FromQuery[str | None] = None,
    ) -> DeletedConversationList:
        return await service.list_deleted(uow, page, per_page, order, str(request.base_url))

    @post("/search", operation_id="searchConversations", status_code=200)
    async def search_conversations(self, data: JSONBody[SearchRequest], uow: Uow) -> ConversationList:
        return await service.search(uow, data)

    @post("/redact", operation_id="redactConversation", status_code=200)
    async def redact_conversation(self, data: JSONBody[RedactRequest], uow: Uow) -> ConversationOut:
        return await service.redact(uow, data)

    @get("/{conversation_id:str}", operation_id="retrieveConversation")
    async def retrieve_conversation(
        self, conversation_id: FromPath[str], uow: Uow, display_as: FromQuery[str | None] = None
    ) -> ConversationOut:
        return await service.retrieve(uow, conversation_id, display_as)

    @put("/{conversation_id:str}", operation_id="updateConversation")
    async def update_conversation(
        self,
        conversation_id: FromPath[str],
        data: JSONBody[UpdateConversationRequest],
        uow: Uow,
        display_as: FromQuery[str | None] = None,
    ) -> ConversationOut:
        return await service.update(uow, conversation_id, data, display_as)

    @delete("/{conversation_id:str}", operation_id="deleteConversation", status_code=200)
    async def delete_conversation(
        self, conversation_id: FromPath[str], uow: Uow, retain_metrics: FromQuery[bool | None] = None
    ) -> ConversationDeleted:
        return await service.delete(uow, conversation_id, retain_metrics)

    @post("/{conversation_id:str}/reply", operation_id="replyConversation", status_code=200)
    async def reply_conversation(
        self, conversation_id: FromPath[str], data: JSONBody[ReplyRequest], uow: Uow
    ) -> ConversationOut:
        return await service.reply(uow, conversation_id, data)

    @post("/{conversation_id:str}/parts", operation_id="manageConversation", status_code=200)
    async def manage_conversation(
        self, conversation_id: FromPath[str], data: JSONBody[ManageRequest], uow: Uow
    ) -> ConversationOut:
        return await service.manage(uow, conversation_id, data)

    @put("/{conversation_id:str}/conversation_parts/{part_id:str}", operation_id="updateConversationPart")
    async def update_conversation_part(
        self, conversation_id: FromPath[str], part_id: FromPath[str], data: JSONBody[UpdatePartRequest], uow: Uow
    ) -> PartOut:
        return await service.update_part(uow, conversation_id, part_id, data)

    @post("/{conversation_id:str}/customers", operation_id="attachContactToConversation", status_code=200)
    async def attach_contact_to_conversation(
        self, conversation_id: FromPath[str], data: JSONBody[AttachContactRequest], uow: Uow
    ) -> Customers:
        return await participants.attach_contact(uow, conversation_id, data)

    @delete(
        "/{conversation_id:str}/customers/{contact_id:str}",
        operation_id="detachContactFromConversation",
        status_code=200,
    )
    async def detach_contact_from_conversation(
        self, conversation_id: FromPath[str], contact_id: FromPath[str], data: JSONBody[DetachContactRequest], uow: Uow
    ) -> Customers:
        return await participants.detach_contact(uow, conversation_id, contact_id, data)

    @post("/{conversation_id:str}/tags", operation_id="attachTagToConversation", status_code=200)
    async def attach_tag_to_conversation(
        self, conversation_id: FromPath[str], data: JSONBody[AttachTagRequest], uow: Uow
    ) -> AppliedTagOut:
        return await service.attach_tag(uow, conversation_id, data)

    @delete("/{conversation_id:str}/tags/{tag_id:str}", operation_id="detachTagFromConversation", status_code=200)
    async def detach_tag_from_conversation(
        self, conversation_id: FromPath[str], tag_id: FromPath[str], data: JSONBody[DetachTagRequest], uow: Uow
    ) -> AppliedTagOut:
        return await service.detach_tag(uow, conversation_id, tag_id, data)

    @post("/{conversation_id:str}/convert", operation_id="convertConversationToTicket", status_code=200)
    async def convert_conversation_to_ticket(
        self, conversation_id: FromPath[str], data: JSONBody[ConvertRequest], uow: Uow
    ) -> TicketOut:
        return await conversion.convert_conversation(uow, conversation_id, data)

    @get("/{conversation_id:str}/handling_events", operation_id="listHandlingEvents")
    async def list_handling_events(self, conversation_id: FromPath[str], uow: Uow) -> HandlingEventList:
        return await service.handling_events(uow, conversation_id)

    @get("/{conversation_id:str}/side_conversations", operation_id="listSideConversations")
    async def list_side_conversations(
        self,
        conversation_id: FromPath[str],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> SideConversationList:
        return await service.side_conversations(uow, conversation_id, page, per_page)


class MessagesController(Controller):
    path = "/messages"
    tags = ["Messages"]

    @post("/", operation_id="createMessage", status_code=200)
    async def create_message(self, data: JSONBody[CreateMessageRequest], uow: Uow) -> MessageOut:
        return await messages.create_message(uow, data)

    @get("/status", operation_id="getWhatsAppMessageStatus")
    async def get_whats_app_message_status(
        self,
        uow: Uow,
        ruleset_id: FromQuery[str | None] = None,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
    ) -> WhatsAppStatusList:
        return await messages.whatsapp_statuses(uow, ruleset_id, per_page, starting_after)

    @get("/whatsapp/status", operation_id="RetrieveWhatsAppMessageStatus")
    async def retrieve_whats_app_message_status(
        self, uow: Uow, message_id: FromQuery[str | None] = None
    ) -> WhatsAppStatusOut:
        return await messages.whatsapp_status(uow, message_id)
