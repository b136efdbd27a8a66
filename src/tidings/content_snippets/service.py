"""Content snippets: Fin answers from them without ever linking to one (a private source)."""

from __future__ import annotations

import html
import math
from typing import Any

import msgspec

from tidings.ai_content import library
from tidings.content_snippets import storage
from tidings.content_snippets.schemas import ContentSnippetList, ContentSnippetOut, ContentSnippetRequest
from tidings.core import clock
from tidings.core.errors import VALIDATION_ERROR, TidingsError, found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_page
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.events.record import record_event
from tidings.help_center.content import LOCALES

PER_PAGE = 50
MAX_PER_PAGE = 50
TITLE_LIMIT = 255
MAX_BLOCKS = 1000
BLOCKS_LIMIT = 1_000_000
# Fin's languages beyond the help-center locales (Bengali, Hindi, Malay, Persian, Swahili, Thai, Ukrainian).
FIN_LOCALES = LOCALES | {"bn", "hi", "ms", "fa", "sw", "th", "uk"}
HEADINGS = {"heading", "subheading", "header", "title"}


def out(row: Any) -> ContentSnippetOut:
    return ContentSnippetOut(
        id=str(row["id"]),
        title=row["title"],
        locale=row["locale"],
        json_blocks=row["json_blocks"],
        chatbot_availability=int(row["chatbot_availability"]),
        copilot_availability=int(row["copilot_availability"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def snippet_not_found() -> TidingsError:
    return not_found("Content snippet not found")


async def row_of(uow: UnitOfWork, snippet_id: str) -> Any:
    numeric = parse_numeric_id(snippet_id)
    row = found(await storage.get(uow, numeric) if numeric else None, snippet_not_found())
    return row


def _block_texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _block_texts(item)]
    if isinstance(value, dict):
        return [
            text for key in ("text", "html", "items", "content") if key in value for text in _block_texts(value[key])
        ]
    return []


def blocks_html(blocks: list[dict[str, Any]]) -> str:
    """What the library indexes: each block's text as a paragraph (a heading block as a heading)."""
    parts = []
    for block in blocks:
        text = " ".join(t for t in _block_texts(block) if t.strip())
        if text:
            tag = "h2" if block.get("type") in HEADINGS else "p"
            parts.append(f"<{tag}>{html.escape(text, quote=False)}</{tag}>")
    return "".join(parts)


async def publish(uow: UnitOfWork, row: Any) -> None:
    entry = library.Entry(
        key=f"{row['id']}:{row['locale']}",
        title=row["title"] or "",
        html=blocks_html(row["json_blocks"]),
        url=None,
        locale=row["locale"],
        ai_agent=bool(row["chatbot_availability"]),
        copilot=bool(row["copilot_availability"]),
    )
    await library.sync(uow, library.CONTENT_SNIPPET, row["id"], [entry])


def _validation(message: str) -> TidingsError:
    return VALIDATION_ERROR(message)


def _blocks(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(block, dict) for block in value):
        raise _validation("json_blocks must be an array of objects")
    if not all(isinstance(block.get("type"), str) and block["type"] for block in value):
        raise _validation("each of json_blocks needs a type (paragraph, heading, ...)")
    if len(value) > MAX_BLOCKS or len(msgspec.json.encode(value)) > BLOCKS_LIMIT:
        raise _validation("json_blocks is too large")
    return value


def _locale(value: Any) -> str:
    if value not in FIN_LOCALES:
        raise _validation("The language is not currently supported for Fin")
    return value


def _title(value: Any) -> str | None:
    if value is not None and len(value) > TITLE_LIMIT:
        raise invalid(f"title must be at most {TITLE_LIMIT} characters", "title")
    return value


def _availability(data: ContentSnippetRequest, target: str, later: str) -> int | None:
    value = getattr(data, later)
    if value is UNSET:
        value = getattr(data, target)
    if value is UNSET:
        return None
    if value not in (0, 1):
        raise invalid(f"{target} must be 0 or 1", target)
    return int(value)


async def list_all(uow: UnitOfWork, page: int | None, per_page: int | None) -> ContentSnippetList:
    number, size, offset = numbered_page(page, per_page, PER_PAGE, MAX_PER_PAGE)
    total = await storage.count(uow)
    rows = await storage.page(uow, offset, size)
    return ContentSnippetList(
        data=[out(r) for r in rows],
        total_count=total,
        page=number,
        per_page=size,
        total_pages=math.ceil(total / size) if total else 0,
    )


async def get(uow: UnitOfWork, snippet_id: str) -> ContentSnippetOut:
    return out(await row_of(uow, snippet_id))


async def create(uow: UnitOfWork, data: ContentSnippetRequest) -> ContentSnippetOut:
    if data.title is UNSET or data.title is None:
        raise missing("title")
    if data.json_blocks is UNSET:
        raise missing("json_blocks")
    now = clock.now()
    chatbot = _availability(data, "chatbot_availability", "ai_chatbot_availability")
    copilot = _availability(data, "copilot_availability", "ai_copilot_availability")
    new_id = await storage.insert(
        uow,
        {
            "title": _title(data.title),
            "json_blocks": _blocks(data.json_blocks),
            "locale": _locale("en" if data.locale in (UNSET, None) else data.locale),
            "chatbot_availability": 1 if chatbot is None else chatbot,
            "copilot_availability": 1 if copilot is None else copilot,
            "created_at": now,
            "updated_at": now,
        },
    )
    row = await storage.get(uow, new_id)
    await publish(uow, row)
    snippet = out(row)
    await record_event(uow, "content_snippet.created", snippet)
    return snippet


async def update(uow: UnitOfWork, snippet_id: str, data: ContentSnippetRequest) -> ContentSnippetOut:
    row = await row_of(uow, snippet_id)
    values: dict[str, Any] = {}
    if data.title is not UNSET:
        values["title"] = _title(data.title)
    if data.json_blocks is not UNSET:
        values["json_blocks"] = _blocks(data.json_blocks)
    if data.locale is not UNSET:
        values["locale"] = _locale(data.locale)
    for target, later in (
        ("chatbot_availability", "ai_chatbot_availability"),
        ("copilot_availability", "ai_copilot_availability"),
    ):
        value = _availability(data, target, later)
        if value is not None:
            values[target] = value
    await storage.update(uow, row["id"], values | {"updated_at": clock.now()})
    row = await storage.get(uow, row["id"])
    await publish(uow, row)
    snippet = out(row)
    await record_event(uow, "content_snippet.updated", snippet)
    return snippet
