from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class PagesLink(msgspec.Struct, omit_defaults=True):
    page: int
    per_page: int
    total_pages: int
    type: str = "pages"
    next: str | None = None


class ContentImportSourceOut(msgspec.Struct):
    id: int
    url: str
    sync_behavior: str
    status: str
    last_synced_at: int
    created_at: int
    updated_at: int
    type: str = "content_import_source"

    @classmethod
    def from_row(cls, row: Any) -> ContentImportSourceOut:
        return cls(
            id=int(row["id"]),
            url=row["url"],
            sync_behavior=row["sync_behavior"],
            status=row["status"],
            last_synced_at=row["last_synced_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


class ContentImportSourceList(msgspec.Struct):
    data: list[ContentImportSourceOut]
    pages: PagesLink
    total_count: int
    type: str = "list"


class ExternalPageOut(msgspec.Struct):
    id: str
    title: str
    html: str
    url: str | None
    ai_agent_availability: bool
    ai_copilot_availability: bool
    fin_availability: bool
    locale: str
    source_id: int
    external_id: str
    created_at: int
    updated_at: int
    last_ingested_at: int
    type: str = "external_page"

    @classmethod
    def from_row(cls, row: Any, html: str | None = None) -> ExternalPageOut:
        return cls(
            id=str(row["id"]),
            title=row["title"],
            html=row["html"] if html is None else html,
            url=row["url"],
            ai_agent_availability=bool(row["ai_agent_availability"]),
            ai_copilot_availability=bool(row["ai_copilot_availability"]),
            fin_availability=bool(row["ai_agent_availability"]),
            locale=row["locale"],
            source_id=int(row["source_id"]),
            external_id=row["external_id"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            last_ingested_at=row["last_ingested_at"],
        )


class ExternalPageList(msgspec.Struct):
    data: list[ExternalPageOut]
    pages: PagesLink
    total_count: int
    type: str = "list"


class CreateContentImportSourceRequest(Request):
    sync_behavior: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    status: str | UnsetType = UNSET


class UpdateContentImportSourceRequest(Request):
    sync_behavior: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    status: str | UnsetType = UNSET


class CreateExternalPageRequest(Request):
    title: str | UnsetType = UNSET
    html: str | UnsetType = UNSET
    url: str | None | UnsetType = UNSET
    ai_agent_availability: bool | UnsetType = UNSET
    ai_copilot_availability: bool | UnsetType = UNSET
    locale: str | UnsetType = UNSET
    # The spec says integer; clients also send numeric strings.
    source_id: int | str | UnsetType = UNSET
    external_id: str | int | UnsetType = UNSET


class UpdateExternalPageRequest(Request):
    title: str | UnsetType = UNSET
    html: str | UnsetType = UNSET
    url: str | None | UnsetType = UNSET
    fin_availability: bool | UnsetType = UNSET
    ai_agent_availability: bool | UnsetType = UNSET
    ai_copilot_availability: bool | UnsetType = UNSET
    locale: str | UnsetType = UNSET
    source_id: int | str | UnsetType = UNSET
    external_id: str | int | UnsetType = UNSET
