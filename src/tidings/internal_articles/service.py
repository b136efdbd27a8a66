"""Internal articles: for teammates and Copilot; never shown to customers, so Fin never cites one
(and, unless its Fin availability is turned on, never uses one)."""

from __future__ import annotations

from typing import Any

from tidings.admins import storage as admin_storage
from tidings.ai_content import library
from tidings.core import clock
from tidings.core.errors import found, invalid, missing
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.folders.service import check_folder, descendants
from tidings.help_center.content import workspace_locales
from tidings.internal_articles import storage
from tidings.internal_articles.schemas import (
    DeletedInternalArticle,
    InternalArticleList,
    InternalArticleOut,
    InternalArticleRequest,
    InternalArticleSearchData,
    InternalArticleSearchResponse,
)

LIST_PER_PAGE = 25
SEARCH_PER_PAGE = 10
MAX_PER_PAGE = 250
TITLE_LIMIT = 255
BODY_LIMIT = 1_000_000


def out(row: Any) -> InternalArticleOut:
    return InternalArticleOut(
        id=str(row["id"]),
        title=row["title"],
        body=row["body"],
        owner_id=int(row["owner_id"]),
        author_id=int(row["author_id"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        locale=row["locale"],
        folder_id=row["folder_id"],
    )


async def row_of(uow: UnitOfWork, article_id: str | int) -> Any:
    numeric = parse_numeric_id(article_id)
    row = found(await storage.get(uow, numeric) if numeric else None)
    return row


async def publish(uow: UnitOfWork, row: Any) -> None:
    entry = library.Entry(
        key=f"{row['id']}:{row['locale']}",
        title=row["title"],
        html=row["body"] or "",
        url=None,
        locale=row["locale"],
        ai_agent=bool(row["ai_agent_availability"]),
        copilot=bool(row["ai_copilot_availability"]),
    )
    await library.sync(uow, library.INTERNAL_ARTICLE, row["id"], [entry])


async def get(uow: UnitOfWork, article_id: str) -> InternalArticleOut:
    return out(await row_of(uow, article_id))


async def list_all(uow: UnitOfWork, page: int | None, per_page: int | None) -> InternalArticleList:
    number, size, offset = numbered_page(page, per_page, LIST_PER_PAGE, MAX_PER_PAGE)
    total = await storage.count(uow, None)
    rows = await storage.page(uow, None, offset, size)
    return InternalArticleList(
        data=[out(r) for r in rows], pages=numbered_pages(number, size, total), total_count=total
    )


async def search(
    uow: UnitOfWork, folder_id: str | None, page: int | None, per_page: int | None
) -> InternalArticleSearchResponse:
    """The internal articles in the folder and every folder below it; no folder: none."""
    number, size, offset = numbered_page(page, per_page, SEARCH_PER_PAGE, MAX_PER_PAGE)
    numeric = parse_numeric_id(folder_id) if folder_id else None
    folders = await descendants(uow, numeric) if numeric else []
    total = await storage.count(uow, folders) if folders else 0
    rows = await storage.page(uow, folders, offset, size) if folders else []
    return InternalArticleSearchResponse(
        total_count=total,
        data=InternalArticleSearchData(internal_articles=[out(r) for r in rows]),
        pages=numbered_pages(number, size, total),
    )


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("title must not be blank", "title")
    if len(value) > TITLE_LIMIT:
        raise invalid(f"title must be at most {TITLE_LIMIT} characters", "title")
    return value


def _body(value: Any) -> str | None:
    if value is not None and len(value) > BODY_LIMIT:
        raise invalid(f"body must be at most {BODY_LIMIT} characters", "body")
    return value


async def _admin(uow: UnitOfWork, value: Any, field: str) -> int:
    numeric = parse_numeric_id(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if numeric is None or await admin_storage.get_admin(uow, numeric) is None:
        raise invalid(f"{field} must be a teammate", field)
    return numeric


def _required(value: Any, field: str) -> Any:
    if value is UNSET or value is None:
        raise missing(field)
    return value


async def create(uow: UnitOfWork, data: InternalArticleRequest) -> InternalArticleOut:
    title = _title(_required(data.title, "title"))
    author = await _admin(uow, _required(data.author_id, "author_id"), "author_id")
    owner = await _admin(uow, _required(data.owner_id, "owner_id"), "owner_id")
    now = clock.now()
    new_id = await storage.insert(
        uow,
        {
            "title": title,
            "body": None if data.body is UNSET else _body(data.body),
            "owner_id": owner,
            "author_id": author,
            "locale": (await workspace_locales(uow))[0],
            "folder_id": await check_folder(uow, data.folder_id),
            "ai_agent_availability": data.ai_chatbot_availability is True,
            "ai_copilot_availability": data.ai_copilot_availability is not False,
            "created_at": now,
            "updated_at": now,
        },
    )
    row = await storage.get(uow, new_id)
    await publish(uow, row)
    return out(row)


async def update(uow: UnitOfWork, article_id: str, data: InternalArticleRequest) -> InternalArticleOut:
    row = await row_of(uow, article_id)
    values: dict[str, Any] = {}
    if data.title is not UNSET:
        values["title"] = _title(data.title)
    if data.body is not UNSET:
        values["body"] = _body(data.body)
    for field in ("author_id", "owner_id"):
        if getattr(data, field) is not UNSET:
            values[field] = await _admin(uow, getattr(data, field), field)
    if data.folder_id is not UNSET:
        values["folder_id"] = await check_folder(uow, data.folder_id)
    if data.ai_chatbot_availability is not UNSET:
        values["ai_agent_availability"] = data.ai_chatbot_availability
    if data.ai_copilot_availability is not UNSET:
        values["ai_copilot_availability"] = data.ai_copilot_availability
    await storage.update(uow, row["id"], values | {"updated_at": clock.now()})
    row = await storage.get(uow, row["id"])
    await publish(uow, row)
    return out(row)


async def delete(uow: UnitOfWork, article_id: str) -> DeletedInternalArticle:
    row = await row_of(uow, article_id)
    await library.remove(uow, library.INTERNAL_ARTICLE, row["id"])
    await storage.delete(uow, row["id"])
    return DeletedInternalArticle(id=str(row["id"]))
