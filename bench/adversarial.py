"""The worst search requests of issue 18 against a live server, on SQLite and PostgreSQL.

    python bench/adversarial.py [--databases sqlite,postgresql] [--contacts 300] [--huge 12]

Seeds a workspace with `--contacts` contacts through the API (names and a custom attribute `bio`
at their 255-character bounds) and gives `--huge` of them a 1 MB `bio` written straight into the
database: the API refuses values past 255 characters now, but text stored before the bounds (or
by an import) can be that long, and the statement budget is what bounds a search over it. Then
sends each adversarial case once while a probe asks the server for something trivial every 20 ms:
SQLite runs statements on the event loop, so a long one stalls every request. Prints, per case,
its status, code and time, then the longest time one request held the server (the longer of the
slowest case and the slowest probe answer); the target is under 2 s on both databases. Every
request has a 60 s timeout, so a run is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import httpx  # noqa: E402
from sqlalchemy import update  # noqa: E402
from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database  # noqa: E402

from tidings.config import normalise_database_url  # noqa: E402
from tidings.contacts.storage import contacts as contacts_table  # noqa: E402
from tidings.db.storage import open_storage  # noqa: E402

HUGE_TEXT = "ab" * 500_000
NAME = "n" * 255
PROBE_EVERY = 0.02
BIO = "custom_attributes.bio"


def cases() -> dict[str, tuple[str, dict[str, Any]]]:
    """Name -> (path, query): the issue's stalls and 500s, and the worst the bounds still admit."""

    def contacts(query: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "/contacts/search", query

    long_value = "ab" * 127 + "x"
    return {
        "name ~ 10,000 chars": contacts({"field": "name", "operator": "~", "value": "a" * 10_000}),
        "name ~ 1,000,000 chars": contacts({"field": "name", "operator": "~", "value": "a" * 1_000_000}),
        "name ~ 255 chars": contacts({"field": "name", "operator": "~", "value": long_value}),
        "bio ~ 255 chars over 1 MB bios": contacts({"field": BIO, "operator": "~", "value": long_value}),
        "bio !~ 255 chars over 1 MB bios": contacts({"field": BIO, "operator": "!~", "value": long_value}),
        "bio $ 255 chars over 1 MB bios": contacts({"field": BIO, "operator": "$", "value": long_value}),
        "bio ^ 255 chars over 1 MB bios": contacts({"field": BIO, "operator": "^", "value": long_value}),
        "OR of 15 x bio ~ 255 chars": contacts(
            {
                "operator": "OR",
                "value": [{"field": BIO, "operator": "~", "value": long_value[i:] + "y" * i} for i in range(15)],
            }
        ),
        "email IN 32,768 values": contacts(
            {"field": "email", "operator": "IN", "value": [f"e{i}" for i in range(32_768)]}
        ),
        "email IN 250,001 values": contacts(
            {"field": "email", "operator": "IN", "value": [f"e{i}" for i in range(250_001)]}
        ),
        "operator {}": contacts({"field": "name", "operator": {}, "value": "x"}),
        "conversations source.body ~ 255": (
            "/conversations/search",
            {"field": "source.body", "operator": "~", "value": long_value},
        ),
    }


class Probe:
    """Asks for the server's readiness every PROBE_EVERY seconds; keeps the longest answer time."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=60) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                client.get("/_tidings/v1/ready")
                self.longest = max(self.longest, time.monotonic() - started)
                time.sleep(PROBE_EVERY)


def seed(server: LiveServer, contacts: int, huge: int) -> Any:
    workspace = server.new_workspace("adversarial")
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {workspace.token}"}, timeout=60
    ) as client:
        attribute = {"name": "bio", "model": "contact", "data_type": "string"}
        client.post("/data_attributes", json=attribute).raise_for_status()
        ids = []
        for n in range(contacts):
            body: dict[str, Any] = {"email": f"person{n}@example.com", "name": NAME}
            body["custom_attributes"] = {"bio": "ab" * 127 + "a"}
            answer = client.post("/contacts", json=body)
            answer.raise_for_status()
            ids.append(answer.json()["id"])
        client.post("/conversations", json={"from": {"type": "user", "id": ids[0]}, "body": "ab" * 5000})
    asyncio.run(store_huge_bios(server, ids[:huge]))
    return workspace


async def store_huge_bios(server: LiveServer, contact_ids: list[str]) -> None:
    """1 MB bios, as text stored before the bounds (the API refuses them): straight into the database."""
    if server.dialect == "postgresql":
        url = normalise_database_url(server.database_url)
    else:
        url = f"sqlite:///{(server.data_dir / 'tidings.db').resolve()}"
    storage = open_storage(url)
    try:
        tx = await storage.begin(write=True)
        await tx.execute(
            update(contacts_table)
            .where(contacts_table.c.id.in_(contact_ids))
            .values(custom_attributes={"bio": HUGE_TEXT})
        )
        await tx.commit()
    finally:
        await storage.close()


def run(dialect: str, contacts: int, huge: int) -> float:
    url = create_postgres_database() if dialect == "postgresql" else ""
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(dialect=dialect, database_url=url, data_dir=Path(tmp))
        server.start()
        try:
            workspace = seed(server, contacts, huge)
            headers = {"Authorization": f"Bearer {workspace.token}", "Intercom-Version": "Unstable"}
            print(f"\n{dialect}: {contacts} contacts, {huge} with a 1 MB bio")
            with (
                httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as client,
                Probe(server.base_url) as probe,
            ):
                time.sleep(0.2)
                longest_case = 0.0
                for name, (path, query) in cases().items():
                    started = time.monotonic()
                    answer = client.post(path, json={"query": query})
                    took = time.monotonic() - started
                    longest_case = max(longest_case, took)
                    code = answer.json()["errors"][0]["code"] if answer.status_code >= 400 else ""
                    print(f"  {name:38} {answer.status_code} {code:18} {took:6.3f} s")
                time.sleep(0.2)
            held = max(probe.longest, longest_case)
            print(f"  longest request {longest_case:.3f} s, longest probe answer {probe.longest:.3f} s")
            print(f"  longest time one request held the server: {held:.3f} s")
            return held
        finally:
            server.stop()
            if url:
                drop_postgres_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--huge", type=int, default=12)
    args = parser.parse_args()
    worst = {dialect: run(dialect, args.contacts, args.huge) for dialect in args.databases.split(",")}
    print("\nlongest hold: " + ", ".join(f"{d} {s:.3f} s" for d, s in worst.items()) + " (target < 2 s)")


if __name__ == "__main__":
    main()
