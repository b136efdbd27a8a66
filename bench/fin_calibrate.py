"""Fit Fin's answerability model (`src/tidings/fin/answerability.json`) on the developer sets.

    python bench/fin_calibrate.py collect [--embedder minilm|none] [--evals DIR ...]
    python bench/fin_calibrate.py fit [--embedder minilm|none] [--write]

`collect` loads each set's pages into a fresh server (SQLite) through the API, then runs Fin's own
`answerer.gather` in-process for every question (in-scope, easy and hard out-of-scope) and caches the
signals of its candidate pages under `bench/.cache/fin/<embedder>/<set>.json`, so fitting needs no
model. `fit` orders the pages as Fin does, fits a logistic model (ridge, Newton) of "answered with the
right page cited" (in-scope questions Fin cites a relevant page for) against "out of scope" (every
out-of-scope question, easy and hard halves weighted alike), and reports each set under the
coefficients fitted on the other set, both directions, then on both sets pooled. `--write` stores the
pooled fit for the chosen mode. In-scope questions whose right page Fin would not cite are left out
of the fit: answering or escalating them scores the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import numpy as np  # noqa: E402
from bench.retrieval import ingest, read_jsonl  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402

EVALS = ROOT.parent / "shared" / "evals"
SETS = ("git-docs", "perl-faq")
FILES = {"in_scope": "questions.jsonl", "easy": "out_of_scope.jsonl", "hard": "out_of_scope_hard.jsonl"}
CACHE = ROOT / "bench" / ".cache" / "fin"
RIDGE = 1e-2
FEATURES = {
    "minilm": ["cosine", "margin", "support_x_cosine", "missing", "lexical", "unknown_share", "gap_mean", "phrase"],
    "none": ["support", "missing", "lexical", "unknown_share"],
}


async def signals(database_url: str, workspace_id: str, questions: list[dict[str, Any]], external_of: dict[str, str]):
    from tidings.core.uow import UnitOfWork
    from tidings.db.storage import open_storage
    from tidings.fin import answerer

    storage = open_storage(database_url)
    rows = []
    try:
        for question in questions:
            tx = await storage.begin(write=False)
            try:
                evidence = await answerer.gather(UnitOfWork(tx=tx, workspace_id=workspace_id), question["question"])
            finally:
                await tx.rollback()
            rows.append(
                {
                    "id": question["id"],
                    "kind": question["kind"],
                    "question": question["question"],
                    "relevant": question["relevant"],
                    "unknown": evidence.unknown,
                    "has_weights": bool(evidence.weights),
                    "dense": evidence.dense,
                    "dense_top": evidence.dense_top,
                    "total": evidence.total,
                    "pages": [
                        {
                            "page_id": external_of[page.page_id],
                            "retrieval": page.retrieval,
                            "cosine": page.cosine,
                            "lexical": page.lexical,
                            "cover": page.cover,
                            "support": page.support,
                            "missing": page.missing,
                        }
                        for page in evidence.pages
                    ],
                }
            )
    finally:
        await storage.close()
    return rows


def collect(name: str, embedder: str) -> None:
    folder = EVALS / name
    pages = read_jsonl(folder / "pages.jsonl")
    questions = [q | {"kind": kind} for kind, file in FILES.items() for q in read_jsonl(folder / file)]
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(
            dialect="sqlite", database_url="", data_dir=Path(tmp), extra_env={"TIDINGS_EMBEDDER": embedder}
        )
        try:
            server.start()
            workspace = server.new_workspace("calibrate")
            _, external_of = ingest(server.base_url, workspace.token, pages, 2)
            rows = asyncio.run(signals(f"sqlite:///{Path(tmp) / 'tidings.db'}", workspace.id, questions, external_of))
        finally:
            server.stop()
    target = CACHE / embedder / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(rows))
    print(f"{name}: {len(rows)} questions cached in {target.relative_to(ROOT)}")


def decide_pages(row: dict[str, Any]) -> tuple[list[Any], list[str], dict[str, float]] | None:
    """Fin's order, citations and features for a cached question (None: nothing to answer from)."""
    from tidings.fin import answerer

    if not row["pages"] or not row["has_weights"]:
        return None
    pages = [answerer.PageEvidence(**page) for page in row["pages"]]
    evidence = answerer.Evidence(
        row["question"], [], {}, row["unknown"], pages, row["dense"], row.get("dense_top", []), row.get("total", 0)
    )
    ordered = answerer.reranked(evidence)
    cited = answerer.cited_pages(ordered)
    return ordered, cited, answerer.features(evidence, ordered)


