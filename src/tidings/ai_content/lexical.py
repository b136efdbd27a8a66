"""Lexical rankers over the database's own full-text index: FTS5 BM25 on SQLite, tsvector on PostgreSQL.

Both index the passage text together with its page title and heading path as separately weighted
fields, stem English words, and are queried with the question's content words OR-ed together, so a
question need not share every word with its answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import text

from tidings.core.uow import UnitOfWork

# Function words carry no topic; dropping them keeps OR-queries from matching every passage.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
    let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves
    out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those through
    to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's will with won't would wouldn't you you'd you'll
    you're you've your yours yourself yourselves s t""".split()
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)

# Field weights: the title and headings name what a passage is about, the body says it.
# Terms in more than this share of passages carry (next to) no weight.
MAX_DF_SHARE = 0.5
# Postings a query may read to find its candidates, rarest terms first.
CANDIDATE_BUDGET = 600
TITLE_WEIGHT = 3.0
HEADING_WEIGHT = 2.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Hit:
    passage_id: int
    page_id: int
    score: float


@dataclass(frozen=True, slots=True)
class Scope:
    """Which pages a search may return."""

    workspace_id: str
    availability_column: str
    locale: str | None


def query_terms(query: str) -> list[str]:
    """The query's content words, lowercased, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if word not in STOPWORDS and (len(word) > 1 or not word.isdigit()):
            seen.setdefault(word.replace("'", ""), None)
    return list(seen)


def _scope_sql(scope: Scope) -> str:
    clause = f"e.{scope.availability_column} = :available"
    if scope.locale is not None:
        clause += " AND e.locale = :locale"
    return clause


class SqliteFtsRanker:
    """BM25 over the FTS5 table, with per-field weights, confined to the workspace inside the index.

    FTS5 gives a term in more than half of the indexed passages no weight at all (its IDF floor), so
    such terms are left out of the match: the ranking is the same, and the index no longer scores
    every passage that merely mentions the product's name. In a large library, the commonest of the
    remaining terms are left out too once the rarer ones' postings reach the candidate budget, which
    keeps latency flat as the library grows (a library of a few hundred pages never reaches it).
    """

    name = "fts5-bm25"

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        terms = await self._informative(uow, query_terms(query))
        if not terms:
            return []
        workspace = scope.workspace_id.replace('"', "")
        match = f'workspace_id : "{workspace}" AND (' + " OR ".join(f'"{term}"' for term in terms) + ")"
        weights = f"{TITLE_WEIGHT}, {HEADING_WEIGHT}, {BODY_WEIGHT}, 0.0"
        # The index ranks on its own (ORDER BY rank inside FTS5); pages are joined to the best few.
        sql = text(
            f"""
            SELECT p.id, p.page_id, -m.rank AS score
            FROM (
                SELECT rowid, rank FROM content_passages_fts
                WHERE content_passages_fts MATCH :match AND rank MATCH 'bm25({weights})'
                ORDER BY rank LIMIT :candidates
            ) AS m
            JOIN content_passages p ON p.id = m.rowid
            JOIN external_pages e ON e.id = p.page_id
            WHERE p.workspace_id = :workspace_id AND {_scope_sql(scope)}
            ORDER BY m.rank
            LIMIT :limit
            """
        )
        params = {
            "match": match,
            "workspace_id": scope.workspace_id,
            "available": True,
            "locale": scope.locale,
            "candidates": limit * 4,
            "limit": limit,
        }
        rows = (await uow.execute(sql, params)).all()
        return [Hit(int(r[0]), int(r[1]), float(r[2])) for r in rows]

    async def _informative(self, uow: UnitOfWork, terms: list[str]) -> list[str]:
        """The terms to match: those FTS5 weighs at all (in at most half of the indexed passages),
        rarest first while their postings fit the budget, and always the rarest one."""
        if len(terms) <= 1:
            return terms
        counts = ", ".join(
            f"(SELECT count(*) FROM content_passages_fts WHERE content_passages_fts MATCH :t{i})"
            for i in range(len(terms))
        )
        total_sql = "(SELECT count(*) FROM content_passages_fts_docsize)"
        params = {f"t{i}": f'"{term}"' for i, term in enumerate(terms)}
        row = (await uow.execute(text(f"SELECT {total_sql}, {counts}"), params)).one()
        total = int(row[0])
        by_rarity = sorted((int(df), term) for term, df in zip(terms, row[1:], strict=True) if int(df) > 0)
        kept: list[str] = []
        postings = 0
        for df, term in by_rarity:
            if kept and (df > total * MAX_DF_SHARE or postings + df > CANDIDATE_BUDGET):
                break
            kept.append(term)
            postings += df
        return kept


class PostgresFtsRanker:
    """tsvector matching through the GIN index, ranked by BM25 with exact document frequencies.

    PostgreSQL's ts_rank knows no document frequencies, so rare words would count no more than
    common ones. The frequencies come from `content_terms` (kept by triggers); candidates are the
    passages holding the query's rarest terms, up to a budget of postings, so latency stays flat as
    the library grows; each candidate is scored by BM25 over all the query's terms.
    """

    name = "tsvector-bm25"
    k1 = 1.2
    b = 0.75

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        terms = query_terms(query)
        if not terms:
            return []
        total, avg_length, frequencies = await self._statistics(uow, scope.workspace_id, terms)
        idf = {lexeme: math.log(1 + (total - df + 0.5) / (df + 0.5)) for lexeme, df in frequencies.items() if df > 0}
        if not idf:
            return []
        seeds: list[str] = []
        postings = 0
        for lexeme in sorted(idf, key=lambda lexeme: frequencies[lexeme]):
            if seeds and postings + frequencies[lexeme] > CANDIDATE_BUDGET:
                break
            seeds.append(lexeme)
            postings += frequencies[lexeme]
        # Candidates through the GIN index alone; the pages' audience and locale are checked after,
        # by primary key, so the planner has no join to get wrong.
        sql = text(
            """
            SELECT p.id, p.page_id, p.length,
                   ARRAY(SELECT u.lexeme || ':' || array_to_string(u.weights, '')
                         FROM unnest(p.tsv) AS u WHERE u.lexeme = ANY(:lexemes)) AS matched
            FROM content_passages p
            WHERE p.tsv @@ to_tsquery('simple', :seeds) AND p.workspace_id = :workspace_id
            LIMIT :budget
            """
        )
        params = {
            "lexemes": list(idf),
            "seeds": " | ".join(_quote(lexeme) for lexeme in seeds),
            "workspace_id": scope.workspace_id,
            "budget": CANDIDATE_BUDGET,
        }
        candidates = (await uow.execute(sql, params)).all()
        allowed = await _pages_in_scope(uow, scope, {int(r[1]) for r in candidates})
        rows = [r for r in candidates if int(r[1]) in allowed]
        hits = [Hit(int(r[0]), int(r[1]), self._bm25(r[3], int(r[2] or 1), avg_length, idf)) for r in rows]
        hits.sort(key=lambda hit: -hit.score)
        return hits[:limit]

    def _bm25(self, matched: list[str], length: int, avg_length: float, idf: dict[str, float]) -> float:
        """`matched` holds `lexeme:weights` (one weight letter per occurrence) for the query's lexemes."""
        weight_of = {"A": TITLE_WEIGHT, "B": HEADING_WEIGHT}
        norm = 1 - self.b + self.b * length / avg_length
        score = 0.0
        for entry in matched:
            lexeme, _, weights = entry.rpartition(":")
            tf = sum(weight_of.get(weight, BODY_WEIGHT) for weight in weights) or BODY_WEIGHT
            score += idf[lexeme] * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        return score

    async def _statistics(
        self, uow: UnitOfWork, workspace_id: str, terms: list[str]
    ) -> tuple[int, float, dict[str, int]]:
        """(passages, their average length, {lexeme: passages holding it}) in one round trip; the
        query's words become lexemes the way the index made them (English stemming, stopwords)."""
        sql = text(
            """
            WITH q AS (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', :words))) AS term)
            SELECT q.term, coalesce(c.passages, 0), 0 FROM q
            LEFT JOIN content_terms c ON c.workspace_id = :w AND c.term = q.term
            UNION ALL
            SELECT '', passages, words FROM content_terms WHERE workspace_id = :w AND term = ''
            """
        )
        rows = (await uow.execute(sql, {"words": " ".join(terms), "w": workspace_id})).all()
        total, words = next(((int(r[1]), int(r[2])) for r in rows if r[0] == ""), (0, 0))
        frequencies = {r[0]: int(r[1]) for r in rows if r[0] != ""}
        return total, (words / total if total else 1.0), frequencies


async def _pages_in_scope(uow: UnitOfWork, scope: Scope, page_ids: set[int]) -> set[int]:
    if not page_ids:
        return set()
    sql = text(
        f"SELECT e.id FROM external_pages e WHERE e.id = ANY(:ids) AND e.workspace_id = :w AND {_scope_sql(scope)}"
    )
    params = {"ids": list(page_ids), "w": scope.workspace_id, "available": True, "locale": scope.locale}
    return {int(r[0]) for r in (await uow.execute(sql, params)).all()}


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def lexical_ranker(dialect: str, weight: float = 1.0) -> SqliteFtsRanker | PostgresFtsRanker:
    return PostgresFtsRanker(weight) if dialect == "postgresql" else SqliteFtsRanker(weight)
