"""The storage facade: one async interface over SQLite (inline sqlite3) and PostgreSQL (asyncpg).

SQLite statements take microseconds, less than a hop to a thread, so they run inline on the
event loop with the standard driver (performance-notes.md). Writers take a process-wide lock so
two requests never interleave on the write connection; readers share an autocommit connection.
PostgreSQL uses a pool of asyncpg connections and a transaction per unit of work.

A statement has a time budget (`statement_timeout` seconds, Settings.statement_timeout_seconds):
on SQLite, where a long statement holds the event loop and so every request, a progress handler
interrupts it; on PostgreSQL the server's `statement_timeout` cancels it. Either way the caller
gets an exception `is_over_budget` recognises (a 400 `request_timeout`, core/errors.py).
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from asyncpg.exceptions import QueryCanceledError
from sqlalchemy import Connection, Engine, Executable, create_engine, event, text
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from tidings.db.prepared import PreparedRead


@runtime_checkable
class Transaction(Protocol):
    dialect: str
    # Work to do once the transaction has committed (wake-ups, notifications); whoever opened the
    # transaction runs it (`tidings.core.uow.transaction`), and nothing runs after a rollback.
    after_commit: list[Callable[[], Any]]

    async def execute(self, stmt: Executable, params: Any = None) -> Result[Any]: ...
    async def fetch(self, query: PreparedRead, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...

    # Bulk copies of one workspace's rows as the driver holds them (no type processing), for snapshots.
    async def dump_rows(self, table: str, workspace_id: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...
    async def load_rows(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None: ...
    async def delete_rows(self, tables: list[str], workspace_id: str) -> None: ...


def _insert_sql(table: str, columns: list[str], placeholders: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(placeholders)})'


class Storage(Protocol):
    dialect: str

    async def begin(self, write: bool) -> Transaction: ...
    async def close(self) -> None: ...


# VM instructions between two looks at the clock (a look costs well under a microsecond).
PROGRESS_STEPS = 1_000


class StatementBudget:
    """The deadline of the statement running on one SQLite connection; past it the progress handler
    interrupts the statement (sqlite3 raises OperationalError "interrupted")."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.deadline = math.inf

    def start(self) -> None:
        if self.seconds:
            self.deadline = time.monotonic() + self.seconds

    def exceeded(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0


def is_over_budget(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) is a statement stopped for running past its budget."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, QueryCanceledError):
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current) == "interrupted":
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


