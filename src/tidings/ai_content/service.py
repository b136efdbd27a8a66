from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.ai_content import storage
from tidings.ai_content.pipeline import content_hash, index_page
from tidings.ai_content.schemas import (
    ContentImportSourceList,
    ContentImportSourceOut,
    CreateContentImportSourceRequest,
    CreateExternalPageRequest,
    ExternalPageList,
    ExternalPageOut,
    UpdateContentImportSourceRequest,
    UpdateExternalPageRequest,
)
from tidings.core import clock
from tidings.core.errors import CONFLICT, found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import clamp_per_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 150
SYNC_BEHAVIORS = ("api", "automated", "automatic", "manual")
STATUSES = ("active", "deactivated")
LOCALES = ("en",)


# Sources.
async def source_row(uow: UnitOfWork, source_id: str | int) -> Any:
    numeric = parse_numeric_id(source_id)
    row = found(
        await storage.get_source(uow, numeric) if numeric else None, not_found("Content Import Source Not Found")
    )
    return row


def _paging(page: int | None, per_page: int | None, total: int) -> tuple[int, int, int]:
    size = clamp_per_page(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    number = 1 if page is None else page
    if number < 1:
        raise invalid("page must be a positive integer", "page")
    return number, size, (number - 1) * size


async def list_sources(
    uow: UnitOfWork, page: int | None, per_page: int | None, next_url: str | None
) -> ContentImportSourceList:
    total = await storage.count_sources(uow)
    number, size, offset = _paging(page, per_page, total)
    rows = await storage.list_sources(uow, offset, size)
    return ContentImportSourceList(
        data=[ContentImportSourceOut.from_row(r) for r in rows],
        pages=numbered_pages(number, size, total, next_url),
        total_count=total,
    )


def _check_status(status: Any) -> None:
    if status is not UNSET and status not in STATUSES:
        raise invalid(f"status must be one of {', '.join(STATUSES)}", "status")


def _check_url(url: Any) -> str:
    if url is UNSET or url is None or not str(url).strip():
        raise missing("url")
    return str(url).strip()


async def create_source(uow: UnitOfWork, data: CreateContentImportSourceRequest) -> ContentImportSourceOut:
    if data.sync_behavior is UNSET:
        raise missing("sync_behavior")
    if data.sync_behavior != "api":
        raise invalid("sync_behavior must be api", "sync_behavior")
    url = _check_url(data.url)
    _check_status(data.status)
    now = clock.now()
    source_id = await storage.insert_source(
        uow,
        {
            "url": url,
            "sync_behavior": "api",
            "status": "active" if data.status is UNSET else data.status,
            "last_synced_at": now,
            "created_at": now,
            "updated_at": now,
        },
    )
    return ContentImportSourceOut.from_row(await storage.get_source(uow, source_id))


async def get_source(uow: UnitOfWork, source_id: str) -> ContentImportSourceOut:
    return ContentImportSourceOut.from_row(await source_row(uow, source_id))


async def update_source(
    uow: UnitOfWork, source_id: str, data: UpdateContentImportSourceRequest
) -> ContentImportSourceOut:
    row = await source_row(uow, source_id)
    if data.sync_behavior is UNSET:
        raise missing("sync_behavior")
    if data.sync_behavior not in SYNC_BEHAVIORS:
        raise invalid(f"sync_behavior must be one of {', '.join(SYNC_BEHAVIORS)}", "sync_behavior")
    if (data.sync_behavior == "api") != (row["sync_behavior"] == "api"):
        raise invalid("sync_behavior cannot be changed to or from api", "sync_behavior")
    url = _check_url(data.url)
    if url != row["url"] and row["sync_behavior"] != "api":
        raise invalid("url can only be changed for sources with api sync behavior", "url")
    _check_status(data.status)
    values: dict[str, Any] = {"url": url, "updated_at": clock.now()}
    if data.status is not UNSET:
        values["status"] = data.status
    await storage.update_source(uow, row["id"], values)
    return ContentImportSourceOut.from_row(await storage.get_source(uow, row["id"]))


async def delete_source(uow: UnitOfWork, source_id: str) -> None:
    row = await source_row(uow, source_id)
    await storage.lock_library(uow)
    await storage.delete_source(uow, row["id"])


# Pages.
async def page_row(uow: UnitOfWork, page_id: str | int) -> Any:
    numeric = parse_numeric_id(page_id)
    row = found(await storage.get_page(uow, numeric) if numeric else None, not_found("External Page Not Found"))
    return row


async def list_pages(uow: UnitOfWork, page: int | None, per_page: int | None, next_url: str | None) -> ExternalPageList:
    total = await storage.count_pages(uow)
    number, size, offset = _paging(page, per_page, total)
    rows = await storage.list_pages(uow, offset, size)
    return ExternalPageList(
        data=[ExternalPageOut.from_row(r) for r in rows],
        pages=numbered_pages(number, size, total, next_url),
        total_count=total,
    )


async def get_page(uow: UnitOfWork, page_id: str) -> ExternalPageOut:
    return ExternalPageOut.from_row(await page_row(uow, page_id))


@dataclass(frozen=True, slots=True)
class PageInput:
    """A validated page write, from the API or the bulk importer."""

    title: str
    html: str
    url: str | None
    locale: str
    source_id: int
    external_id: str
    ai_agent_availability: bool | None
    ai_copilot_availability: bool | None


def _required_text(value: Any, field: str) -> str:
    if value is UNSET or value is None:
        raise missing(field)
    if not isinstance(value, str):
        raise invalid(f"{field} must be a string", field)
    return value


def _external_id(value: Any) -> str:
    if value is UNSET or value is None or str(value).strip() == "":
        raise missing("external_id")
    return str(value)


def _locale(value: Any) -> str:
    if value is UNSET or value is None:
        raise missing("locale")
    if value not in LOCALES:
        raise invalid("locale must be en", "locale")
    return value


async def _source_id(uow: UnitOfWork, value: Any) -> int:
    if value is UNSET or value is None:
        raise missing("source_id")
    numeric = parse_numeric_id(value) if isinstance(value, int | str) else None
    row = found(
        await storage.get_source(uow, numeric) if numeric else None,
        invalid("source_id must name an existing content import source", "source_id"),
    )
    return int(row["id"])


def _url(value: Any) -> str | None:
    return None if value is UNSET or value is None or value == "" else str(value)


def _flag(value: Any) -> bool | None:
    return None if value is UNSET else bool(value)


async def create_page(uow: UnitOfWork, data: CreateExternalPageRequest) -> ExternalPageOut:
    page = PageInput(
        title=_required_text(data.title, "title"),
        html=_required_text(data.html, "html"),
        url=_url(data.url),
        locale=_locale(data.locale),
        source_id=await _source_id(uow, data.source_id),
        external_id=_external_id(data.external_id),
        ai_agent_availability=_flag(data.ai_agent_availability),
        ai_copilot_availability=_flag(data.ai_copilot_availability),
    )
    row, _ = await upsert_page(uow, page)
    return ExternalPageOut.from_row(row)


async def upsert_page(uow: UnitOfWork, page: PageInput) -> tuple[Any, str]:
    """Create the page, or update the one with its (source_id, external_id); the row and what
    happened: "created", "updated" or "unchanged". Availability flags default to false on create and
    are left as they are on update when not given."""
    await storage.lock_library(uow)
    now = clock.now()
    digest = content_hash(page.title, page.html)
    page_id = await storage.claim_page(
        uow,
        {
            "source_id": page.source_id,
            "external_id": page.external_id,
            "title": page.title,
            "html": page.html,
            "url": page.url,
            "locale": page.locale,
            "ai_agent_availability": bool(page.ai_agent_availability),
            "ai_copilot_availability": bool(page.ai_copilot_availability),
            "content_hash": digest,
            "created_at": now,
            "updated_at": now,
            "last_ingested_at": now,
        },
    )
    if page_id is not None:
        await index_page(uow, page_id, page.title, page.html)
        outcome = "created"
    else:
        existing = found(
            await storage.find_page(uow, page.source_id, page.external_id),
            CONFLICT("The page could not be written, please retry"),
        )
        page_id = int(existing["id"])
        outcome = await _update_existing(uow, existing, page, now)
    if outcome != "unchanged":
        await storage.update_source(uow, page.source_id, {"last_synced_at": now})
    return await storage.get_page(uow, page_id), outcome


async def _update_existing(uow: UnitOfWork, existing: Any, page: PageInput, now: int) -> str:
    values: dict[str, Any] = {
        "title": page.title,
        "html": page.html,
        "url": page.url,
        "locale": page.locale,
        "source_id": page.source_id,
        "external_id": page.external_id,
    }
    if page.ai_agent_availability is not None:
        values["ai_agent_availability"] = page.ai_agent_availability
    if page.ai_copilot_availability is not None:
        values["ai_copilot_availability"] = page.ai_copilot_availability
    changed = {key: value for key, value in values.items() if existing[key] != value}
    if not changed:
        return "unchanged"
    digest = content_hash(page.title, page.html)
    if digest != existing["content_hash"]:
        await index_page(uow, int(existing["id"]), page.title, page.html)
        changed |= {"content_hash": digest, "last_ingested_at": now}
    await storage.update_page(uow, int(existing["id"]), changed | {"updated_at": now})
    return "updated"


async def update_page(uow: UnitOfWork, page_id: str, data: UpdateExternalPageRequest) -> ExternalPageOut:
    row = await page_row(uow, page_id)
    agent = data.ai_agent_availability if data.ai_agent_availability is not UNSET else data.fin_availability
    page = PageInput(
        title=_required_text(data.title, "title"),
        html=_required_text(data.html, "html"),
        url=_url(_required_present(data.url, "url")),
        locale=_locale(data.locale),
        source_id=await _source_id(uow, data.source_id),
        external_id=row["external_id"] if data.external_id is UNSET else _external_id(data.external_id),
        ai_agent_availability=_flag(agent),
        ai_copilot_availability=_flag(data.ai_copilot_availability),
    )
    await storage.lock_library(uow)
    if (page.source_id, page.external_id) != (row["source_id"], row["external_id"]):
        clash = await storage.find_page(uow, page.source_id, page.external_id)
        if clash is not None:
            raise invalid("external_id must be unique for the source", "external_id")
    now = clock.now()
    if await _update_existing(uow, row, page, now) == "updated":
        await storage.update_source(uow, page.source_id, {"last_synced_at": now})
    return ExternalPageOut.from_row(await storage.get_page(uow, row["id"]))


def _required_present(value: Any, field: str) -> Any:
    if value is UNSET:
        raise missing(field)
    return value


async def delete_page(uow: UnitOfWork, page_id: str) -> ExternalPageOut:
    row = await page_row(uow, page_id)
    await storage.lock_library(uow)
    await storage.delete_page(uow, row["id"])
    # Intercom answers with the deleted page, its body already gone.
    return ExternalPageOut.from_row(row, html="")
