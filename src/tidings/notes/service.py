"""Notes on contacts and companies, written by admins."""

from __future__ import annotations

from typing import Any

from tidings.admins import service as admin_service
from tidings.admins.schemas import AdminOut
from tidings.companies.service import company_row
from tidings.contacts.lookup import live_row
from tidings.core import clock
from tidings.core.errors import TidingsError, found, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_cursor_pages, numbered_page
from tidings.core.uow import UnitOfWork
from tidings.notes import storage
from tidings.notes.schemas import CreateNoteRequest, NoteList, NoteOut, NoteSubject

PER_PAGE = 50
MAX_PER_PAGE = 150


def _html(body: str) -> str:
    """Plain text is stored as one paragraph, as Intercom shows it; HTML is kept."""
    text = body.strip()
    return text if text.startswith("<") else f"<p>{text}</p>"


async def _authors(uow: UnitOfWork, rows: list[Any]) -> dict[int, AdminOut]:
    return {admin_id: await admin_service.get(uow, admin_id) for admin_id in {r["admin_id"] for r in rows}}


def _out(row: Any, authors: dict[int, AdminOut]) -> NoteOut:
    subject: dict[str, NoteSubject] = {}
    if row["contact_id"] is not None:
        subject["contact"] = NoteSubject(type="contact", id=row["contact_id"])
    if row["company_id"] is not None:
        subject["company"] = NoteSubject(type="company", id=row["company_id"])
    return NoteOut(
        id=str(row["id"]),
        created_at=row["created_at"],
        author=authors[row["admin_id"]],
        body=row["body"],
        **subject,
    )


async def _list(uow: UnitOfWork, owner: str, owner_id: str, page: int | None, per_page: int | None) -> NoteList:
    number, size, offset = numbered_page(page, per_page, PER_PAGE, MAX_PER_PAGE)
    rows, total = await storage.notes_page(uow, owner, owner_id, offset, size)
    authors = await _authors(uow, rows)
    pages = numbered_cursor_pages(number, size, total)
    return NoteList(data=[_out(r, authors) for r in rows], total_count=total, pages=pages)


async def _author_id(uow: UnitOfWork, admin_id: str | int | None) -> int:
    if admin_id is None or admin_id == "":
        if uow.admin_id is None:
            raise missing("admin_id")
        return uow.admin_id
    numeric = parse_numeric_id(admin_id)
    try:
        admin = await admin_service.get(uow, numeric) if numeric else None
    except TidingsError:
        admin = None
    if admin is None:
        raise not_found()
    return int(admin.id)


async def _create(uow: UnitOfWork, data: CreateNoteRequest, **subject: str) -> NoteOut:
    if not data.body.strip():
        raise missing("body")
    author = await _author_id(uow, data.admin_id)
    note_id = await storage.insert_note(
        uow, {"admin_id": author, "body": _html(data.body), "created_at": clock.now(), **subject}
    )
    row = await storage.get_note(uow, note_id)
    return _out(row, await _authors(uow, [row]))


async def create_for_contact(uow: UnitOfWork, contact_id: str, data: CreateNoteRequest) -> NoteOut:
    contact = await live_row(uow, contact_id)
    return await _create(uow, data, contact_id=contact["id"])


async def create_for_company(uow: UnitOfWork, company_id: str, data: CreateNoteRequest) -> NoteOut:
    company = await company_row(uow, company_id)
    return await _create(uow, data, company_id=company["id"])


async def of_contact(uow: UnitOfWork, contact_id: str, page: int | None, per_page: int | None) -> NoteList:
    contact = await live_row(uow, contact_id)
    return await _list(uow, "contact", contact["id"], page, per_page)


async def of_company(uow: UnitOfWork, company_id: str, page: int | None, per_page: int | None) -> NoteList:
    company = await company_row(uow, company_id)
    return await _list(uow, "company", company["id"], page, per_page)


async def get(uow: UnitOfWork, note_id: str) -> NoteOut:
    numeric = parse_numeric_id(note_id)
    row = found(await storage.get_note(uow, numeric) if numeric else None)
    return _out(row, await _authors(uow, [row]))
