"""The default answerer: answers only from the workspace's content, with no model and no network.

1. Retrieve: the best passages among pages available to the AI agent (`ai_content.retrieval`).
2. Decide (calibrated abstention): a passage supports the question by the share of the question's
   content words it holds, each word weighted by how rare it is in the library (inverse document
   frequency from the library's own index), plus a bonus for the question's word pairs it holds
   close together. The leading pages are re-ordered by support blended with retrieval's own score;
   when no page Fin would cite reaches a fixed support, the content does not cover the question, and
   Fin says so and hands over rather than guess. With an embedder configured, the rule reads the
   first page's support and its cosine similarity to the question together.
3. Compose: the best-supported sentences of the best page, in their page order, and citations
   (links) to that page and to the runner-up pages that cover a fair share of what it covers.

Every threshold is a property of the library and the question, not of any one question set.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

from sqlalchemy import text

from tidings.ai_content.embedder import DenseRanker
from tidings.ai_content.lexical import Hit, Scope, query_terms
from tidings.ai_content.retrieval import Passage, Ranker, rankers_for, search
from tidings.core.uow import UnitOfWork

# How many passages to look at, and how many pages to cite at most.
CANDIDATES = 12
MAX_CITATIONS = 3
# Fin answers when the best passage holds enough of the question: its share of the question's
# IDF-weighted content words, plus PHRASE_WEIGHT times its share of the question's word pairs.
SUPPORT_TO_ANSWER = 0.65
# ... and this much when every word of the question occurs somewhere in the library.
SUPPORT_WHEN_WORDS_KNOWN = 0.55
PHRASE_WEIGHT = 0.3
PHRASE_WINDOW = 3
# With an embedder: a page this similar in meaning answers; below the floor, words alone do not.
COSINE_TO_ANSWER = 0.55
COSINE_FLOOR = 0.4
# Retrieval's leading pages that are re-ordered by that support.
RERANK_PAGES = 6
# Retrieval's own score keeps this share of the re-ranking: with a dense ranker most, since its fused
# score carries meaning that word overlap misses; with BM25 alone less, whose scores tell the right
# page first more often than support does (0.66 against 0.59 on the developer set) while support
# better tells which pages hold the question at all.
RETRIEVAL_SHARE_WITH_DENSE = 0.7
RETRIEVAL_SHARE_LEXICAL = 0.4
# A runner-up page is cited too when it holds at least this share of the best page's coverage.
RUNNER_UP_COVERAGE = 0.3
# An answer is a few sentences, not the page.
ANSWER_SENTENCES = 2
ANSWER_MAX_WORDS = 70
# Document frequencies are counted up to here; a word in this many passages tells nothing.
DF_CAP = 500

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`])")


@dataclass(frozen=True, slots=True)
class Citation:
    page_id: str
    title: str
    url: str


@dataclass(slots=True)
class Grounding:
    """What retrieval found for a question, and whether it covers it."""

    question: str
    passages: list[Passage]
    weights: dict[str, float]
    support: float
    covered: bool
    cited_pages: list[str] = field(default_factory=list)
    # The best page's cosine similarity to the question, when an embedder is configured.
    similarity: float | None = None
    # Words of the question the library never uses: a sign the question is about something else.
    unknown_words: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    covered: bool
    text: str  # plain text, what streaming chunks carry
    html: str  # the `fin_replied` body
    citations: list[Citation]


def stem(word: str) -> str:
    """A light English stemmer, the same on both sides: `logs`/`log`, `merging`/`merge`, `histories`/`history`."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def stems(text: str) -> set[str]:
    return {stem(word) for word in _WORD.findall(text.lower())}


def _frequency_sql(dialect: str, count: int) -> str:
    """One statement counting, per term, the workspace's passages that hold it (capped at DF_CAP)."""
    if dialect == "postgresql":
        match = "SELECT 1 FROM content_passages WHERE workspace_id = :w AND tsv @@ plainto_tsquery('english', :t{i})"
    else:
        # An IN over the FTS match, not a join: SQLite plans the join as a MATCH per passage.
        match = (
            "SELECT 1 FROM content_passages WHERE workspace_id = :w AND id IN "
            "(SELECT rowid FROM content_passages_fts WHERE content_passages_fts MATCH :t{i})"
        )
    counts = ", ".join(f"(SELECT count(*) FROM ({match.format(i=i)} LIMIT {DF_CAP}) AS m{i})" for i in range(count))
    return f"SELECT (SELECT count(*) FROM content_passages WHERE workspace_id = :w), {counts}"


