from __future__ import annotations

from typing import Any

import msgspec

from tidings.contacts.schemas import ContactOut
from tidings.core.limits import Name, ShortText, Url
from tidings.core.schemas import UNSET, Request, UnsetType


class CompanyTag(msgspec.Struct):
    id: str
    name: str
    type: str = "tag"


class CompanyTags(msgspec.Struct):
    tags: list[CompanyTag]
    type: str = "tag.list"


class SegmentOut(msgspec.Struct):
    id: str
    name: str
    created_at: int
    updated_at: int
    person_type: str
    type: str = "segment"


class CompanySegments(msgspec.Struct):
    segments: list[SegmentOut]
    type: str = "segment.list"


class CompanyNotes(msgspec.Struct):
    data: list[dict[str, Any]]
    url: str
    total_count: int
    has_more: bool
    type: str = "note.list"


class CompanyOut(msgspec.Struct, omit_defaults=True):
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
    type: str = "company"
    last_request_at: int | UnsetType = UNSET
    size: int | UnsetType = UNSET
    website: str | UnsetType = UNSET
    industry: str | UnsetType = UNSET
    notes: CompanyNotes | UnsetType = UNSET


class CompanyList(msgspec.Struct):
    data: list[CompanyOut]
    pages: dict[str, Any]
    total_count: int
    type: str = "list"


class CompanyScroll(msgspec.Struct, omit_defaults=True):
    data: list[CompanyOut]
    pages: None = None
    total_count: None = None
    type: str = "list"
    scroll_param: str | UnsetType = UNSET


class CompanyDeleted(msgspec.Struct):
    id: str
    deleted: bool
    object: str = "company"


class ContactCompanies(msgspec.Struct):
    companies: list[CompanyOut]
    total_count: int
    pages: dict[str, Any]
    type: str = "list"


class CompanyContacts(msgspec.Struct):
    data: list[ContactOut]
    total_count: int
    pages: dict[str, Any]
    type: str = "list"


class CompanySegmentList(msgspec.Struct):
    data: list[SegmentOut]
    type: str = "list"


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
