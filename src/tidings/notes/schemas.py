from __future__ import annotations

from tidings.admins.schemas import AdminOut
from tidings.core.paging import CursorPages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class NoteSubject(PlainOut):
    type: str
    id: str


class NoteOut(Out, tag="note"):
    id: str
    created_at: int
    author: AdminOut
    body: str
    contact: NoteSubject | UnsetType = UNSET
    company: NoteSubject | UnsetType = UNSET


class NoteList(Out, tag="list"):
    data: list[NoteOut]
    total_count: int
    pages: CursorPages


class CreateNoteRequest(Request):
    body: str
    admin_id: str | int | None = None
    contact_id: str | None = None