class SqliteTransaction:
    dialect = "sqlite"

    def __init__(self, conn: Connection, lock: asyncio.Lock | None, budget: StatementBudget) -> None:
        self._conn = conn
        self._lock = lock
        self._budget = budget
        self.after_commit: list[Callable[[], Any]] = []

    async def execute(self, stmt: Executable, params: Any = None) -> Result[Any]:
        self._budget.start()
        return self._conn.execute(stmt, params)

    async def fetch(self, query: PreparedRead, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
        self._budget.start()
        read = query.compiled(self._conn.dialect)
        cursor = self._conn.connection.driver_connection.execute(read.sql, read.args(params))  # type: ignore[union-attr]
        rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
        return [read.row(r) for r in rows]

    @property
    def _driver(self) -> Any:
        return self._conn.connection.driver_connection

    async def dump_rows(self, table: str, workspace_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self._driver.execute(f'SELECT * FROM "{table}" WHERE workspace_id = ?', (workspace_id,))
        return [d[0] for d in cursor.description], cursor.fetchall()

    async def load_rows(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        self._driver.executemany(_insert_sql(table, columns, ["?"] * len(columns)), rows)

    async def delete_rows(self, tables: list[str], workspace_id: str) -> None:
        for table in tables:
            self._driver.execute(f'DELETE FROM "{table}" WHERE workspace_id = ?', (workspace_id,))

    async def commit(self) -> None:
        try:
            if self._lock is not None:
                self._conn.commit()
        finally:
            self._release()

    async def rollback(self) -> None:
        try:
            if self._lock is not None:
                self._conn.rollback()
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None and self._lock.locked():
            self._lock.release()
            self._lock = None


def _sqlite_engine(url: str, budget: StatementBudget) -> Engine:
    engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=5000",
            "temp_store=MEMORY",
        ):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()
        if budget.seconds:
            dbapi_conn.set_progress_handler(budget.exceeded, PROGRESS_STEPS)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class SqliteStorage:
    dialect = "sqlite"

    def __init__(self, url: str, statement_timeout: float | None = None) -> None:
        self.url = url
        self._writer_budget = StatementBudget(statement_timeout)
        self._reader_budget = StatementBudget(statement_timeout)
        self._writer_engine = _sqlite_engine(url, self._writer_budget)
        self._reader_engine = _sqlite_engine(url, self._reader_budget)
        self._writer = self._writer_engine.connect()
        self._reader = self._reader_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._lock = asyncio.Lock()

    async def begin(self, write: bool) -> Transaction:
        if not write:
            return SqliteTransaction(self._reader, None, self._reader_budget)
        await self._lock.acquire()
        try:
            self._writer.begin()
        except BaseException:
            self._lock.release()
            raise
        return SqliteTransaction(self._writer, self._lock, self._writer_budget)

    def pool_usage(self) -> dict[str, int]:
        """Connections by state, for /metrics: one writer (busy while a write transaction runs), one reader."""
        busy = int(self._lock.locked())
        return {"in_use": busy, "idle": 2 - busy, "capacity": 2}

    async def close(self) -> None:
        self._writer.close()
        self._reader.close()
        self._writer_engine.dispose()
        self._reader_engine.dispose()


_JSON_TYPES = frozenset({"json", "jsonb"})


def _with_json_text(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for n in positions:
        if values[n] is not None:
            values[n] = json.dumps(values[n])
    return tuple(values)


class PostgresTransaction:
    dialect = "postgresql"

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.after_commit: list[Callable[[], Any]] = []

    async def execute(self, stmt: Executable, params: Any = None) -> Result[Any]:
        return await self._conn.execute(stmt, params)

    async def fetch(self, query: PreparedRead, params: dict[str, Any], limit: int | None) -> list[dict[str, Any]]:
        read = query.compiled(self._conn.dialect)
        raw = (await self._conn.get_raw_connection()).driver_connection
        rows = await raw.fetch(read.sql, *read.args(params))  # type: ignore[union-attr]
        return [read.row(r) for r in (rows[:limit] if limit else rows)]

    async def _driver(self) -> Any:
        return (await self._conn.get_raw_connection()).driver_connection

    async def dump_rows(self, table: str, workspace_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        raw = await self._driver()
        statement = await raw.prepare(f'SELECT * FROM "{table}" WHERE workspace_id = $1')
        columns = [attribute.name for attribute in statement.get_attributes()]
        return columns, [tuple(row) for row in await statement.fetch(workspace_id)]

    async def load_rows(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        placeholders = [f"${n}" for n in range(1, len(columns) + 1)]
        statement = await (await self._driver()).prepare(_insert_sql(table, columns, placeholders))
        # The connection decodes JSON to Python values but takes JSON text in (SQLAlchemy's codecs).
        as_json = [n for n, parameter in enumerate(statement.get_parameters()) if parameter.name in _JSON_TYPES]
        if as_json:
            rows = [_with_json_text(row, as_json) for row in rows]
        await statement.executemany(rows)

    async def delete_rows(self, tables: list[str], workspace_id: str) -> None:
        # One round trip: the statements go as one simple query, so the id is a quoted literal.
        literal = "'" + workspace_id.replace("'", "''") + "'"
        script = ";".join(f'DELETE FROM "{table}" WHERE workspace_id = {literal}' for table in tables)
        await (await self._driver()).execute(script)

    async def commit(self) -> None:
        try:
            await self._conn.commit()
        finally:
            await self._conn.close()

    async def rollback(self) -> None:
        try:
            await self._conn.rollback()
        finally:
            await self._conn.close()


class PostgresStorage:
    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int = 10, statement_timeout: float | None = None) -> None:
        self.url = url
        server_settings = {"statement_timeout": str(int(statement_timeout * 1000))} if statement_timeout else {}
        self.pool_size = pool_size
        self.max_overflow = 20
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=self.max_overflow, connect_args={"server_settings": server_settings}
        )

    async def begin(self, write: bool) -> Transaction:
        conn = await self.engine.connect()
        try:
            await conn.begin()
        except BaseException:
            await conn.close()
            raise
        return PostgresTransaction(conn)

    def pool_usage(self) -> dict[str, int]:
        """Connections by state, for /metrics."""
        pool: Any = self.engine.sync_engine.pool
        return {"in_use": pool.checkedout(), "idle": pool.checkedin(), "capacity": self.pool_size + self.max_overflow}

    async def close(self) -> None:
        await self.engine.dispose()


def open_storage(url: str, statement_timeout: float | None = None) -> Storage:
    """Storage for `url`; `statement_timeout` seconds bound each statement (None: unbounded)."""
    if url.startswith("sqlite"):
        return SqliteStorage(url, statement_timeout=statement_timeout)
    return PostgresStorage(url, statement_timeout=statement_timeout)


async def ping(storage: Storage) -> None:
    tx = await storage.begin(write=False)
    try:
        await tx.execute(text("SELECT 1"))
    finally:
        await tx.rollback()