def design(rows: list[dict[str, Any]], names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]]:
    """Feature matrix, labels (1: answer), sample weights and per-row outcome data."""
    x, y, w, info = [], [], [], []
    counts = {kind: sum(r["kind"] == kind for r in rows) for kind in FILES}
    for row in rows:
        decided = decide_pages(row)
        right = bool(decided) and bool(set(row["relevant"]) & set(decided[1]))
        info.append((row["kind"], right, decided))
        if decided is None or (row["kind"] == "in_scope" and not right):
            continue
        x.append([decided[2][name] for name in names])
        y.append(1.0 if row["kind"] == "in_scope" else 0.0)
        # In-scope and out-of-scope weigh alike; the easy and hard halves of out-of-scope too.
        w.append(1.0 / counts["in_scope"] if row["kind"] == "in_scope" else 0.5 / counts[row["kind"]])
    return np.array(x), np.array(y), np.array(w), info


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted logistic regression with a small ridge on standardised features, by Newton steps."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [RIDGE] * (z.shape[1] - 1))
    w = w / w.sum()
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (w * (p - y)) + penalty @ beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / scale
    return float(beta[0] - weights @ mean), weights


def report(label: str, info: list[Any], names: list[str], intercept: float, weights: np.ndarray) -> None:
    outcome: dict[str, list[bool]] = {kind: [] for kind in FILES}
    for kind, right, decided in info:
        answers = decided is not None and intercept + weights @ [decided[2][n] for n in names] >= 0
        outcome[kind].append(answers and right if kind == "in_scope" else not answers)
    figures = "  ".join(f"{kind} {np.mean(values):.3f}" for kind, values in outcome.items())
    print(f"  {label:<34} {figures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["collect", "fit"])
    parser.add_argument("--embedder", default="minilm", choices=sorted(FEATURES))
    parser.add_argument("--write", action="store_true", help="store the pooled fit in answerability.json")
    args = parser.parse_args()
    if args.action == "collect":
        os.environ["TIDINGS_EMBEDDER"] = args.embedder
        for name in SETS:
            collect(name, args.embedder)
        return
    names = FEATURES[args.embedder]
    data = {name: json.loads((CACHE / args.embedder / f"{name}.json").read_text()) for name in SETS}
    designs = {name: design(rows, names) for name, rows in data.items()}
    print(f"embedder {args.embedder}; features {', '.join(names)}")
    print("  (in_scope: answered with the right page cited; easy/hard: escalated)")
    for name in SETS:
        report(f"{name}: ceiling (cited right)", designs[name][3], names, 1.0, np.zeros(len(names)))
    for train, test in (SETS, SETS[::-1]):
        intercept, weights = fit(*designs[train][:3])
        report(f"{test}, fitted on {train}", designs[test][3], names, intercept, weights)
    pooled = [np.concatenate([designs[name][i] for name in SETS]) for i in range(3)]
    # Each set weighs alike in the pooled fit.
    pooled[2] = np.concatenate([designs[name][2] / designs[name][2].sum() for name in SETS])
    intercept, weights = fit(*pooled)
    for name in SETS:
        report(f"{name}, fitted on both", designs[name][3], names, intercept, weights)
    coefficients = {
        "intercept": round(intercept, 4),
        "weights": dict(zip(names, np.round(weights, 4).tolist(), strict=True)),
    }
    print(f"  pooled coefficients {json.dumps(coefficients)}")
    if args.write:
        from tidings.fin.answerability import COEFFICIENTS

        stored = json.loads(COEFFICIENTS.read_text())
        stored["dense" if args.embedder != "none" else "lexical"] = coefficients
        COEFFICIENTS.write_text(json.dumps(stored, indent=2) + "\n")
        print(f"  written to {COEFFICIENTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
