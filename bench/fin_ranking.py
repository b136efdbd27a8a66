"""How far re-ranking can take Fin's citations: the ceiling of the signals Fin computes.

    python bench/fin_ranking.py [--database sqlite|postgresql] [--embedder local] [--evals DIR]

Loads the set's pages through the API (as bench/retrieval.py does), then for every in-scope question
runs Fin's retrieval in-process and prints the share of questions whose relevant page is:

- among retrieval's first 1 / 3 / 10 pages (10 is what a perfect re-ranker of them could reach);
- among the first 1 / 3 pages Fin cites (`answerer.ground`, before abstention);
- among the first 1 / 3 pages of a listwise linear re-ranker fitted on every signal Fin has for a
  candidate page (retrieval's fused score, each ranker's own score, IDF coverage, phrase support,
  the share of the page title's distinctive words the question holds), cross-validated over five
  folds of questions: what a better weighting of those signals could reach, on unseen questions.

The gap between the last and the first line is what new signals, not new weights, must close.
Needs numpy (the `test` or `embeddings` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import numpy as np  # noqa: E402
from bench.retrieval import DEFAULT_EVALS, ingest, read_jsonl  # noqa: E402
from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database  # noqa: E402

from tidings.ai_content.lexical import query_terms  # noqa: E402
from tidings.ai_content.retrieval import rankers_for, search  # noqa: E402
from tidings.config import normalise_database_url  # noqa: E402
from tidings.core.uow import UnitOfWork  # noqa: E402
from tidings.db.storage import open_storage  # noqa: E402
from tidings.fin import answerer  # noqa: E402

CANDIDATE_PASSAGES = 30
RERANKED_PAGES = 12
FOLDS = 5


def title_words(title: str) -> set[str]:
    return {answerer.stem(word) for word in query_terms(title)}


class TitleIdf:
    """Rarity of each word among the library's page titles: `git` says nothing, `rebase` a lot."""

    def __init__(self, titles: list[str]) -> None:
        counts = Counter(word for title in titles for word in title_words(title))
        self.idf = {word: math.log((len(titles) + 1) / (n + 0.5)) for word, n in counts.items()}

    def share_in(self, title: str, question_words: set[str]) -> float:
        words = title_words(title)
        total = sum(self.idf.get(word, 0.0) for word in words)
        return sum(self.idf.get(word, 0.0) for word in words & question_words) / total if total else 0.0


async def candidates(uow: UnitOfWork, question: str, titles: TitleIdf) -> tuple[list[str], list[list[float]]]:
    """Retrieval's leading pages and, for each, its signals."""
    rankers = [answerer.RecordingRanker(ranker) for ranker in rankers_for(uow)]
    passages = await search(uow, question, audience="ai_agent", k=CANDIDATE_PASSAGES, rankers=rankers)
    weights, _, _ = await answerer.term_weights(uow, question)
    question_words = {answerer.stem(word) for word in query_terms(question)}
    top_score = passages[0].score if passages else 1.0
    best_by_ranker = []
    for ranker in rankers:
        best: dict[str, float] = {}
        for hit in ranker.hits:
            best[str(hit.page_id)] = max(best.get(str(hit.page_id), -math.inf), hit.score)
        top = ranker.hits[0].score if ranker.hits else 1.0
        best_by_ranker.append({page: score / top if top else 0.0 for page, score in best.items()})
    pages = answerer.page_order(passages)[:RERANKED_PAGES]
    features = []
    for page in pages:
        own = [p for p in passages if p.page_id == page]
        features.append(
            [
                own[0].score / (top_score or 1.0),
                *(best.get(page, 0.0) for best in best_by_ranker),
                max(answerer.coverage(weights, p) for p in own),
                max(answerer.phrase_support(question, p) for p in own),
                titles.share_in(own[0].title, question_words),
            ]
        )
    return pages, features


def fit(items: list[tuple[np.ndarray, np.ndarray]], size: int, steps: int = 600) -> np.ndarray:
    """A listwise (softmax) linear ranker by gradient descent on the relevant pages' likelihood."""
    weights = np.zeros(size)
    for _ in range(steps):
        gradient = np.zeros(size)
        for matrix, relevant in items:
            if relevant.any():
                scores = matrix @ weights
                shares = np.exp(scores - scores.max())
                gradient += matrix.T @ (shares / shares.sum()) - matrix[relevant].mean(0)
        weights -= 0.5 * (gradient / len(items) + 0.01 * weights)
    return weights


