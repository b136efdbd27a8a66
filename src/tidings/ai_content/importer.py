"""Bulk import of external pages from a folder of HTML/Markdown files or a JSON Lines file.

Every page goes through `service.upsert_page`, the code path of `POST /ai/external_pages`, in a
transaction of its own, so one bad page fails alone and a re-run of unchanged input changes nothing.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.ai_content import service, storage
from tidings.ai_content.embedder import configured_embedder, embed_pending
from tidings.ai_content.service import PageInput
from tidings.ai_content.text import markdown_to_html
from tidings.core import clock
from tidings.core.errors import TidingsError
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import Storage

HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page as read from the input, before validation; `problem` says why it cannot be read."""

    external_id: str
    title: str | None = None
    html: str | None = None
    url: str | None = None
    locale: str = "en"
    ai_agent_availability: bool | None = None
    ai_copilot_availability: bool | None = None
    problem: str | None = None


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    embedded: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def read_pages(path: Path, base_url: str | None = None) -> list[RawPage]:
    """The pages in a `.jsonl` file, or in every HTML/Markdown file under a folder."""
    if path.is_dir():
        return list(_folder_pages(path, base_url))
    return list(_jsonl_pages(path))


def _folder_pages(root: Path, base_url: str | None) -> Iterator[RawPage]:
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        suffix = file.suffix.lower()
        if suffix not in HTML_SUFFIXES + MARKDOWN_SUFFIXES:
            continue
        relative = file.relative_to(root).as_posix()
        url = f"{base_url.rstrip('/')}/{relative}" if base_url else None
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            yield RawPage(external_id=relative, problem=f"unreadable: {error}")
            continue
        if suffix in MARKDOWN_SUFFIXES:
            title = _markdown_title(content) or file.stem
            yield RawPage(external_id=relative, title=title, html=markdown_to_html(content), url=url)
        else:
            yield RawPage(external_id=relative, title=_html_title(content) or file.stem, html=content, url=url)


def _html_title(content: str) -> str | None:
    for pattern in (r"<title[^>]*>(.*?)</title>", r"<h1[^>]*>(.*?)</h1>"):
        found = re.search(pattern, content, re.IGNORECASE | re.DOTALL)
        if found:
            text = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1)))).strip()
            if text:
                return text
    return None


def _markdown_title(content: str) -> str | None:
    found = re.search(r"^#\s+(.+?)\s*#*\s*$", content, re.MULTILINE)
    return found.group(1) if found else None


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines separate them)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)


def _jsonl_pages(path: Path) -> Iterator[RawPage]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
            except ValueError as error:
                yield RawPage(external_id=f"line {number}", problem=f"invalid JSON: {error}")
                continue
            yield _record_page(record, number)


def _record_page(record: dict[str, Any], number: int) -> RawPage:
    external_id = record.get("external_id")
    if external_id is None or str(external_id).strip() == "":
        return RawPage(external_id=f"line {number}", problem="external_id is missing")
    body = record.get("html")
    if body is None and isinstance(record.get("text"), str):
        body = text_to_html(record["text"])
    return RawPage(
        external_id=str(external_id),
        title=record.get("title"),
        html=body,
        url=record.get("url"),
        locale=record.get("locale") or "en",
        ai_agent_availability=record.get("ai_agent_availability"),
        ai_copilot_availability=record.get("ai_copilot_availability"),
    )


async def resolve_source(storage_: Storage, workspace_id: str, source_id: int | None, source_url: str) -> int:
    """The given source, or the workspace's API source with `source_url`, created when missing."""

    async def work(uow: UnitOfWork) -> int:
        if source_id is not None:
            return int((await service.source_row(uow, source_id))["id"])
        table = storage.content_import_sources
        found = await uow.one_or_none(uow.select(table).where(table.c.url == source_url).order_by(table.c.id))
        if found is not None:
            return int(found["id"])
        now = clock.now()
        values = {"url": source_url, "sync_behavior": "api", "status": "active"}
        return await storage.insert_source(uow, values | {"last_synced_at": now, "created_at": now, "updated_at": now})

    return await run_in_workspace(storage_, workspace_id, work)


async def import_pages(
    storage_: Storage,
    workspace_id: str,
    source_id: int,
    pages: list[RawPage],
    *,
    default_agent: bool = True,
    default_copilot: bool = False,
    progress: Callable[[], None] = lambda: None,
) -> Summary:
    summary = Summary()
    for raw in pages:
        try:
            if raw.problem:
                raise ValueError(raw.problem)
            page = _page_input(raw, source_id, default_agent, default_copilot)

            async def work(uow: UnitOfWork, page: PageInput = page) -> str:
                return (await service.upsert_page(uow, page))[1]

            summary.count(await run_in_workspace(storage_, workspace_id, work))
        except (TidingsError, ValueError) as error:
            summary.failed.append((raw.external_id, str(error)))
        progress()
    return summary


async def embed_missing(storage_: Storage, workspace_id: str) -> int:
    """Vectors for the workspace's passages that lack one from the configured embedder (if any)."""
    embedder = configured_embedder()
    if embedder is None:
        return 0
    return await run_in_workspace(storage_, workspace_id, lambda uow: embed_pending(uow, embedder))


def _page_input(raw: RawPage, source_id: int, default_agent: bool, default_copilot: bool) -> PageInput:
    if not isinstance(raw.title, str) or not raw.title.strip():
        raise ValueError("title is missing")
    if not isinstance(raw.html, str):
        raise ValueError("html (or text) is missing")
    if raw.locale not in service.LOCALES:
        raise ValueError(f"locale {raw.locale!r} is not supported")
    return PageInput(
        title=raw.title,
        html=raw.html,
        url=raw.url or None,
        locale=raw.locale,
        source_id=source_id,
        external_id=raw.external_id,
        ai_agent_availability=default_agent if raw.ai_agent_availability is None else bool(raw.ai_agent_availability),
        ai_copilot_availability=(
            default_copilot if raw.ai_copilot_availability is None else bool(raw.ai_copilot_availability)
        ),
    )
