"""The inbox's server time at 10,000 conversations in one workspace, on SQLite and PostgreSQL.

    python bench/inbox.py [--conversations 10000] [--runs 40] [--databases sqlite,postgresql]

Starts a real `tidings serve` per database (PostgreSQL: a scratch database at
TIDINGS_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test, dropped afterwards),
bulk-loads a workspace with that many conversations (2,000 contacts, two parts each, a mix of
states, assignees, priorities and Fin hand-overs), signs a teammate in, and requests the inbox's
pages over loopback. Prints p50 / p95 of the server's own time (`Server-Timing: app`, from the
request's arrival to the first byte: session lookup, queries and template rendering) and of the
round trip seen by the client. The goal is under 200 ms for the list. `bench/inbox_profile.py`
shows where the time goes (statements per render, EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import httpx  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from tests.support.inbox import new_teammate  # noqa: E402
from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database  # noqa: E402

from tidings.config import normalise_database_url  # noqa: E402
from tidings.contacts.storage import contacts  # noqa: E402
from tidings.conversations.storage import conversation_contacts, conversation_parts, conversations  # noqa: E402
from tidings.db.storage import open_storage  # noqa: E402
from tidings.fin.storage import fin_conversations  # noqa: E402

NOW = int(time.time())
DAY = 86400
CONTACTS = 2000
BATCH = 2000
WORDS = "invoice parcel refund password login billing order shipping account delay broken upgrade".split()
PAGES = {
    "full page (sidebar counts + open list)": ("/inbox", False),
    "list: all open": ("/inbox?state=open", True),
    "list: assigned to me": ("/inbox?state=open&assignee=me", True),
    "list: unassigned": ("/inbox?state=open&assignee=unassigned", True),
    "list: handed over by Fin": ("/inbox?state=open&fin=1", True),
    "list: priority": ("/inbox?state=open&priority=1", True),
    "list: closed": ("/inbox?state=closed", True),
    "list: search 'refund'": ("/inbox?state=all&q=refund", True),
    "list: search contact 'person77'": ("/inbox?state=all&q=person77", True),
}


def rows(workspace_id: str, admin_id: int, count: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(22)
    people = [
        {
            "id": f"{i:024x}",
            "workspace_id": workspace_id,
            "role": "user",
            "email": f"person{i}@example.com",
            "email_key": f"person{i}@example.com",
            "email_domain": "example.com",
            "name": f"Person {i}",
            "created_at": NOW - DAY,
            "updated_at": NOW - DAY,
            "has_hard_bounced": False,
            "marked_email_as_spam": False,
            "unsubscribed_from_emails": False,
            "custom_attributes": {},
            "archived": False,
            "blocked": False,
        }
        for i in range(CONTACTS)
    ]
    threads, links, parts, fin = [], [], [], []
    for n in range(1, count + 1):
        state = rng.choices(["open", "snoozed", "closed"], [6, 1, 3])[0]
        updated = NOW - rng.randrange(90 * DAY)
        body = f"<p>Hello, my {rng.choice(WORDS)} and {rng.choice(WORDS)} question number {n}</p>"
        contact = people[rng.randrange(CONTACTS)]["id"]
        threads.append(
            {
                "id": n,
                "workspace_id": workspace_id,
                "state": state,
                "open": state != "closed",
                "read": rng.random() < 0.7,
                "priority": "priority" if rng.random() < 0.05 else "not_priority",
                "snoozed_until": NOW + DAY if state == "snoozed" else None,
                "admin_assignee_id": admin_id if rng.random() < 0.2 else None,
                "team_assignee_id": None,
                "custom_attributes": {},
                "ai_agent_participated": n % 10 == 0,
                "source_id": str(n),
                "source_type": "conversation",
                "source_delivered_as": "customer_initiated",
                "source_subject": "",
                "source_body": body,
                "source_words": " " + re.sub(r"<[^>]+>", "", body).lower() + " ",
                "source_author_type": "user",
                "source_author_id": contact,
                "source_attachments": [],
                "source_redacted": False,
                "created_at": updated - 3600,
                "updated_at": updated,
            }
        )
        links.append({"workspace_id": workspace_id, "conversation_id": n, "contact_id": contact})
        for k, (author_type, author_id) in enumerate((("admin", str(admin_id)), ("user", contact))):
            parts.append(
                {
                    "workspace_id": workspace_id,
                    "conversation_id": n,
                    "part_type": "comment",
                    "body": f"<p>Reply {k} about the {rng.choice(WORDS)}</p>",
                    "author_type": author_type,
                    "author_id": author_id,
                    "attachments": [],
                    "redacted": False,
                    "state": state,
                    "admin_seen": False,
                    "created_at": updated - 1800 + k,
                    "updated_at": updated - 1800 + k,
                    "notified_at": updated - 1800 + k,
                }
            )
        if n % 10 == 0:
            fin.append(
                {
                    "workspace_id": workspace_id,
                    "conversation_id": f"fin-{n}",
                    "contact_id": contact,
                    "user_id": contact,
                    "status": "complete",
                    "unhelpful_count": 0,
                    "attributes": {},
                    "intercom_conversation_id": str(n),
                    "created_at": updated,
                    "updated_at": updated,
                }
            )
    return {"contacts": people, "conversations": threads, "links": links, "parts": parts, "fin": fin}


async def load(url: str, workspace_id: str, admin_id: int, count: int) -> None:
    storage = open_storage(url)
    data = rows(workspace_id, admin_id, count)
    try:
        tx = await storage.begin(write=True)
        for table, key in (
            (contacts, "contacts"),
            (conversations, "conversations"),
            (conversation_contacts, "links"),
            (conversation_parts, "parts"),
            (fin_conversations, "fin"),
        ):
            batch = data[key]
            for start in range(0, len(batch), BATCH):
                await tx.execute(insert(table), batch[start : start + BATCH])
        if storage.dialect == "postgresql":
            # Ids were given explicitly: move the sequence past them, as a real history would have.
            await tx.execute(text("SELECT setval('conversations_id_seq', (SELECT max(id) FROM conversations))"))
        await tx.commit()
        if storage.dialect == "postgresql":
            # As autovacuum would after a load this size: statistics, the visibility map, and the
            # GIN indexes' pending lists merged. VACUUM cannot run inside a transaction.
            import asyncpg

            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                await conn.execute("VACUUM ANALYZE")
            finally:
                await conn.close()
        else:
            tx = await storage.begin(write=True)
            await tx.execute(text("ANALYZE"))
            await tx.commit()
    finally:
        await storage.close()


def measure(http: httpx.Client, path: str, htmx: bool, runs: int) -> tuple[list[float], list[float]]:
    headers = {"HX-Request": "true"} if htmx else {}
    server, client = [], []
    for _ in range(runs):
        started = time.perf_counter()
        answer = http.get(path, headers=headers)
        client.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text[:300]
        server.append(float(re.search(r"app;dur=([0-9.]+)", answer.headers["server-timing"]).group(1)))
    return server, client


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def bench(dialect: str, count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain = create_postgres_database() if dialect == "postgresql" else ""
        server = LiveServer(dialect=dialect, database_url=plain, data_dir=Path(tmp))
        try:
            server.start()
            workspace = server.new_workspace("bench")
            teammate = new_teammate(server, workspace)
            url = normalise_database_url(plain) if plain else f"sqlite:///{Path(tmp) / 'tidings.db'}"
            started = time.perf_counter()
            asyncio.run(load(url, workspace.id, int(teammate.admin_id), count))
            print(f"\n{dialect}: loaded {count:,} conversations in {time.perf_counter() - started:.1f} s")
            signed_in = teammate.sign_in()
            first = signed_in.http.get("/inbox?state=all", headers={"HX-Request": "true"}).text
            conversation_id = re.search(r'data-conversation-id="(\d+)"', first).group(1)
            pages = {
                **PAGES,
                "conversation page (thread + contact panel)": (f"/inbox/conversations/{conversation_id}", True),
            }
            print(f"{'page':48} {'server p50':>10} {'p95':>8} {'round trip p50':>15} {'p95':>8}")
            for name, (path, htmx) in pages.items():
                measure(signed_in.http, path, htmx, 3)  # warm caches
                server_ms, client_ms = measure(signed_in.http, path, htmx, runs)
                print(
                    f"{name:48} {p(server_ms, 50):8.1f} ms {p(server_ms, 95):5.1f} ms"
                    f" {p(client_ms, 50):12.1f} ms {p(client_ms, 95):5.1f} ms"
                )
        finally:
            server.stop()
            if plain:
                drop_postgres_database(plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    for dialect in args.databases.split(","):
        bench(dialect.strip(), args.conversations, args.runs)


if __name__ == "__main__":
    main()
