from __future__ import annotations

from typing import Any

from tidings.core.paging import Pages
from tidings.core.schemas import UNSET, Out, Request, UnsetType


class ContentImportSourceOut(Out, tag="content_import_source"):
    id: int
    url: str
    sync_behavior: str
    status: str
    last_synced_at: int
    created_at: int
    updated_at: int

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


class ContentImportSourceList(Out, tag="list"):
    data: list[ContentImportSourceOut]
    pages: Pages
    total_count: int


class ExternalPageOut(Out, tag="external_page"):
    id: str
    title: str
    html: str
    ai_agent_availability: bool
    ai_copilot_availability: bool
    fin_availability: bool
    locale: str
    source_id: int
    external_id: str
    created_at: int
    updated_at: int
    last_ingested_at: int
    # Optional and not nullable in the spec: a page without a URL has no `url` key.
    url: str | UnsetType = UNSET

    @classmethod
    def from_row(cls, row: Any, html: str | None = None) -> ExternalPageOut:
        return cls(
            id=str(row["id"]),
            title=row["title"],
            html=row["html"] if html is None else html,
            url=UNSET if row["url"] is None else row["url"],
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


class ExternalPageList(Out, tag="list"):
    data: list[ExternalPageOut]
    pages: Pages
    total_count: int


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
