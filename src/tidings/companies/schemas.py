from __future__ import annotations

from typing import Any

from tidings.contacts.schemas import ContactOut
from tidings.core.limits import Name, ShortText, Url
from tidings.core.paging import CursorPages, Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class CompanyTag(Out, tag="tag"):
    id: str
    name: str


class CompanyTags(Out, tag="tag.list"):
    tags: list[CompanyTag]


class SegmentOut(Out, tag="segment"):
    id: str
    name: str
    created_at: int
    updated_at: int
    person_type: str


class CompanySegments(Out, tag="segment.list"):
    segments: list[SegmentOut]


class CompanyNotes(Out, tag="note.list"):
    data: list[dict[str, Any]]
    url: str
    total_count: int
    has_more: bool


class CompanyOut(Out, tag="company"):
    id: str
    company_id: str
    app_id: str
    name: str
    remote_created_at: int
    created_at: int
    updated_at: int
    monthly_spend: int
    session_count: int
    user_count: int
    tags: CompanyTags
    segments: CompanySegments
    plan: dict[str, Any]
    custom_attributes: dict[str, Any]
    last_request_at: int | UnsetType = UNSET
    size: int | UnsetType = UNSET
    website: str | UnsetType = UNSET
    industry: str | UnsetType = UNSET
    notes: CompanyNotes | UnsetType = UNSET


class CompanyList(Out, tag="list"):
    data: list[CompanyOut]
    pages: CursorPages
    total_count: int


class CompanyScroll(Out, tag="list"):
    data: list[CompanyOut]
    pages: None = None
    total_count: None = None
    scroll_param: str | UnsetType = UNSET


class CompanyDeleted(PlainOut):
    id: str
    deleted: bool
    object: str = "company"


class ContactCompanies(Out, tag="list"):
    companies: list[CompanyOut]
    total_count: int
    pages: Pages


class CompanyContacts(Out, tag="list"):
    data: list[ContactOut]
    total_count: int
    pages: CursorPages


class CompanySegmentList(Out, tag="list"):
    data: list[SegmentOut]


class CompanyWrite(Request):
    name: Name | None | UnsetType = UNSET
    company_id: ShortText | int | None | UnsetType = UNSET
    plan: ShortText | None | UnsetType = UNSET
    size: int | None | UnsetType = UNSET
    website: Url | None | UnsetType = UNSET
    industry: ShortText | None | UnsetType = UNSET
    custom_attributes: dict[str, Any] | None | UnsetType = UNSET
    remote_created_at: int | None | UnsetType = UNSET
    monthly_spend: float | None | UnsetType = UNSET
    update_last_request_at: bool | None | UnsetType = UNSET


class AttachCompanyRequest(Request):
    id: str | None = None
    company_id: str | None = None
