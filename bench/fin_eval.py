"""Fin end to end on an eval set: answer quality, abstention and latency, through the public API only.

    python bench/fin_eval.py [--database sqlite|postgresql] [--embedder none|local|openai] [--evals DIR]

Starts a tidings server on a fresh database, loads the set's pages with `POST /ai/external_pages`,
points the workspace's Fin webhook at a local receiver, then asks every question with
`POST /fin/start` (one at a time, each waited for) and reads Fin's events from the receiver:

- in-scope (`questions.jsonl`): answered (not escalated) with a relevant page among the cited
  links, and at most three links cited;
- `out_of_scope.jsonl` and `out_of_scope_hard.jsonl` (reported separately): escalated;
- latency: from sending /fin/start to the receiver getting the first `fin_replied`, p50/p95;
- the eval README's balanced accuracy (answer rate and escalation rate, averaged) and end-to-end
  accuracy (in-scope answered with a relevant page cited first, plus out-of-scope escalated).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.retrieval import ingest, percentile, read_jsonl  # noqa: E402
from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database  # noqa: E402
from tests.support.receiver import Received, Receiver  # noqa: E402

DEFAULT_EVALS = ROOT.parent / "shared" / "evals" / "git-docs"
FINAL = {"awaiting_user_reply", "complete"}
OUT_OF_SCOPE = ("out_of_scope", "out_of_scope_hard")
MAX_CITATIONS = 3
LINK = re.compile(r'<a href="([^"]+)"')


class Outcome:
    def __init__(self, events: list[dict[str, Any]], latency_ms: float | None) -> None:
        self.events = events
        self.latency_ms = latency_ms
        statuses = [e["status"] for e in events if e["event_name"] == "fin_status_updated"]
        self.escalated = "escalated" in statuses
        replies = [e for e in events if e["event_name"] == "fin_replied"]
        self.cited = LINK.findall(replies[0]["message"]["body"]) if replies else []


def events_by_conversation(received: list[Received]) -> dict[str, list[tuple[float, dict[str, Any]]]]:
    unique: dict[str, Received] = {}
    for request in received:
        unique.setdefault(request.delivery_id, request)
    grouped: dict[str, list[tuple[float, dict[str, Any]]]] = defaultdict(list)
    for request in unique.values():
        event = request.json
        grouped[event["conversation_id"]].append((request.at, event))
    return grouped


def ask(http: httpx.Client, receiver: Receiver, question: dict[str, Any]) -> Outcome:
    conversation_id = question["id"]
    sent = time.time()
    response = http.post(
        "/fin/start",
        json={
            "conversation_id": conversation_id,
            "message": {"author": "user", "body": question["question"], "timestamp": "2025-01-24T10:00:00.000Z"},
            "user": {"id": "eval-user"},
        },
    )
    response.raise_for_status()

    def finished(seen: list[Received]) -> bool:
        mine = events_by_conversation(seen).get(conversation_id, [])
        return any(e["event_name"] == "fin_status_updated" and e["status"] in FINAL for _, e in mine)

    receiver.wait_for(finished, timeout=60)
    mine = sorted(events_by_conversation(receiver.snapshot())[conversation_id], key=lambda pair: pair[0])
    first_reply = next((at for at, e in mine if e["event_name"] == "fin_replied"), None)
    latency = (first_reply - sent) * 1000 if first_reply is not None else None
    return Outcome([e for _, e in mine], latency)


def score_in_scope(
    outcomes: list[tuple[dict[str, Any], Outcome]], external_of: dict[str, str]
) -> dict[str, tuple[int, float, float, float]]:
    """Per source and overall: (questions, answered, answered with a relevant page among at most
    three cited, answered with a relevant page cited first)."""
    per_source: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    for question, outcome in outcomes:
        cited = [external_of.get(url, "") for url in outcome.cited]
        answered = not outcome.escalated
        right = len(cited) <= MAX_CITATIONS and any(ext in question["relevant"] for ext in cited)
        first = bool(cited) and cited[0] in question["relevant"]
        per_source[question.get("source", "all")].append((answered, answered and right, answered and first))
    everything = [hit for hits in per_source.values() for hit in hits]
    return {
        name: (len(hits), *(statistics.fmean(h[i] for h in hits) for i in range(3)))  # type: ignore[misc]
        for name, hits in [("overall", everything), *sorted(per_source.items())]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--evals", type=Path, default=DEFAULT_EVALS)
    parser.add_argument("--embedder", default="", help="TIDINGS_EMBEDDER for the server (none: lexical only)")
    args = parser.parse_args()

    pages = read_jsonl(args.evals / "pages.jsonl")
    sets = {
        "in_scope": read_jsonl(args.evals / "questions.jsonl"),
        "out_of_scope": read_jsonl(args.evals / "out_of_scope.jsonl"),
        "out_of_scope_hard": read_jsonl(args.evals / "out_of_scope_hard.jsonl"),
    }
    external_of = {page["url"]: page["external_id"] for page in pages}
    extra_env = {"TIDINGS_EMBEDDER": args.embedder} if args.embedder else {}
    results: dict[str, list[tuple[dict[str, Any], Outcome]]] = {}
    with tempfile.TemporaryDirectory() as tmp, Receiver() as receiver:
        url = create_postgres_database() if args.database == "postgresql" else ""
        server = LiveServer(dialect=args.database, database_url=url, data_dir=Path(tmp), extra_env=extra_env)
        try:
            server.start()
            workspace = server.new_workspace("fin-eval")
            pages_per_second, _ = ingest(server.base_url, workspace.token, pages, 4)
            with server.management() as mgmt:
                mgmt.put(f"/workspaces/{workspace.id}/fin_agent_settings", json={"webhook_url": receiver.url})
            headers = {"Authorization": f"Bearer {workspace.token}", "Intercom-Version": "Unstable"}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
                for warmup in sets["in_scope"][:3]:
                    ask(http, receiver, warmup | {"id": f"warmup-{warmup['id']}"})
                for name, questions in sets.items():
                    results[name] = [(q, ask(http, receiver, q)) for q in questions]
        finally:
            server.stop()
            if url:
                drop_postgres_database(url)

    embedder = args.embedder or os.environ.get("TIDINGS_EMBEDDER") or "minilm (default)"
    print(f"database {args.database}, embedder {embedder}, evals {args.evals.name}")
    print(f"ingest {len(pages)} pages  {pages_per_second:.1f} pages/s")
    in_scope = score_in_scope(results["in_scope"], external_of)
    for name, (n, answered, right, first) in in_scope.items():
        print(
            f"in-scope {name:>8} (n={n:>3})  answered {answered:.3f}  answered with the right page {right:.3f}"
            f"  (cited first {first:.3f})"
        )
    escalated = {name: statistics.fmean(o.escalated for _, o in results[name]) for name in OUT_OF_SCOPE}
    for name in OUT_OF_SCOPE:
        print(f"{name:>17} (n={len(results[name]):>3})  escalated {escalated[name]:.3f}")
    # The eval README's summary figures, against the easy out-of-scope set.
    n_in, answer_rate, _, first_right = in_scope["overall"]
    n_out = len(results["out_of_scope"])
    balanced = (answer_rate + escalated["out_of_scope"]) / 2
    end_to_end = (first_right * n_in + escalated["out_of_scope"] * n_out) / (n_in + n_out)
    print(f"balanced accuracy {balanced:.3f}  end-to-end accuracy {end_to_end:.3f}")
    latencies = [o.latency_ms for outcomes in results.values() for _, o in outcomes if o.latency_ms is not None]
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"start → first fin_replied  p50 {p50:.0f} ms  p95 {p95:.0f} ms")


if __name__ == "__main__":
    main()
