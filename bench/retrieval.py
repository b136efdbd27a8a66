"""Retrieval quality and speed on an eval set, loaded through the HTTP API.

    python bench/retrieval.py [--database sqlite|postgresql] [--scale N] [--embedder local]
                              [--evals ../shared/evals/git-docs] [--concurrency 4]

Starts a tidings server on a fresh database, creates a content import source, posts every page of
the set with `POST /ai/external_pages` (timing ingest), then runs each question through
`tidings.ai_content.retrieval.search` against the same database and prints Recall@1, Recall@5 and
MRR@10 (overall and per question source), ingest pages/s and query latency p50/p95.

`--scale N` pads the library to N pages with copies of the set's pages under new external ids
(titles and text kept), so latency can be read at a larger size. A copy counts as the page it
copies; since copies tie with their originals, quality at scale says little beyond "still found".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database  # noqa: E402

from tidings.ai_content.retrieval import search  # noqa: E402
from tidings.config import normalise_database_url  # noqa: E402
from tidings.core.uow import UnitOfWork  # noqa: E402
from tidings.db.storage import open_storage  # noqa: E402

DEFAULT_EVALS = ROOT.parent / "shared" / "evals" / "git-docs"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def scaled(pages: list[dict[str, Any]], scale: int) -> list[dict[str, Any]]:
    padded = list(pages)
    copy = 0
    while len(padded) < scale:
        copy += 1
        for page in pages:
            if len(padded) >= scale:
                break
            padded.append(page | {"external_id": f"{page['external_id']}~{copy}", "url": f"{page['url']}~{copy}"})
    return padded


def ingest(base_url: str, token: str, pages: list[dict[str, Any]], concurrency: int) -> tuple[float, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}", "Intercom-Version": "Unstable"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        source = http.post("/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://git-scm.com"})
        source.raise_for_status()
        source_id = source.json()["id"]

    local = threading.local()

    def post(page: dict[str, Any]) -> tuple[str, str]:
        body = {
            "title": page["title"],
            "html": page["html"],
            "url": page["url"],
            "external_id": page["external_id"],
            "locale": "en",
            "source_id": source_id,
            "ai_agent_availability": True,
        }
        if not hasattr(local, "http"):
            # One keep-alive client per thread: a client per request costs more than the request.
            local.http = httpx.Client(base_url=base_url, headers=headers, timeout=120)
        response = local.http.post("/ai/external_pages", json=body)
        response.raise_for_status()
        return response.json()["id"], page["external_id"]

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        ids = dict(pool.map(post, pages))
    elapsed = time.perf_counter() - start
    return len(pages) / elapsed, ids


async def evaluate(
    database_url: str, workspace_id: str, questions: list[dict[str, Any]], external_of: dict[str, str]
) -> tuple[dict[str, dict[str, float]], list[float]]:
    storage = open_storage(database_url)
    per_source: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    latencies: list[float] = []
    try:
        for warmup in questions[:5]:
            await run_query(storage, workspace_id, warmup["question"])
        for question in questions:
            start = time.perf_counter()
            results = await run_query(storage, workspace_id, question["question"])
            latencies.append((time.perf_counter() - start) * 1000)
            ranked: list[str] = []
            for passage in results:
                external_id = external_of.get(passage.page_id, "").split("~")[0]
                if external_id not in ranked:
                    ranked.append(external_id or "")
            rank = next((i for i, ext in enumerate(ranked, 1) if ext in question["relevant"]), None)
            hit = (int(rank == 1), int(rank is not None and rank <= 5), 1 / rank if rank and rank <= 10 else 0.0)
            per_source[question.get("source", "all")].append(hit)
    finally:
        await storage.close()
    metrics: dict[str, dict[str, float]] = {}
    everything = [hit for hits in per_source.values() for hit in hits]
    for name, hits in [("overall", everything), *sorted(per_source.items())]:
        metrics[name] = {
            "n": len(hits),
            "recall@1": statistics.fmean(h[0] for h in hits),
            "recall@5": statistics.fmean(h[1] for h in hits),
            "mrr@10": statistics.fmean(h[2] for h in hits),
        }
    return metrics, latencies


async def run_query(storage: Any, workspace_id: str, question: str) -> list[Any]:
    tx = await storage.begin(write=False)
    try:
        return await search(UnitOfWork(tx=tx, workspace_id=workspace_id), question, k=20, passages_per_page=1)
    finally:
        await tx.rollback()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--evals", type=Path, default=DEFAULT_EVALS)
    parser.add_argument("--scale", type=int, default=0, help="pad the library to this many pages")
    parser.add_argument("--embedder", default="", help="TIDINGS_EMBEDDER for server and search (e.g. local)")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    pages = read_jsonl(args.evals / "pages.jsonl")
    questions = read_jsonl(args.evals / "questions.jsonl")
    library = scaled(pages, args.scale) if args.scale > len(pages) else pages
    extra_env = {"TIDINGS_EMBEDDER": args.embedder} if args.embedder else {}
    if args.embedder:
        import os

        os.environ["TIDINGS_EMBEDDER"] = args.embedder

    with tempfile.TemporaryDirectory() as tmp:
        url = create_postgres_database() if args.database == "postgresql" else ""
        server = LiveServer(dialect=args.database, database_url=url, data_dir=Path(tmp), extra_env=extra_env)
        try:
            server.start()
            workspace = server.new_workspace("retrieval-bench")
            pages_per_second, ids = ingest(server.base_url, workspace.token, library, args.concurrency)
            database_url = normalise_database_url(url) if url else f"sqlite:///{Path(tmp) / 'tidings.db'}"
            metrics, latencies = asyncio.run(evaluate(database_url, workspace.id, questions, ids))
        finally:
            server.stop()
            if url:
                drop_postgres_database(url)

    print(f"database {args.database}, embedder {args.embedder or 'none'}, {len(library)} pages")
    for name, values in metrics.items():
        print(
            f"{name:>10} (n={values['n']:>3})  R@1 {values['recall@1']:.3f}  "
            f"R@5 {values['recall@5']:.3f}  MRR@10 {values['mrr@10']:.3f}"
        )
    print(f"ingest {pages_per_second:.1f} pages/s")
    print(f"query p50 {percentile(latencies, 0.5):.1f} ms  p95 {percentile(latencies, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