async def term_weights(uow: UnitOfWork, question: str) -> tuple[dict[str, float], set[str]]:
    """IDF of each content word of the question over the workspace's passages, from the full-text
    index, and the words the library never uses."""
    terms = query_terms(question)
    if not terms:
        return {}, set()
    quoted = [term if uow.dialect == "postgresql" else '"' + term.replace('"', "") + '"' for term in terms]
    params = {"w": uow.workspace_id} | {f"t{i}": value for i, value in enumerate(quoted)}
    row = (await uow.execute(text(_frequency_sql(uow.dialect, len(terms))), params)).one()
    total = int(row[0] or 0)
    weights: dict[str, float] = {}
    unknown: set[str] = set()
    for term, frequency in zip(terms, row[1:], strict=True):
        idf = math.log((total + 1) / (int(frequency) + 0.5))
        weights[stem(term)] = max(weights.get(stem(term), 0.0), idf)
        if not frequency:
            unknown.add(term)
    return weights, unknown


def coverage(weights: dict[str, float], passage: Passage) -> float:
    """Share of the question's weight whose words the passage (with its title and heading) holds."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    present = stems(f"{passage.title} {passage.heading or ''} {passage.text}")
    return sum(weight for term, weight in weights.items() if term in present) / total


def page_order(passages: list[Passage]) -> list[str]:
    return list(dict.fromkeys(p.page_id for p in passages))


def phrase_support(question: str, passage: Passage) -> float:
    """Share of the question's neighbouring content-word pairs that sit close together in the passage.

    Words that belong together in the question ("working tree", "commit logs") and together in the
    passage say more than the same words scattered over it.
    """
    terms = [stem(term) for term in query_terms(question)]
    pairs = list(zip(terms, terms[1:], strict=False))
    if not pairs:
        return 0.0
    positions: dict[str, list[int]] = {}
    words = _WORD.findall(f"{passage.title} {passage.heading or ''} {passage.text}".lower())
    for index, word in enumerate(words):
        positions.setdefault(stem(word), []).append(index)
    near = sum(
        1
        for first, second in pairs
        if any(0 < j - i <= PHRASE_WINDOW for i in positions.get(first, ()) for j in positions.get(second, ()))
    )
    return near / len(pairs)


class RecordingRanker:
    """Passes a ranker through and keeps its hits: the dense ranker's scores are cosine similarities."""

    def __init__(self, ranker: Ranker) -> None:
        self.ranker = ranker
        self.name = ranker.name
        self.weight = ranker.weight
        self.hits: list[Hit] = []

    async def rank(self, uow: UnitOfWork, query: str, scope: Scope, limit: int) -> list[Hit]:
        self.hits = await self.ranker.rank(uow, query, scope, limit)
        return self.hits


async def retrieve(uow: UnitOfWork, question: str) -> tuple[list[Passage], dict[str, float]]:
    """The candidate passages, and each page's best cosine similarity when an embedder is configured."""
    rankers = [RecordingRanker(r) if isinstance(r, DenseRanker) else r for r in rankers_for(uow)]
    passages = await search(uow, question, audience="ai_agent", k=CANDIDATES, rankers=rankers)
    cosines: dict[str, float] = {}
    for ranker in rankers:
        if isinstance(ranker, RecordingRanker):
            for hit in ranker.hits:
                page = str(hit.page_id)
                cosines[page] = max(cosines.get(page, -1.0), hit.score)
    return passages, cosines


def reranked(passages: list[Passage], support: dict[str, float], dense: bool) -> list[str]:
    """Retrieval's leading pages, ordered by lexical support blended with retrieval's own score
    relative to the best page's."""
    share = RETRIEVAL_SHARE_WITH_DENSE if dense else RETRIEVAL_SHARE_LEXICAL
    score = {p.page_id: p.score for p in passages}
    top = max(score.values()) or 1.0
    leading = page_order(passages)[:RERANK_PAGES]
    blended = {page: share * score[page] / top + (1 - share) * support[page] for page in leading}
    return sorted(leading, key=lambda page: -blended[page])


