from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.contacts import service
from tidings.contacts.schemas import (
    ContactArchived,
    ContactBlocked,
    ContactDeleted,
    ContactList,
    ContactOut,
    ContactTagList,
    ContactTagOut,
    ContactWrite,
    MergeRequest,
    SearchRequest,
    TagIdRequest,
)
from tidings.core.deps import Uow


class ContactsController(Controller):
    path = "/contacts"
    tags = ["Contacts"]

    @get("/", operation_id="ListContacts")
    async def list_contacts(
        self,
        uow: Uow,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
        page: FromQuery[int | None] = None,
    ) -> ContactList:
        # `page` is accepted and ignored: the SDK re-sends it next to a cursor.
        return await service.list_page(uow, per_page, starting_after)

    @post("/", operation_id="CreateContact", status_code=200)
    async def create_contact(self, data: JSONBody[ContactWrite], uow: Uow) -> ContactOut:
        return await service.create(uow, data)

    @post("/search", operation_id="SearchContacts", status_code=200)
    async def search_contacts(self, data: JSONBody[SearchRequest], uow: Uow) -> ContactList:
        return await service.search(uow, data)

    @post("/merge", operation_id="MergeContact", status_code=200)
    async def merge_contact(self, data: JSONBody[MergeRequest], uow: Uow) -> ContactOut:
        return await service.merge(uow, data)

    @get("/find_by_external_id/{external_id:str}", operation_id="ShowContactByExternalId")
    async def show_contact_by_external_id(self, external_id: FromPath[str], uow: Uow) -> ContactOut:
        return await service.get_by_external_id(uow, external_id)

    @get("/{contact_id:str}", operation_id="ShowContact")
    async def show_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactOut:
        return await service.get(uow, contact_id)

    @put("/{contact_id:str}", operation_id="UpdateContact")
    async def update_contact(self, contact_id: FromPath[str], data: JSONBody[ContactWrite], uow: Uow) -> ContactOut:
        return await service.update(uow, contact_id, data)

    @delete("/{contact_id:str}", operation_id="DeleteContact", status_code=200)
    async def delete_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactDeleted:
        return await service.delete(uow, contact_id)

    @post("/{contact_id:str}/archive", operation_id="ArchiveContact", status_code=200)
    async def archive_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactArchived:
        return await service.archive(uow, contact_id, archived=True)

    @post("/{contact_id:str}/unarchive", operation_id="UnarchiveContact", status_code=200)
    async def unarchive_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactArchived:
        return await service.archive(uow, contact_id, archived=False)

    @post("/{contact_id:str}/block", operation_id="BlockContact", status_code=200)
    async def block_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactBlocked:
        return await service.block(uow, contact_id)


class ContactTagsController(Controller):
    path = "/contacts/{contact_id:str}/tags"
    tags = ["Tags"]

    @get("/", operation_id="listTagsForAContact")
    async def list_tags_for_a_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactTagList:
        return await service.list_tags(uow, contact_id)

    @post("/", operation_id="attachTagToContact", status_code=200)
    async def attach_tag_to_contact(
        self, contact_id: FromPath[str], data: JSONBody[TagIdRequest], uow: Uow
    ) -> ContactTagOut:
        return await service.attach_tag(uow, contact_id, data)

    @delete("/{tag_id:str}", operation_id="detachTagFromContact", status_code=200)
    async def detach_tag_from_contact(
        self, contact_id: FromPath[str], tag_id: FromPath[str], uow: Uow
    ) -> ContactTagOut:
        return await service.detach_tag(uow, contact_id, tag_id)
