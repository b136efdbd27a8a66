"""Contact search latency at 100,000 contacts, on SQLite and PostgreSQL.

    python bench/search.py [--contacts 100000] [--runs 60] [--databases sqlite,postgresql]

Loads the contacts (with custom attributes and tags) into a fresh, migrated database, then runs
five representative searches through the contacts service (query compilation, total count, the
first page of 50 ordered by created_at, and the hydration of each contact with its tags, notes,
companies and subscriptions), i.e. everything `POST /contacts/search` does but HTTP. Prints p50
and p95 per search, and the indexes PostgreSQL's plans for the total count and for the page use.
PostgreSQL is the server at TIDINGS_TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test); a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.compiler import compiles  # noqa: E402
from sqlalchemy.sql.base import Executable  # noqa: E402
from sqlalchemy.sql.elements import ClauseElement  # noqa: E402

from tidings.config import normalise_database_url  # noqa: E402
from tidings.contacts import service  # noqa: E402
from tidings.contacts.schemas import SearchRequest  # noqa: E402
from tidings.contacts.storage import contact_tags, contacts  # noqa: E402
from tidings.core.tables import workspaces  # noqa: E402
from tidings.core.uow import UnitOfWork  # noqa: E402
from tidings.data_attributes.storage import data_attributes  # noqa: E402
from tidings.db.migrate import upgrade  # noqa: E402
from tidings.db.storage import Storage, open_storage  # noqa: E402
from tidings.tags.storage import tags  # noqa: E402

WORKSPACE = "bench0001"
NOW = 1_764_000_000
DAY = 86400
PLANS = ["free", "starter", "pro", "business", "enterprise"]
FIRST_NAMES = ["Alice", "Bob", "Carmen", "Dmitri", "Esther", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
BATCH = 5000


def searches(tag_id: int) -> dict[str, dict[str, Any]]:
    return {
        "email = (exact)": {"field": "email", "operator": "=", "value": "person54321@example.com"},
        "created_at > 30 days ago": {"field": "created_at", "operator": ">", "value": NOW - 30 * DAY},
        "plan = pro AND role = user": {
            "operator": "AND",
            "value": [
                {"field": "custom_attributes.plan", "operator": "=", "value": "pro"},
                {"field": "role", "operator": "=", "value": "user"},
            ],
        },
        "name ^ 'greta 12'": {"field": "name", "operator": "^", "value": "greta 12"},
        "tag OR (seats > 45 AND seen this week)": {
            "operator": "OR",
            "value": [
                {"field": "tag_id", "operator": "=", "value": str(tag_id)},
                {
                    "operator": "AND",
                    "value": [
                        {"field": "custom_attributes.seats", "operator": ">", "value": 45},
                        {"field": "last_seen_at", "operator": ">", "value": NOW - 7 * DAY},
                    ],
                },
            ],
        },
    }


def contact_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        created = NOW - rng.randrange(730 * DAY)
        rows.append(
            {
                "id": f"{i:024x}",
                "workspace_id": WORKSPACE,
                "role": "user" if rng.random() < 0.8 else "lead",
                "email": f"person{i}@example.com",
                "email_key": f"person{i}@example.com",
                "email_domain": "example.com",
                "name": f"{rng.choice(FIRST_NAMES)} {i}",
                "created_at": created,
                "updated_at": created,
                "signed_up_at": created,
                "last_seen_at": NOW - rng.randrange(60 * DAY) if rng.random() < 0.7 else None,
                "has_hard_bounced": False,
                "marked_email_as_spam": False,
                "unsubscribed_from_emails": rng.random() < 0.1,
                "custom_attributes": {
                    "plan": rng.choice(PLANS),
                    "seats": rng.randrange(50),
                    "vip": rng.random() < 0.05,
                },
                "archived": False,
                "blocked": False,
            }
        )
    return rows


async def load(storage: Storage, count: int) -> int:
    rng = random.Random(7)
    tx = await storage.begin(write=True)
    await tx.execute(insert(workspaces).values(id=WORKSPACE, name="bench", timezone="UTC", region="US", created_at=0))
    for name, data_type in (("plan", "string"), ("seats", "integer"), ("vip", "boolean")):
        await tx.execute(
            insert(data_attributes).values(
                workspace_id=WORKSPACE,
                model="contact",
                name=name,
                label=name,
                data_type=data_type,
                messenger_writable=False,
                archived=False,
                created_at=0,
                updated_at=0,
            )
        )
    tag_id = (
        await tx.execute(
            insert(tags).values(workspace_id=WORKSPACE, name="VIP", name_key="vip", created_at=0).returning(tags.c.id)
        )
    ).scalar_one()
    rows = contact_rows(count, rng)
    for start in range(0, count, BATCH):
        await tx.execute(insert(contacts), rows[start : start + BATCH])
    tagged = [
        {"workspace_id": WORKSPACE, "contact_id": r["id"], "tag_id": tag_id, "applied_at": NOW}
        for r in rows
        if rng.random() < 0.02
    ]
    await tx.execute(insert(contact_tags), tagged)
    await tx.commit()
    return int(tag_id)


async def settle(storage: Storage, plain_url: str) -> None:
    """Leave the tables as a running server's are after a bulk load: PostgreSQL's autovacuum
    vacuums them (the visibility map index-only scans rely on) and gathers planner statistics;
    SQLite's `PRAGMA optimize` gathers statistics."""
    if storage.dialect == "postgresql":
        await admin_sql(plain_url, "VACUUM ANALYZE")  # not inside a transaction
        return
    tx = await storage.begin(write=True)
    await tx.execute(text("ANALYZE"))
    await tx.commit()