def answerable(support: float, cosine: float | None, unknown_words: int) -> bool:
    """The abstention rule: lexical support (less of it when the library knows every word of the
    question), and with an embedder the question's meaning too."""
    needed = SUPPORT_TO_ANSWER if unknown_words else SUPPORT_WHEN_WORDS_KNOWN
    if cosine is None:
        return support >= needed
    return cosine >= COSINE_TO_ANSWER or (support >= needed and cosine >= COSINE_FLOOR)


async def ground(uow: UnitOfWork, question: str) -> Grounding:
    passages, cosines = await retrieve(uow, question)
    weights, unknown = await term_weights(uow, question)
    if not passages or not weights:
        return Grounding(question, passages, weights, 0.0, False)
    covers: dict[str, float] = {}
    support: dict[str, float] = {}
    for passage in passages:
        page, covered = passage.page_id, coverage(weights, passage)
        covers[page] = max(covers.get(page, 0.0), covered)
        support[page] = max(support.get(page, 0.0), covered + PHRASE_WEIGHT * phrase_support(question, passage))
    # Retrieval's order, refined by how well each of the leading pages covers the question.
    pages = reranked(passages, support, dense=bool(cosines))
    best = pages[0]
    cited = [page for page in pages if covers[page] >= RUNNER_UP_COVERAGE * covers[best]][:MAX_CITATIONS]
    if cosines:
        # The first page's meaning and words are read together.
        cosine: float | None = cosines.get(best, 0.0)
        evidence = support[best]
    else:
        # Words alone: the content covers the question when a page Fin cites holds enough of it.
        cosine, evidence = None, max(support[page] for page in cited)
    covered = answerable(evidence, cosine, len(unknown))
    return Grounding(question, passages, weights, evidence, covered, cited, cosine, sorted(unknown))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def best_sentences(grounding: Grounding) -> list[str]:
    """The sentences of the best page that hold most of the question's weight, in page order."""
    best_page = grounding.cited_pages[0]
    candidates: list[tuple[float, int, str]] = []
    position = 0
    for passage in grounding.passages:
        if passage.page_id != best_page:
            continue
        for sentence in sentences(passage.text):
            present = stems(sentence)
            weight = sum(w for term, w in grounding.weights.items() if term in present)
            candidates.append((weight, position, sentence))
            position += 1
    if not candidates:
        return []
    chosen = sorted(candidates, key=lambda c: (-c[0], c[1]))[:ANSWER_SENTENCES]
    picked: list[str] = []
    words = 0
    for _, _, sentence in sorted(chosen, key=lambda c: c[1]):
        size = len(sentence.split())
        if picked and words + size > ANSWER_MAX_WORDS:
            break
        picked.append(sentence if size <= ANSWER_MAX_WORDS else " ".join(sentence.split()[:ANSWER_MAX_WORDS]) + " …")
        words += size
    return picked


def citations_of(grounding: Grounding) -> list[Citation]:
    first: dict[str, Passage] = {}
    for passage in grounding.passages:
        first.setdefault(passage.page_id, passage)
    return [
        Citation(page_id=page, title=first[page].title, url=first[page].url or "")
        for page in grounding.cited_pages
        if first[page].url
    ]


def link(citation: Citation) -> str:
    href = html.escape(citation.url, quote=True)
    return f'<a href="{href}" target="_blank">{html.escape(citation.title, quote=False)}</a>'


def render(text_paragraphs: list[str], citations: list[Citation]) -> str:
    """Fin's HTML: paragraphs, then the cited pages as links."""
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in text_paragraphs)
    if citations:
        links = "".join(f"<li>{link(c)}</li>" for c in citations)
        body += f"<p>Sources:</p><ul>{links}</ul>"
    return body


def compose(grounding: Grounding) -> Answer:
    picked = best_sentences(grounding) if grounding.covered else []
    if not picked:
        return not_covered()
    citations = citations_of(grounding)
    reply = " ".join(picked)
    return Answer(covered=True, text=reply, html=render([reply], citations), citations=citations)


def not_covered() -> Answer:
    reply = "I couldn't find an answer to that in our help content, so I'm passing you to the team."
    return Answer(covered=False, text=reply, html=render([reply], []), citations=[])


async def answer(uow: UnitOfWork, question: str) -> Answer:
    return compose(await ground(uow, question))
