"""The default answerer: answers only from the workspace's content, with no network.

1. Retrieve: the best passages among pages available to the AI agent (`ai_content.retrieval`: the
   bundled MiniLM embedder with the database's lexical index, or the index alone).
2. Gather signals per candidate page: cosine similarity to the question (with an embedder), the
   share of the question's content words the page holds, each weighted by how rare it is in the
   library (IDF from the library's own index), plus a bonus for word pairs held close together
   (support), and BM25's score. The leading pages are re-ordered on them.
3. Decide: a logistic model over the best page's signals (`fin.answerability`, coefficients fitted
   by `bench/fin_calibrate.py`) tells whether the content answers; when it does not, Fin says so
   and hands over rather than guess. A follow-up is also read with the user's previous message.
4. Compose: the best page's sentences that address the question (its words, from the passages
   nearest in meaning first), in page order, and citations (links) to that page and to runner-up
   pages that cover a fair share of it.

Every constant is a property of the library and the question, not of any one question set.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import text

from tidings.ai_content.embedder import DenseRanker
from tidings.ai_content.lexical import Hit, Scope, query_terms
from tidings.ai_content.retrieval import Passage, Ranker, rankers_for, search
from tidings.core.uow import UnitOfWork
from tidings.fin import answerability

# How many passages to look at, and how many pages to cite at most.
CANDIDATES = 12
MAX_CITATIONS = 3
# Support: a passage's share of the question's IDF-weighted content words, plus PHRASE_WEIGHT times
# its share of the question's neighbouring word pairs held within PHRASE_WINDOW words.
PHRASE_WEIGHT = 0.3
PHRASE_WINDOW = 3
# Retrieval's leading pages that are re-ordered by that support.
RERANK_PAGES = 6
# Lexical-only, retrieval's own (BM25) score keeps this share of the re-ranking, whose scores tell the
# right page first more often than support does (0.66 against 0.59 on git-docs) while support
# better tells which pages hold the question at all.
RETRIEVAL_SHARE_LEXICAL = 0.4
# With an embedder, the page's cosine similarity plus this share of its lexical support: the right
# page among the first three cited 0.883 on git-docs and 0.877 on perl-faq (fused order: 0.883, 0.840).
SUPPORT_SHARE_WITH_DENSE = 0.3
# A runner-up page is cited too when it holds at least this share of the best page's coverage.
RUNNER_UP_COVERAGE = 0.3
# An answer is a few sentences, not the page.
ANSWER_SENTENCES = 2
ANSWER_MAX_WORDS = 70
# Pages of the dense ranking whose cosines describe the question's neighbourhood.
DENSE_PAGES = 10
# The dense ranking's pages after the first that make a question's neighbourhood.
NEIGHBOURHOOD = 5
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
    # The answerability model's probability that the content answers the question.
    probability: float = 0.0
    # What retrieval was asked: the question, or the question with the previous one as context.
    query: str = ""
    # The best page's sentences that address the question (when covered).
    answer_sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    covered: bool
    text: str  # plain text, what streaming chunks carry
    html: str  # the `fin_replied` body
    citations: list[Citation]


@lru_cache(maxsize=1 << 16)
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


@lru_cache(maxsize=4096)
def stems(text: str) -> frozenset[str]:
    """The stems of a text's words; cached, as every signal reads the same candidate passages."""
    return frozenset(stem(word) for word in _WORD.findall(text.lower()))


@lru_cache(maxsize=1024)
def _stem_positions(text: str) -> dict[str, tuple[int, ...]]:
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(_WORD.findall(text.lower())):
        positions.setdefault(stem(word), []).append(index)
    return {word: tuple(found) for word, found in positions.items()}


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


async def term_weights(uow: UnitOfWork, question: str) -> tuple[dict[str, float], set[str], int]:
    """IDF of each content word of the question over the workspace's passages, from the full-text
    index, the words the library never uses, and the number of passages."""
    terms = query_terms(question)
    if not terms:
        return {}, set(), 0
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
    return weights, unknown, total


def missing_rarity(weights: dict[str, float], unknown: set[str], total: int, passage: Passage) -> float:
    """How rare the rarest word is that the library uses, the question asks about and the passage
    lacks: its IDF relative to that of a word in a single passage (1.0), 0 when it lacks none."""
    if total <= 0:
        return 0.0
    present = stems(f"{passage.title} {passage.heading or ''} {passage.text}")
    absent = {stem(word) for word in unknown}
    missing = [w for term, w in weights.items() if term not in present and term not in absent]
    return max(missing, default=0.0) / math.log((total + 1) / 1.5)


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
    positions = _stem_positions(f"{passage.title} {passage.heading or ''} {passage.text}")
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


