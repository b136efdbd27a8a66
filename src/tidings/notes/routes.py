from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.core.paging import requested_page
from tidings.notes import service
from tidings.notes.schemas import CreateNoteRequest, NoteList, NoteOut


class NotesController(Controller):
    path = "/notes"
    tags = ["Notes"]

    @get("/{note_id:str}", operation_id="retrieveNote")
    async def retrieve_note(self, note_id: FromPath[str], uow: Uow) -> NoteOut:
        return await service.get(uow, note_id)


class ContactNotesController(Controller):
    path = "/contacts/{contact_id:str}/notes"
    tags = ["Notes"]

    @get("/", operation_id="listNotes")
    async def list_notes(
        self,
        contact_id: FromPath[str],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
    ) -> NoteList:
        return await service.of_contact(uow, contact_id, requested_page(page, starting_after), per_page)

    @post("/", operation_id="createNote", status_code=200)
    async def create_note(self, contact_id: FromPath[str], data: JSONBody[CreateNoteRequest], uow: Uow) -> NoteOut:
        return await service.create_for_contact(uow, contact_id, data)


class CompanyNotesController(Controller):
    path = "/companies/{company_id:str}/notes"
    tags = ["Notes"]

    @get("/", operation_id="listCompanyNotes")
    async def list_company_notes(
        self,
        company_id: FromPath[str],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
    ) -> NoteList:
        return await service.of_company(uow, company_id, requested_page(page, starting_after), per_page)

    @post("/", operation_id="createCompanyNote", status_code=200)
    async def create_company_note(
        self, company_id: FromPath[str], data: JSONBody[CreateNoteRequest], uow: Uow
    ) -> NoteOut:
        return await service.create_for_company(uow, company_id, data)
