from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.jobs.schemas import JobOut
from tidings.tickets import replies, service, types_service
from tidings.tickets.schemas import (
    AppliedTagOut,
    AttachTagRequest,
    ChangeTicketTypeRequest,
    CreateTicketRequest,
    CreateTicketTypeAttributeRequest,
    CreateTicketTypeRequest,
    DetachTagRequest,
    ReplyTicketRequest,
    SearchTicketsRequest,
    TicketDeleted,
    TicketList,
    TicketOut,
    TicketReplyOut,
    TicketStateDetailedList,
    TicketTypeAttributeOut,
    TicketTypeList,
    TicketTypeOut,
    UpdateTicketRequest,
    UpdateTicketTypeAttributeRequest,
    UpdateTicketTypeRequest,
)


class TicketStatesController(Controller):
    path = "/ticket_states"
    tags = ["Ticket States"]

    # Reading may create the workspace's default states (lazily, at first use).
    @get("/", operation_id="listTicketStates", opt={"write": True})
    async def list_ticket_states(self, uow: Uow) -> TicketStateDetailedList:
        return await types_service.list_states(uow)


class TicketTypesController(Controller):
    path = "/ticket_types"
    tags = ["Ticket Types"]

    @get("/", operation_id="listTicketTypes", opt={"write": True})
    async def list_ticket_types(self, uow: Uow) -> TicketTypeList:
        return await types_service.list_types(uow)

    @post("/", operation_id="createTicketType", status_code=200)
    async def create_ticket_type(self, data: JSONBody[CreateTicketTypeRequest], uow: Uow) -> TicketTypeOut:
        return await types_service.create_type(uow, data)

    @get("/{ticket_type_id:str}", operation_id="getTicketType")
    async def get_ticket_type(self, ticket_type_id: FromPath[str], uow: Uow) -> TicketTypeOut:
        return await types_service.get_type(uow, ticket_type_id)

    @put("/{ticket_type_id:str}", operation_id="updateTicketType")
    async def update_ticket_type(
        self, ticket_type_id: FromPath[str], data: JSONBody[UpdateTicketTypeRequest], uow: Uow
    ) -> TicketTypeOut:
        return await types_service.update_type(uow, ticket_type_id, data)

    @post("/{ticket_type_id:str}/attributes", operation_id="createTicketTypeAttribute", status_code=200)
    async def create_ticket_type_attribute(
        self, ticket_type_id: FromPath[str], data: JSONBody[CreateTicketTypeAttributeRequest], uow: Uow
    ) -> TicketTypeAttributeOut:
        return await types_service.create_attribute(uow, ticket_type_id, data)

    @put("/{ticket_type_id:str}/attributes/{attribute_id:str}", operation_id="updateTicketTypeAttribute")
    async def update_ticket_type_attribute(
        self,
        ticket_type_id: FromPath[str],
        attribute_id: FromPath[str],
        data: JSONBody[UpdateTicketTypeAttributeRequest],
        uow: Uow,
    ) -> TicketTypeAttributeOut:
        return await types_service.update_attribute(uow, ticket_type_id, attribute_id, data)


class TicketsController(Controller):
    path = "/tickets"
    tags = ["Tickets"]

    @post("/", operation_id="createTicket", status_code=200)
    async def create_ticket(self, data: JSONBody[CreateTicketRequest], uow: Uow) -> TicketOut:
        return await service.create(uow, data)

    @post("/enqueue", operation_id="enqueueCreateTicket", status_code=200)
    async def enqueue_create_ticket(
        self, data: JSONBody[CreateTicketRequest], uow: Uow, request: Request[Any, Any, Any]
    ) -> JobOut:
        return await service.enqueue(uow, data, str(request.base_url))

    @post("/search", operation_id="searchTickets", status_code=200, opt={"write": True})
    async def search_tickets(self, data: JSONBody[SearchTicketsRequest], uow: Uow) -> TicketList:
        return await service.search_tickets(uow, data)

    @get("/{ticket_id:str}", operation_id="getTicket")
    async def get_ticket(self, ticket_id: FromPath[str], uow: Uow) -> TicketOut:
        return await service.get(uow, ticket_id)

    @put("/{ticket_id:str}", operation_id="updateTicket")
    async def update_ticket(self, ticket_id: FromPath[str], data: JSONBody[UpdateTicketRequest], uow: Uow) -> TicketOut:
        return await service.update(uow, ticket_id, data)

    @delete("/{ticket_id:str}", operation_id="deleteTicket", status_code=200)
    async def delete_ticket(self, ticket_id: FromPath[str], uow: Uow) -> TicketDeleted:
        return await service.delete(uow, ticket_id)

    @post("/{ticket_id:str}/reply", operation_id="replyTicket", status_code=200)
    async def reply_ticket(
        self, ticket_id: FromPath[str], data: JSONBody[ReplyTicketRequest], uow: Uow
    ) -> TicketReplyOut:
        return await replies.reply(uow, ticket_id, data)

    @post("/{ticket_id:str}/change_type", operation_id="changeTicketType", status_code=200)
    async def change_ticket_type(
        self, ticket_id: FromPath[str], data: JSONBody[ChangeTicketTypeRequest], uow: Uow
    ) -> TicketOut:
        return await service.change_type(uow, ticket_id, data)

    @post("/{ticket_id:str}/tags", operation_id="attachTagToTicket", status_code=200)
    async def attach_tag_to_ticket(
        self, ticket_id: FromPath[str], data: JSONBody[AttachTagRequest], uow: Uow
    ) -> AppliedTagOut:
        return await service.attach_tag(uow, ticket_id, data)

    @delete("/{ticket_id:str}/tags/{tag_id:str}", operation_id="detachTagFromTicket", status_code=200)
    async def detach_tag_from_ticket(
        self, ticket_id: FromPath[str], tag_id: FromPath[str], data: JSONBody[DetachTagRequest], uow: Uow
    ) -> AppliedTagOut:
        return await service.detach_tag(uow, ticket_id, tag_id, data)