@dataclass(slots=True)
class PageEvidence:
    """What Fin knows about one candidate page for one question."""

    page_id: str
    retrieval: float  # retrieval's fused score relative to the best page's
    cosine: float | None  # the page's best passage cosine similarity to the question (with an embedder)
    lexical: float  # the page's best BM25 score relative to the question's best BM25 score (0: no match)
    cover: float  # share of the question's IDF-weighted content words the page's best passage holds
    support: float  # cover plus PHRASE_WEIGHT times its share of the question's word pairs
    missing: float = 0.0  # the rarity of the rarest known question word its best passage lacks


@dataclass(slots=True)
class Evidence:
    question: str
    passages: list[Passage]
    weights: dict[str, float]
    unknown: list[str]
    pages: list[PageEvidence]  # in retrieval's order
    dense: bool
    # The dense ranker's best cosine per page, best first (its first DENSE_PAGES pages).
    dense_top: list[float] = field(default_factory=list)
    # Passages in the library.
    total: int = 0


def _best_by_page(hits: list[Hit]) -> dict[str, float]:
    best: dict[str, float] = {}
    for hit in hits:
        page = str(hit.page_id)
        best[page] = max(best.get(page, -math.inf), hit.score)
    return best


async def gather(uow: UnitOfWork, question: str) -> Evidence:
    """Retrieval's candidate passages and every signal Fin reads from them."""
    rankers = [RecordingRanker(r) for r in rankers_for(uow)]
    passages = await search(uow, question, audience="ai_agent", k=CANDIDATES, rankers=rankers)
    weights, unknown, total = await term_weights(uow, question)
    dense = [r for r in rankers if isinstance(r.ranker, DenseRanker)]
    cosines = _best_by_page(dense[0].hits) if dense else {}
    lexical = _best_by_page([hit for r in rankers if not isinstance(r.ranker, DenseRanker) for hit in r.hits])
    top_lexical = max(lexical.values(), default=0.0)
    top_retrieval = max((p.score for p in passages), default=0.0) or 1.0
    pages: dict[str, PageEvidence] = {}
    for passage in passages:
        page = passage.page_id
        covered = coverage(weights, passage)
        support = covered + PHRASE_WEIGHT * phrase_support(question, passage)
        missing = missing_rarity(weights, unknown, total, passage)
        found = pages.get(page)
        if found is None:
            pages[page] = PageEvidence(
                page_id=page,
                retrieval=passage.score / top_retrieval,
                cosine=cosines.get(page, 0.0) if dense else None,
                lexical=lexical.get(page, 0.0) / top_lexical if top_lexical > 0 else 0.0,
                cover=covered,
                support=support,
                missing=missing,
            )
        else:
            found.cover = max(found.cover, covered)
            found.support = max(found.support, support)
            found.missing = min(found.missing, missing)
    dense_top = sorted(cosines.values(), reverse=True)[:DENSE_PAGES]
    return Evidence(question, passages, weights, sorted(unknown), list(pages.values()), bool(dense), dense_top, total)


def reranked(evidence: Evidence) -> list[PageEvidence]:
    """Retrieval's leading pages, re-ordered. With an embedder: by cosine similarity plus a share of
    lexical support (BM25's fused score left out: it lowered the first pages' hits on the natural
    questions of perl-faq and did not raise them on git-docs). Lexical-only: lexical support blended
    with retrieval's own score."""
    leading = evidence.pages[:RERANK_PAGES]
    if evidence.dense:
        return sorted(leading, key=lambda page: -((page.cosine or 0.0) + SUPPORT_SHARE_WITH_DENSE * page.support))
    share = RETRIEVAL_SHARE_LEXICAL
    return sorted(leading, key=lambda page: -(share * page.retrieval + (1 - share) * page.support))


def cited_pages(ordered: list[PageEvidence]) -> list[str]:
    """The best page, and runner-ups that hold a fair share of what it covers."""
    best = ordered[0]
    return [page.page_id for page in ordered if page.cover >= RUNNER_UP_COVERAGE * best.cover][:MAX_CITATIONS]