def recall(items: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray, k: int) -> float:
    return sum(bool(relevant[np.argsort(-(m @ weights))[:k]].any()) for m, relevant in items) / len(items)


def cross_validated(items: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    order = list(range(len(items)))
    random.Random(0).shuffle(order)
    hits = {1: 0.0, 3: 0.0}
    for fold in range(FOLDS):
        held_out = set(order[fold::FOLDS])
        weights = fit([items[i] for i in order if i not in held_out], items[0][0].shape[1])
        tested = [items[i] for i in held_out]
        for k in hits:
            hits[k] += recall(tested, weights, k) * len(tested)
    return hits[1] / len(items), hits[3] / len(items)


async def measure(
    database_url: str, workspace_id: str, questions: list[dict[str, Any]], external_of: dict[str, str], titles: TitleIdf
) -> tuple[list[list[str]], list[list[str]], list[tuple[np.ndarray, np.ndarray]]]:
    """Per question: retrieval's leading pages, Fin's cited pages, and the re-ranker's training item."""
    storage = open_storage(database_url)
    retrieved: list[list[str]] = []
    cited: list[list[str]] = []
    items: list[tuple[np.ndarray, np.ndarray]] = []
    try:
        for question in questions:
            tx = await storage.begin(write=False)
            try:
                uow = UnitOfWork(tx=tx, workspace_id=workspace_id)
                pages, features = await candidates(uow, question["question"], titles)
                grounding = await answerer.ground(uow, question["question"])
            finally:
                await tx.rollback()
            relevant = set(question["relevant"])
            retrieved.append([external_of[p] for p in pages])
            cited.append([external_of[p] for p in grounding.cited_pages])
            if pages:
                items.append((np.array(features), np.array([external_of[p] in relevant for p in pages])))
    finally:
        await storage.close()
    return retrieved, cited, items


def share(lists: list[list[str]], questions: list[dict[str, Any]], k: int) -> float:
    return sum(bool(set(q["relevant"]) & set(found[:k])) for q, found in zip(questions, lists, strict=True)) / len(
        questions
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = create_postgres_database() if ARGS.database == "postgresql" else ""
        extra_env = {"TIDINGS_EMBEDDER": ARGS.embedder} if ARGS.embedder else {}
        server = LiveServer(dialect=ARGS.database, database_url=url, data_dir=Path(tmp), extra_env=extra_env)
        try:
            server.start()
            workspace = server.new_workspace("ranking-bench")
            pages = read_jsonl(ARGS.evals / "pages.jsonl")
            _, external_of = ingest(server.base_url, workspace.token, pages, 4)
            database_url = normalise_database_url(url) if url else f"sqlite:///{Path(tmp) / 'tidings.db'}"
            questions = read_jsonl(ARGS.evals / "questions.jsonl")
            titles = TitleIdf([page["title"] for page in pages])
            retrieved, cited, items = asyncio.run(measure(database_url, workspace.id, questions, external_of, titles))
        finally:
            server.stop()
            if url:
                drop_postgres_database(url)
    print(f"database {ARGS.database}, embedder {ARGS.embedder or 'none'}, {len(questions)} in-scope questions")
    print("relevant page among the first   1      3      10")
    print(f"  retrieval's pages            {' '.join(f'{share(retrieved, questions, k):.3f}' for k in (1, 3, 10))}")
    print(f"  Fin's cited pages            {' '.join(f'{share(cited, questions, k):.3f}' for k in (1, 3))}")
    top1, top3 = cross_validated(items)
    print(f"  re-ranker on Fin's signals   {top1:.3f} {top3:.3f}   ({FOLDS}-fold cross-validated)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--evals", type=Path, default=DEFAULT_EVALS)
    parser.add_argument("--embedder", default="", help="TIDINGS_EMBEDDER for server and search (e.g. local)")
    ARGS = parser.parse_args()
    if ARGS.embedder:
        import os

        os.environ["TIDINGS_EMBEDDER"] = ARGS.embedder
    main()
