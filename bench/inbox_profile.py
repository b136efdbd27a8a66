"""Where the inbox list's server time goes: its statements, counted and EXPLAIN ANALYZEd.

    python bench/inbox_profile.py [--databases sqlite,postgresql] [--conversations 10000] [--plans]
    python bench/inbox_profile.py --reuse URL WORKSPACE_ID ADMIN_ID [--plans]   # a database kept by --keep

Loads the same workspace as bench/inbox.py (10,000 conversations), then renders each list page's
data in-process, as the route does (`_list_context`, plus `_sidebar_context` where the page draws
the sidebar), with every statement captured. Prints, per page, the number of statements and each
one's execution time as the database reports it (PostgreSQL: `EXPLAIN (ANALYZE)`'s "Execution
Time"; SQLite: the statement timed on its own), and with --plans the plans themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from inbox import PAGES, load  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from tests.support.inbox import new_teammate  # noqa: E402
from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database  # noqa: E402

from tidings.config import normalise_database_url  # noqa: E402
from tidings.core.uow import UnitOfWork  # noqa: E402
from tidings.db.storage import PostgresTransaction, SqliteTransaction, open_storage  # noqa: E402
from tidings.inbox import queries  # noqa: E402
from tidings.inbox.auth import InboxSession  # noqa: E402
from tidings.inbox.deps import InboxContext  # noqa: E402
from tidings.inbox.routes import _list_context, _sidebar_context  # noqa: E402


def _engines(storage: Any) -> list[Any]:
    if storage.dialect == "postgresql":
        return [storage.engine.sync_engine]
    return [storage._reader_engine, storage._writer_engine]


async def _render(storage: Any, workspace_id: str, admin_id: int, path: str, sidebar: bool) -> None:
    params = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", path))
    selected = queries.ListFilter.parse(
        params.get("state"), params.get("assignee"), params.get("fin"), params.get("priority"), params.get("q")
    )
    tx = await storage.begin(write=False)
    session = InboxSession(
        token_hash="", workspace_id=workspace_id, admin_id=admin_id, admin_name="", admin_email="", csrf_token=""
    )
    inbox = InboxContext(session=session, uow=UnitOfWork(tx=tx, workspace_id=workspace_id, admin_id=admin_id), form={})
    try:
        await _list_context(inbox, selected, None)
        if sidebar:
            await _sidebar_context(inbox)
    finally:
        await tx.rollback()


def _recording(fetch: Any, captured: list[tuple[str, Any]]) -> Any:
    async def recorded(self: Any, query: Any, params: dict[str, Any], limit: int | None) -> Any:
        read = query.compiled(self._conn.dialect)
        captured.append((read.sql, tuple(read.args(params))))
        return await fetch(self, query, params, limit)

    return recorded


async def _explain(storage: Any, statement: str, parameters: Any) -> tuple[float, str]:
    tx = await storage.begin(write=False)
    try:
        conn = tx._conn
        if storage.dialect == "postgresql":
            raw = (await conn.get_raw_connection()).driver_connection
            plan = "\n".join(r[0] for r in await raw.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *parameters))
            return float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1)), plan
        raw = conn.connection.driver_connection
        plan = "\n".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall())
        started = time.perf_counter()
        raw.execute(statement, parameters).fetchall()
        return (time.perf_counter() - started) * 1000, plan
    finally:
        await tx.rollback()


async def profile(url: str, workspace_id: str, admin_id: int, plans: bool) -> None:
    storage = open_storage(url)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    for engine in _engines(storage):
        event.listen(engine, "before_cursor_execute", capture)
    # Prepared reads (tidings.db.prepared) go to the driver directly, past SQLAlchemy's events.
    for transaction in (PostgresTransaction, SqliteTransaction):
        transaction.fetch = _recording(transaction.fetch, captured)
    try:
        if storage.dialect == "postgresql":
            tx = await storage.begin(write=False)
            await tx.execute(text("SELECT 1"))
            await tx.rollback()
        for name, (path, htmx) in PAGES.items():
            sidebar = not htmx or "rows=1" not in path
            await _render(storage, workspace_id, admin_id, path, sidebar)  # warm
            captured.clear()
            await _render(storage, workspace_id, admin_id, path, sidebar)
            statements = list(captured)
            captured.clear()
            timed = [(await _explain(storage, s, p), s) for s, p in statements]
            total = sum(ms for (ms, _), _ in timed)
            print(f"\n{name}: {len(statements)} statements, {total:.1f} ms in the database")
            for (ms, plan), statement in timed:
                print(f"  {ms:8.2f} ms  {' '.join(statement.split())[:150]}")
                if plans:
                    print("      " + plan.replace("\n", "\n      "))
    finally:
        await storage.close()


def setup(dialect: str, count: int, keep: bool, tmp: Path) -> tuple[str, str, int, str]:
    plain = create_postgres_database() if dialect == "postgresql" else ""
    server = LiveServer(dialect=dialect, database_url=plain, data_dir=tmp)
    try:
        server.start()
        workspace = server.new_workspace("bench")
        teammate = new_teammate(server, workspace)
        url = normalise_database_url(plain) if plain else f"sqlite:///{tmp / 'tidings.db'}"
        asyncio.run(load(url, workspace.id, int(teammate.admin_id), count))
    finally:
        server.stop()
    if keep:
        print(f"kept: --reuse {url} {workspace.id} {teammate.admin_id}")
    return url, workspace.id, int(teammate.admin_id), plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (SQLite: the file)")
    parser.add_argument("--reuse", nargs=3, metavar=("URL", "WORKSPACE_ID", "ADMIN_ID"))
    args = parser.parse_args()
    if args.reuse:
        url, workspace_id, admin_id = args.reuse
        asyncio.run(profile(url, workspace_id, int(admin_id), args.plans))
        return
    for dialect in args.databases.split(","):
        keep_dir = tempfile.mkdtemp() if args.keep else None
        with tempfile.TemporaryDirectory() as scratch:
            tmp = Path(keep_dir or scratch)
            url, workspace_id, admin_id, plain = setup(dialect.strip(), args.conversations, args.keep, tmp)
            try:
                print(f"\n== {dialect}: {args.conversations:,} conversations")
                asyncio.run(profile(url, workspace_id, admin_id, args.plans))
            finally:
                if plain and not args.keep:
                    drop_postgres_database(plain)


if __name__ == "__main__":
    main()
