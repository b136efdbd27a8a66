from __future__ import annotations

from typing import Any

import msgspec

from tidings.admins.schemas import AdminOut
from tidings.core.schemas import UNSET, Request, UnsetType


class NoteSubject(msgspec.Struct):
    type: str
    id: str


class NoteOut(msgspec.Struct, omit_defaults=True):
    id: str
    created_at: int
    author: AdminOut
    body: str
    type: str = "note"
    contact: NoteSubject | UnsetType = UNSET
    company: NoteSubject | UnsetType = UNSET


class NoteList(msgspec.Struct):
    data: list[NoteOut]
    total_count: int
    pages: dict[str, Any]
    type: str = "list"


class CreateNoteRequest(Request):
    body: str
    admin_id: str | int | None = None
    contact_id: str | None = None
