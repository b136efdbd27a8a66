"""Retrieval over the content library: what Fin (and Copilot) answer from.

`search` runs every configured ranker (the database's lexical index always; a dense embedder when
one is configured), fuses their passage rankings by a weighted sum of normalised scores, ranks pages
by their best passage, and returns the best passages of the best pages. Callers see only `Passage`; rankers can
be added or swapped without touching them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from tidings.ai_content.embedder import DenseRanker, configured_embedder
from tidings.ai_content.lexical import Hit, Scope, lexical_ranker
from tidings.ai_content.storage import content_passages, external_pages
from tidings.core.errors import invalid
from tidings.core.uow import UnitOfWork
from tidings.observability.metrics import timed_retrieval

AUDIENCES = {"ai_agent": "ai_agent_availability", "copilot": "ai_copilot_availability"}
# Shares of the fused score: the dense ranker matches paraphrases the lexical one misses, so it
# weighs a little more; exact words still decide between close candidates.
LEXICAL_WEIGHT = 0.4
DENSE_WEIGHT = 0.6
# A page's score is its best passage's plus this share of its other passages' scores. Zero: adding
# support measurably favours long pages over the one passage that answers.
SUPPORT_SHARE = 0.0


@dataclass(frozen=True, slots=True)
class Passage:
    page_id: str  # external_page id (string)
    title: str
    url: str | None
    heading: str | None  # the section heading the passage sits under, if any
    text: str  # clean plain text of the passage
    score: float  # higher is better; comparable within one call


class Ranker(Protocol):
    name: str
    weight: float

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]: ...


def rankers_for(uow: UnitOfWork) -> list[Ranker]:
    """The lexical index always; the dense ranker when an embedder is configured."""
    rankers: list[Ranker] = [lexical_ranker(uow.dialect, LEXICAL_WEIGHT)]
    embedder = configured_embedder()
    if embedder is not None:
        rankers.append(DenseRanker(embedder, weight=DENSE_WEIGHT))
    return rankers


def fuse(rankings: Sequence[tuple[float, list[Hit]]]) -> list[Hit]:
    """One ranking from several: a single ranker's scores as they are; for more, a weighted sum of
    each ranker's scores min-max normalised over its own candidates (a convex combination, which
    measured better than reciprocal rank fusion on the developer set: see README)."""
    non_empty = [(weight, ranking) for weight, ranking in rankings if ranking]
    if len(non_empty) <= 1:
        return non_empty[0][1] if non_empty else []
    fused: dict[int, float] = {}
    pages: dict[int, int] = {}
    for weight, ranking in non_empty:
        top, bottom = ranking[0].score, ranking[-1].score
        span = (top - bottom) or 1.0
        for hit in ranking:
            fused[hit.passage_id] = fused.get(hit.passage_id, 0.0) + weight * (hit.score - bottom) / span
            pages[hit.passage_id] = hit.page_id
    return sorted((Hit(pid, pages[pid], score) for pid, score in fused.items()), key=lambda h: -h.score)


def rank_pages(hits: list[Hit]) -> list[tuple[int, float, list[Hit]]]:
    """Pages by the score of their passages: (page id, page score, its passages best first)."""
    by_page: dict[int, list[Hit]] = {}
    for hit in sorted(hits, key=lambda h: -h.score):
        by_page.setdefault(hit.page_id, []).append(hit)
    ranked = [
        (page_id, group[0].score + SUPPORT_SHARE * sum(h.score for h in group[1:]), group)
        for page_id, group in by_page.items()
    ]
    ranked.sort(key=lambda entry: -entry[1])
    return ranked


@timed_retrieval
async def search(
    uow: UnitOfWork,
    query: str,
    *,
    audience: str = "ai_agent",
    locale: str | None = None,
    k: int = 8,
    passages_per_page: int = 2,
    rankers: Sequence[Ranker] | None = None,
) -> list[Passage]:
    """The k best passages for `query` among the pages available to `audience` (and in `locale`).

    Passages come grouped by page, best page first, at most `passages_per_page` from one page.
    """
    if audience not in AUDIENCES:
        raise invalid(f"audience must be one of {', '.join(AUDIENCES)}", "audience")
    if k <= 0 or not query.strip():
        return []
    scope = Scope(workspace_id=uow.workspace_id, availability_column=AUDIENCES[audience], locale=locale)
    depth = max(50, k * 8)
    chosen_rankers = list(rankers or rankers_for(uow))
    for ranker in chosen_rankers:
        # Work that needs no database (embedding the query) starts first and overlaps the rest.
        prepare = getattr(ranker, "prepare", None)
        if prepare is not None:
            prepare(query)
    rankings = [(r.weight, await r.rank(uow, query, scope, depth)) for r in chosen_rankers]
    chosen: list[tuple[Hit, float]] = []
    for _, page_score, group in rank_pages(fuse(rankings)):
        chosen.extend((hit, page_score) for hit in group[:passages_per_page])
        if len(chosen) >= k:
            break
    return await _load(uow, chosen[:k])


async def _load(uow: UnitOfWork, chosen: list[tuple[Hit, float]]) -> list[Passage]:
    if not chosen:
        return []
    stmt = (
        select(
            content_passages.c.id,
            content_passages.c.heading,
            content_passages.c.text,
            external_pages.c.id.label("page_id"),
            external_pages.c.title,
            external_pages.c.url,
        )
        .join(external_pages, external_pages.c.id == content_passages.c.page_id)
        .where(
            content_passages.c.workspace_id == uow.workspace_id,
            content_passages.c.id.in_([hit.passage_id for hit, _ in chosen]),
        )
    )
    rows = {row["id"]: row for row in await uow.all(stmt)}
    return [
        Passage(
            page_id=str(row["page_id"]),
            title=row["title"],
            url=row["url"],
            heading=row["heading"],
            text=row["text"],
            score=round(page_score, 6),
        )
        for hit, page_score in chosen
        if (row := rows.get(hit.passage_id)) is not None
    ]
