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
    """BM25 over the FTS5 table, with per-field weights."""

    name = "fts5-bm25"

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        terms = query_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{term}"' for term in terms)
        weights = f"{TITLE_WEIGHT}, {HEADING_WEIGHT}, {BODY_WEIGHT}"
        sql = text(
            f"""
            SELECT p.id, p.page_id, -bm25(content_passages_fts, {weights}) AS score
            FROM content_passages_fts
            JOIN content_passages p ON p.id = content_passages_fts.rowid
            JOIN external_pages e ON e.id = p.page_id
            WHERE content_passages_fts MATCH :match AND p.workspace_id = :workspace_id AND {_scope_sql(scope)}
            ORDER BY bm25(content_passages_fts, {weights})
            LIMIT :limit
            """
        )
        params = {
            "match": match,
            "workspace_id": scope.workspace_id,
            "available": True,
            "locale": scope.locale,
            "limit": limit,
        }
        rows = (await uow.execute(sql, params)).all()
        return [Hit(int(r[0]), int(r[1]), float(r[2])) for r in rows]


class PostgresFtsRanker:
    """tsvector matching through the GIN index, ranked by BM25 with the index's own term statistics.

    PostgreSQL's ts_rank knows no document frequencies, so rare words would count no more than
    common ones. This ranker asks the GIN index how many passages hold each query term (capped, so
    very common terms cost little), drops terms that are in most passages, and scores candidates by
    BM25 over their weighted lexemes.
    """

    name = "tsvector-bm25"
    k1 = 1.2
    b = 0.75
    # Counting stops here: a term in this many passages is as good as a stopword for ranking.
    df_cap = 5000

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        terms = query_terms(query)
        if not terms:
            return []
        lexemes = await self._lexemes(uow, terms)
        if not lexemes:
            return []
        total, avg_length = await self._corpus(uow, scope.workspace_id)
        frequencies = await self._document_frequencies(uow, scope.workspace_id, lexemes)
        idf = {
            lexeme: math.log(1 + (total - df + 0.5) / (df + 0.5))
            for lexeme, df in frequencies.items()
            if df and df < self.df_cap
        }
        if not idf:
            return []
        tsquery = " | ".join(_quote(lexeme) for lexeme in idf)
        sql = text(
            f"""
            SELECT p.id, p.page_id, p.tsv::text, p.length
            FROM content_passages p
            JOIN external_pages e ON e.id = p.page_id
            WHERE p.tsv @@ to_tsquery('simple', :tsquery) AND p.workspace_id = :workspace_id AND {_scope_sql(scope)}
            ORDER BY ts_rank('{{0.1, 0.2, 0.5, 1.0}}', p.tsv, to_tsquery('simple', :tsquery)) DESC
            LIMIT :candidates
            """
        )
        params = {
            "tsquery": tsquery,
            "workspace_id": scope.workspace_id,
            "available": True,
            "locale": scope.locale,
            "candidates": max(limit * 4, 200),
        }
        rows = (await uow.execute(sql, params)).all()
        hits = [
            Hit(int(r[0]), int(r[1]), self._bm25(parse_tsvector(r[2]), int(r[3] or 1), avg_length, idf)) for r in rows
        ]
        hits.sort(key=lambda hit: -hit.score)
        return hits[:limit]

    def _bm25(self, lexemes: dict[str, dict[str, int]], length: int, avg_length: float, idf: dict[str, float]) -> float:
        weight_of = {"A": TITLE_WEIGHT, "B": HEADING_WEIGHT, "D": BODY_WEIGHT}
        norm = 1 - self.b + self.b * length / avg_length
        score = 0.0
        for lexeme, term_idf in idf.items():
            counts = lexemes.get(lexeme)
            if not counts:
                continue
            tf = sum(weight_of.get(weight, BODY_WEIGHT) * count for weight, count in counts.items())
            score += term_idf * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        return score

    async def _lexemes(self, uow: UnitOfWork, terms: list[str]) -> list[str]:
        """The query terms as the index stores them (English stemming, stopwords removed)."""
        rows = (
            await uow.execute(
                text("SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', :words)))"),
                {"words": " ".join(terms)},
            )
        ).all()
        return [r[0] for r in rows]

    async def _corpus(self, uow: UnitOfWork, workspace_id: str) -> tuple[int, float]:
        row = (
            await uow.execute(
                text("SELECT count(*), avg(length) FROM content_passages WHERE workspace_id = :w"),
                {"w": workspace_id},
            )
        ).one()
        return int(row[0] or 0), float(row[1] or 1.0)

    async def _document_frequencies(self, uow: UnitOfWork, workspace_id: str, lexemes: list[str]) -> dict[str, int]:
        counts = ", ".join(
            f"(SELECT count(*) FROM (SELECT 1 FROM content_passages WHERE workspace_id = :w "
            f"AND tsv @@ to_tsquery('simple', :t{i}) LIMIT {self.df_cap}) AS m{i})"
            for i in range(len(lexemes))
        )
        params: dict[str, str] = {"w": workspace_id} | {f"t{i}": _quote(lexeme) for i, lexeme in enumerate(lexemes)}
        row = (await uow.execute(text(f"SELECT {counts}"), params)).one()
        return {lexeme: int(row[i]) for i, lexeme in enumerate(lexemes)}


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


_TSV_ENTRY = re.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")


def parse_tsvector(value: str) -> dict[str, dict[str, int]]:
    """`'word':1A,4 'other':2B` → {"word": {"A": 1, "D": 1}, "other": {"B": 1}} (positions per weight)."""
    result: dict[str, dict[str, int]] = {}
    for lexeme, positions in _TSV_ENTRY.findall(value):
        counts: dict[str, int] = {}
        for position in positions.split(",") if positions else ["1"]:
            weight = position[-1] if position[-1] in "ABC" else "D"
            counts[weight] = counts.get(weight, 0) + 1
        result[lexeme.replace("''", "'")] = counts
    return result


def lexical_ranker(dialect: str) -> SqliteFtsRanker | PostgresFtsRanker:
    return PostgresFtsRanker() if dialect == "postgresql" else SqliteFtsRanker()
