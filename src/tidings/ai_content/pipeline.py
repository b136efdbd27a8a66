"""The content pipeline: a page's HTML becomes clean text, passages, and index entries, in the
page's own transaction, so an acknowledged page is searchable at once and no stale passage outlives
an update or a delete.

Passages are identified by a digest of (title, heading, text): on an update, passages whose digest
is unchanged are kept with their embedding (computed once per passage version); the rest are
replaced. The full-text index follows `content_passages` by itself (FTS5 triggers on SQLite, a
generated tsvector column on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from tidings.ai_content import storage
from tidings.ai_content.embedder import configured_embedder, passage_input
from tidings.ai_content.text import PassageText, passages
from tidings.core.uow import UnitOfWork

log = logging.getLogger("tidings.ai_content")


def content_hash(title: str, html: str) -> str:
    """What the index depends on: an unchanged hash means nothing to re-index."""
    return hashlib.sha256(f"{title}\x1f{html}".encode()).hexdigest()


def _word_count(*parts: str | None) -> int:
    return sum(len(part.split()) for part in parts if part)


async def index_page(uow: UnitOfWork, page_id: int, title: str, html: str) -> None:
    """Bring the page's passages (and so the index) in line with its title and HTML."""
    wanted = passages(html)
    if not wanted and title.strip():
        # A page with a title and no body text is still findable by its title.
        wanted = [PassageText(0, None, title.strip())]
    existing = {row["digest"]: row for row in await storage.page_passages(uow, page_id)}
    new: list[tuple[PassageText, str]] = []
    kept: set[int] = set()
    for passage in wanted:
        digest = passage.digest(title)
        row = existing.pop(digest, None)
        if row is None:
            new.append((passage, digest))
            continue
        kept.add(row["id"])
        if row["position"] != passage.position:
            await storage.move_passage(uow, row["id"], passage.position)
    await storage.delete_passages(uow, [row["id"] for row in existing.values()])
    rows = [
        {
            "workspace_id": uow.workspace_id,
            "page_id": page_id,
            "position": passage.position,
            "title": title,
            "heading": passage.heading,
            "text": passage.text,
            "digest": digest,
            "length": _word_count(title, passage.heading, passage.text),
            "embedding": None,
            "embedding_model": None,
        }
        for passage, digest in new
    ]
    await _embed(rows)
    await storage.insert_passages(uow, rows)


async def _embed(rows: list[dict[str, Any]]) -> None:
    """Vectors for new passages when an embedder is configured. A failing embedder does not fail the
    write: the passages stay lexically searchable and are embedded later (`embed_pending`)."""
    embedder = configured_embedder()
    if embedder is None or not rows:
        return
    try:
        vectors = await embedder.embed([passage_input(r["title"], r["heading"], r["text"]) for r in rows])
    except Exception:
        log.exception("embedding %d passages failed; they stay lexical-only until re-embedded", len(rows))
        return
    for row, vector in zip(rows, vectors, strict=True):
        row["embedding"] = vector.astype("<f4").tobytes()
        row["embedding_model"] = embedder.model
