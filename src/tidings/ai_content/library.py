"""Knowledge content in the content library: articles, internal articles and content snippets are
pages of the one passage store external pages use (`external_pages` rows with their own `kind`),
so whichever retriever Fin and Copilot use reads every kind the same way, through the same
availability flags and locale.

Areas describe what they want in the library with `Entry` values and call `sync` in the write's
own transaction: the library then holds exactly those entries for that owner (indexed at once, like
an external page), and nothing an owner no longer offers outlives the write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.ai_content import storage
from tidings.ai_content.pipeline import content_hash, index_page
from tidings.core import clock
from tidings.core.uow import UnitOfWork

ARTICLE = "article"
INTERNAL_ARTICLE = "internal_article"
CONTENT_SNIPPET = "content_snippet"


@dataclass(frozen=True, slots=True)
class Entry:
    """One page of an owner's content: an article locale, an internal article, a snippet."""

    key: str  # unique within the kind, starting with the owner's prefix (e.g. "42:en")
    title: str
    html: str
    url: str | None  # what Fin cites; None answers without a link
    locale: str
    ai_agent: bool
    copilot: bool


def owner_prefix(owner_id: int | str) -> str:
    return f"{owner_id}:"


async def sync(uow: UnitOfWork, kind: str, owner_id: int | str, entries: list[Entry]) -> None:
    """Make the owner's library pages exactly `entries`; an entry neither Fin nor Copilot may use
    is not kept at all (drafts, switched-off snippets)."""
    await storage.lock_library(uow)
    wanted = {entry.key: entry for entry in entries if entry.ai_agent or entry.copilot}
    existing = {
        row["external_id"]: row for row in await storage.find_library_pages(uow, kind, prefix=owner_prefix(owner_id))
    }
    await storage.delete_pages(uow, [int(row["id"]) for key, row in existing.items() if key not in wanted])
    now = clock.now()
    for key, entry in wanted.items():
        row = existing.get(key)
        if row is None:
            await _insert(uow, kind, entry, now)
        else:
            await _update(uow, row, entry, now)


async def remove(uow: UnitOfWork, kind: str, owner_id: int | str) -> None:
    await sync(uow, kind, owner_id, [])


async def _insert(uow: UnitOfWork, kind: str, entry: Entry, now: int) -> None:
    page_id = await storage.insert_library_page(
        uow,
        {
            "kind": kind,
            "source_id": None,
            "external_id": entry.key,
            "title": entry.title,
            "html": entry.html,
            "url": entry.url,
            "locale": entry.locale,
            "ai_agent_availability": entry.ai_agent,
            "ai_copilot_availability": entry.copilot,
            "content_hash": content_hash(entry.title, entry.html),
            "created_at": now,
            "updated_at": now,
            "last_ingested_at": now,
        },
    )
    await index_page(uow, page_id, entry.title, entry.html)


async def _update(uow: UnitOfWork, row: Any, entry: Entry, now: int) -> None:
    values: dict[str, Any] = {
        "title": entry.title,
        "html": entry.html,
        "url": entry.url,
        "locale": entry.locale,
        "ai_agent_availability": entry.ai_agent,
        "ai_copilot_availability": entry.copilot,
    }
    changed = {key: value for key, value in values.items() if row[key] != value}
    if not changed:
        return
    digest = content_hash(entry.title, entry.html)
    if digest != row["content_hash"]:
        await index_page(uow, int(row["id"]), entry.title, entry.html)
        changed |= {"content_hash": digest, "last_ingested_at": now}
    await storage.update_page(uow, int(row["id"]), changed | {"updated_at": now})