def features(evidence: Evidence, ordered: list[PageEvidence]) -> dict[str, float]:
    """The answerability model's inputs: properties of the question and of its best page."""
    best = ordered[0]
    others = [page.cosine or 0.0 for page in ordered[1:]]
    terms = len(query_terms(evidence.question)) or 1
    values = {
        "support": best.support,
        "missing": best.missing,
        "lexical": best.lexical,
        "unknown_share": len(evidence.unknown) / terms,
    }
    if evidence.dense:
        cosine = best.cosine or 0.0
        values["cosine"] = cosine
        values["margin"] = cosine - max(others, default=0.0)
        # Words count as far as the meaning agrees: a page holding the question's words while
        # being about something else (low cosine) does not answer it.
        values["support_x_cosine"] = best.support * cosine
        # How far the page stands out from the question's neighbourhood: its cosine minus the mean
        # of the dense ranking's next pages (near-duplicate pages make the margin to one page small).
        neighbours = evidence.dense_top[1 : NEIGHBOURHOOD + 1]
        values["gap_mean"] = cosine - (sum(neighbours) / len(neighbours) if neighbours else 0.0)
    # The word pairs of the question the page holds together (PHRASE_WEIGHT × their share).
    values["phrase"] = best.support - best.cover
    return values


async def ground_query(uow: UnitOfWork, question: str, query: str) -> Grounding:
    """Retrieval and the answerability decision for `query` (the question, perhaps with context)."""
    evidence = await gather(uow, query)
    passages, weights = evidence.passages, evidence.weights
    if not passages or not weights:
        return Grounding(question, passages, weights, 0.0, False, query=query)
    ordered = reranked(evidence)
    best = ordered[0]
    probability = answerability.probability(features(evidence, ordered), dense=evidence.dense)
    grounding = Grounding(
        question,
        passages,
        weights,
        best.support,
        probability >= answerability.THRESHOLD,
        cited_pages(ordered),
        best.cosine,
        evidence.unknown,
        probability,
        query,
    )
    if grounding.covered:
        grounding.answer_sentences = best_sentences(grounding)
    return grounding


async def ground(uow: UnitOfWork, question: str, earlier_questions: Sequence[str] = ()) -> Grounding:
    """What the content says to `question`, read in the conversation's context.

    A question the content answers on its own is answered so. Otherwise a follow-up ("And for the
    annual plan?") is read together with the user's previous message; that reading is taken when
    the content answers it from a page the question alone already leads to (among retrieval's first
    MAX_CITATIONS pages), so an unrelated new question is not answered from the previous topic.
    """
    alone = await ground_query(uow, question, question)
    previous = next((text for text in reversed(earlier_questions) if text.strip()), None)
    if alone.covered or previous is None:
        return alone
    together = await ground_query(uow, question, f"{previous} {question}")
    leads_to = page_order(alone.passages)[:MAX_CITATIONS]
    return together if together.covered and together.cited_pages[0] in leads_to else alone


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _sentence_weight(grounding: Grounding, sentence: str) -> float:
    """Share of the question's IDF weight the sentence holds."""
    total = sum(grounding.weights.values()) or 1.0
    present = stems(sentence)
    return sum(w for term, w in grounding.weights.items() if term in present) / total


def best_sentences(grounding: Grounding) -> list[str]:
    """The sentences of the best page that address the question, in page order: those holding the
    largest share of the question's weighted words, from the page's passages in retrieval's order
    (the passage nearest in meaning first), so a paraphrase with no word in common gets the
    sentences of the passage that matched it. Sentences are not embedded at answer time: under
    load that cost more than the rest of the turn (docs/measurements/fin.md)."""
    best_page = grounding.cited_pages[0]
    found = [s for p in grounding.passages if p.page_id == best_page for s in sentences(p.text)]
    found = list(dict.fromkeys(found))
    if not found:
        return []
    scores = [_sentence_weight(grounding, sentence) for sentence in found]
    ranked = sorted(range(len(found)), key=lambda i: (-scores[i], i))[:ANSWER_SENTENCES]
    picked: list[str] = []
    words = 0
    for index in sorted(ranked):
        sentence = found[index]
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
    picked = grounding.answer_sentences if grounding.covered else []
    if not picked:
        return not_covered()
    citations = citations_of(grounding)
    reply = " ".join(picked)
    return Answer(covered=True, text=reply, html=render([reply], citations), citations=citations)


def not_covered() -> Answer:
    reply = "I couldn't find an answer to that in our help content, so I'm passing you to the team."
    return Answer(covered=False, text=reply, html=render([reply], []), citations=[])


async def answer(uow: UnitOfWork, question: str, earlier_questions: Sequence[str] = ()) -> Answer:
    return compose(await ground(uow, question, earlier_questions))