async def timed_search(storage: Storage, query: dict[str, Any]) -> tuple[float, int]:
    tx = await storage.begin(write=False)
    uow = UnitOfWork(tx=tx, workspace_id=WORKSPACE)
    started = time.perf_counter()
    try:
        result = await service.search(uow, SearchRequest(query=query))
    finally:
        await tx.rollback()
    return (time.perf_counter() - started) * 1000, result.total_count


class Explain(Executable, ClauseElement):
    """`EXPLAIN <select>`, with the select's parameters bound as usual."""

    inherit_cache = False

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.stmt, **kw)


async def plans(storage: Storage, query: dict[str, Any]) -> str:
    """The indexes PostgreSQL's plans for the total count and for the page use, and any table
    they read whole."""
    from tidings.contacts.search import contact_fields
    from tidings.core.search import compile_query, count_statement
    from tidings.data_attributes import service as attributes

    tx = await storage.begin(write=False)
    uow = UnitOfWork(tx=tx, workspace_id=WORKSPACE)
    try:
        condition = compile_query(
            contact_fields(uow.dialect), query, uow.dialect, await attributes.custom_types(uow, "contact")
        )
        count = await explained(tx, count_statement(service.visible(uow), contacts.c.id, condition))
        newest_first = (contacts.c.created_at.desc(), contacts.c.id.desc())  # as search_page orders
        page = await explained(tx, service.visible(uow).where(condition).order_by(*newest_first).limit(51))
    finally:
        await tx.rollback()
    return f"count: {count}; page: {page}"


async def explained(tx: Any, stmt: Any) -> str:
    lines = [r[0] for r in await tx.execute(Explain(stmt))]
    words = [line.replace("(", " ").split() for line in lines]
    indexes = {word for line in words for word in line if word.startswith(("ix_", "pk_"))}
    scanned = {f"seq scan {line[line.index('on') + 1]}" for line in words if "Seq" in line and "on" in line}
    return ", ".join(sorted(indexes) + sorted(scanned))


async def bench(url: str, count: int, runs: int, plain_url: str) -> None:
    storage = open_storage(url)
    try:
        started = time.perf_counter()
        tag_id = await load(storage, count)
        print(f"  loaded {count:,} contacts in {time.perf_counter() - started:.1f}s")
        await settle(storage, plain_url)
        print(f"  {'search':42} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}  plan")
        for name, query in searches(tag_id).items():
            for _ in range(3):
                await timed_search(storage, query)
            samples = []
            total = 0
            for _ in range(runs):
                elapsed, total = await timed_search(storage, query)
                samples.append(elapsed)
            samples.sort()
            p50 = statistics.median(samples)
            p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
            plan = await plans(storage, query) if storage.dialect == "postgresql" else ""
            print(f"  {name:42} {total:>8} {p50:>8.1f} {p95:>8.1f}  {plan}")
    finally:
        await storage.close()


async def admin_sql(admin_url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def run(url: str, count: int, runs: int, plain_url: str = "") -> None:
    upgrade(url)  # Alembic runs its own event loop: outside ours.
    asyncio.run(bench(url, count, runs, plain_url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    for database in args.databases.split(","):
        print(f"{database}:")
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                run(f"sqlite:///{tmp}/bench.db", args.contacts, args.runs)
            continue
        admin_url = os.environ.get("TIDINGS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
        name = f"tidings_bench_{secrets.token_hex(4)}"
        asyncio.run(admin_sql(admin_url, f'CREATE DATABASE "{name}"'))
        try:
            scratch_url = admin_url.rsplit("/", 1)[0] + "/" + name
            run(normalise_database_url(scratch_url), args.contacts, args.runs, scratch_url)
        finally:
            asyncio.run(admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
