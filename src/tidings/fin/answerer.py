"""The default answerer: answers only from the workspace's content, with no model and no network.

1. Retrieve: the best passages among pages available to the AI agent (`ai_content.retrieval`).
2. Decide (calibrated abstention): the question is covered when the best page's passages contain
   most of the question's content words, each word weighted by how rare it is in the library
   (inverse document frequency from the library's own index). A question whose rare, telling
   words the content never mentions is not answered from it; Fin says so and hands over.
3. Compose: the best-supported sentences of the best page, in their page order, and citations
   (links) to that page and to the runner-up pages that cover the question about as well.

Every threshold is a property of the library and the question, not of any one question set.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tidings.ai_content.lexical import Scope, lexical_ranker, query_terms
from tidings.ai_content.retrieval import AUDIENCES, Passage, search
from tidings.ai_content.storage import content_passages, external_pages
from tidings.core.uow import UnitOfWork

# How many passages to look at, and how many pages to cite at most.
CANDIDATES = 12
MAX_CITATIONS = 3
# Share of the question's (IDF-weighted) content the best passage must hold for Fin to answer.
COVERAGE_TO_ANSWER = 0.5
# A runner-up page is cited when it covers the question nearly as well and ranks close.
RUNNER_UP_COVERAGE = 0.8
RUNNER_UP_SCORE = 0.5
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
    coverage: float
    covered: bool
    cited_pages: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    covered: bool
    text: str  # plain text, what streaming chunks carry
    html: str  # the `fin_replied` body
    citations: list[Citation]


def stem(word: str) -> str:
    """A light English suffix stripper: enough to match `logs`/`log`, `merging`/`merge(d)`."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(word) for word in _WORD.findall(text.lower())}


async def term_weights(uow: UnitOfWork, question: str) -> dict[str, float]:
    """IDF of each content word of the question over the passages available to the AI agent."""
    terms = query_terms(question)
    if not terms:
        return {}
    total = int(
        await uow.scalar(
            select(func.count())
            .select_from(content_passages.join(external_pages, external_pages.c.id == content_passages.c.page_id))
            .where(
                content_passages.c.workspace_id == uow.workspace_id,
                external_pages.c.ai_agent_availability.is_(True),
            )
        )
        or 0
    )
    scope = Scope(workspace_id=uow.workspace_id, availability_column=AUDIENCES["ai_agent"], locale=None)
    ranker = lexical_ranker(uow.dialect)
    weights: dict[str, float] = {}
    for term in terms:
        frequency = len(await ranker.rank(uow, term, scope, DF_CAP))
        weights[stem(term)] = max(weights.get(stem(term), 0.0), math.log((total + 1) / (frequency + 0.5)))
    return weights


def coverage(weights: dict[str, float], passage: Passage) -> float:
    """Share of the question's weight whose words the passage (with its title and heading) holds."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    present = stems(f"{passage.title} {passage.heading or ''} {passage.text}")
    return sum(weight for term, weight in weights.items() if term in present) / total


def page_order(passages: list[Passage]) -> list[str]:
    return list(dict.fromkeys(p.page_id for p in passages))


async def ground(uow: UnitOfWork, question: str) -> Grounding:
    passages = await search(uow, question, audience="ai_agent", k=CANDIDATES)
    weights = await term_weights(uow, question)
    if not passages or not weights:
        return Grounding(question, passages, weights, 0.0, False)
    by_page: dict[str, float] = {}
    score_of: dict[str, float] = {}
    for passage in passages:
        by_page[passage.page_id] = max(by_page.get(passage.page_id, 0.0), coverage(weights, passage))
        score_of.setdefault(passage.page_id, passage.score)
    pages = page_order(passages)
    best = pages[0]
    covered = by_page[best] >= COVERAGE_TO_ANSWER
    cited = [best]
    for page in pages[1:]:
        if len(cited) >= MAX_CITATIONS:
            break
        close = score_of[page] >= RUNNER_UP_SCORE * score_of[best]
        if close and by_page[page] >= RUNNER_UP_COVERAGE * by_page[best]:
            cited.append(page)
    return Grounding(question, passages, weights, by_page[best], covered, cited)


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
    text = " ".join(picked)
    return Answer(covered=True, text=text, html=render([text], citations), citations=citations)


def not_covered() -> Answer:
    text = "I couldn't find an answer to that in our help content, so I'm passing you to the team."
    return Answer(covered=False, text=text, html=render([text], []), citations=[])


async def answer(uow: UnitOfWork, question: str) -> Answer:
    return compose(await ground(uow, question))
