"""The unit of work: one transaction per request, scoped to the caller's workspace.

Every statement an area runs is built through `UnitOfWork.select/insert/update/delete`, which
add the workspace condition, so no handler has to remember it. The transaction commits once,
after the handler returned; events recorded during it are in the same transaction (outbox) and
are handed to the dispatcher only after the commit.

`transaction` is the one lifecycle every caller shares (a request, a management call, a job, the
CLI): commit when the block ends, roll back on any exception, then run the transaction's
after-commit hooks. Every unit of work on a transaction shares its hooks (`tx.after_commit`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Delete, Executable, Insert, Select, Table, Update, delete, func, insert, select, text, update
from sqlalchemy.engine import Result

from tidings.core import clock, ids
from tidings.db.prepared import WORKSPACE_PARAM, PreparedRead
from tidings.db.storage import Storage, Transaction


class UnitOfWork:
    # A plain class, not a dataclass: Litestar validates dependencies, and a dataclass would be
    # checked field by field on every request.
    __slots__ = ("admin_id", "after_commit", "intercom_version", "recorded_events", "tx", "workspace_id")

    def __init__(
        self, tx: Transaction, workspace_id: str, admin_id: int | None = None, intercom_version: str = "Preview"
    ) -> None:
        self.tx = tx
        self.workspace_id = workspace_id
        clock.bind(workspace_id)
        self.admin_id = admin_id
        # The request's Intercom-Version (or the configured default): areas read it where versions differ.
        self.intercom_version = intercom_version
        self.recorded_events: list[int] = []
        # The transaction's hooks, shared by every unit of work on it: `transaction` runs them.
        self.after_commit: list[Callable[[], Any]] = tx.after_commit

    @property
    def dialect(self) -> str:
        return self.tx.dialect

    # Statements scoped to the workspace.
    def select(self, table: Table, *columns: Any) -> Select[Any]:
        stmt = select(*columns) if columns else select(table)
        return stmt.where(table.c.workspace_id == self.workspace_id)

    def insert(self, table: Table) -> Insert:
        return self.numbered(insert(table).values(workspace_id=self.workspace_id), table)

    def numbered(self, stmt: Insert, table: Table) -> Insert:
        """The insert with its row's id chosen here while seeded workspaces exist (`_next_id`)."""
        if ids.any_seeded() and (next_id := _next_id(table, self.workspace_id)) is not None:
            return stmt.values(id=next_id)
        return stmt

    def update(self, table: Table) -> Update:
        return update(table).where(table.c.workspace_id == self.workspace_id)

    def delete(self, table: Table) -> Delete:
        return delete(table).where(table.c.workspace_id == self.workspace_id)

    async def execute(self, stmt: Executable, params: Any = None) -> Result[Any]:
        return await self.tx.execute(stmt, params)

    async def one_or_none(self, stmt: Executable) -> Any:
        return (await self.tx.execute(stmt)).mappings().first()

    async def all(self, stmt: Executable) -> list[Any]:
        return list((await self.tx.execute(stmt)).mappings().all())

    async def scalar(self, stmt: Executable) -> Any:
        return (await self.tx.execute(stmt)).scalar()

    async def fetch_one(self, query: PreparedRead, **params: Any) -> dict[str, Any] | None:
        """Run a prepared read (the hot path); the workspace parameter is filled in here."""
        rows = await self.tx.fetch(query, {**params, WORKSPACE_PARAM: self.workspace_id}, 1)
        return rows[0] if rows else None

    async def fetch_all(self, query: PreparedRead, **params: Any) -> list[dict[str, Any]]:
        return await self.tx.fetch(query, {**params, WORKSPACE_PARAM: self.workspace_id}, None)

    async def serialise(self, *key: str) -> None:
        """Queue this transaction behind any other holding the same key in this workspace, until it
        ends: for check-then-write sequences that two requests must not interleave. PostgreSQL takes a
        transaction-scoped advisory lock; SQLite's writers are serialised already."""
        if self.dialect == "postgresql":
            name = ":".join(("tidings", self.workspace_id, *key))
            await self.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})

    async def count(self, stmt: Select[Any]) -> int:
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        return int(await self.scalar(counted) or 0)


def _next_id(table: Table, workspace_id: str) -> Any:
    """The explicit id of a new row of a seeded workspace (`tidings.core.ids`): one past the highest
    in the seed's range. None lets the database number the row."""
    column = table.c.get("id")
    seeded = ids.seeded(workspace_id)
    if seeded is None or column is None or column.autoincrement is not True or not column.primary_key:
        return None
    low, high = seeded.base, seeded.base + ids.SEEDED_SPAN
    highest = select(func.max(column)).where(column > low, column < high).scalar_subquery()
    return func.coalesce(highest, low) + 1


class transaction:  # lower case: used as a function, `async with transaction(storage) as tx`
    """A transaction from `begin` to its end: committed when the block ends normally, rolled back on
    any exception (cancellation included), and its after-commit hooks run once the commit is done.

    A class rather than `@asynccontextmanager`: it sits on every request's path."""

    __slots__ = ("_storage", "_tx", "_write")

    def __init__(self, storage: Storage, write: bool = True) -> None:
        self._storage = storage
        self._write = write

    async def __aenter__(self) -> Transaction:
        self._tx = await self._storage.begin(self._write)
        return self._tx

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tx = self._tx
        if exc_type is not None:
            await tx.rollback()
            return
        await tx.commit()
        for hook in tx.after_commit:
            hook()


async def run_in_workspace(storage: Storage, workspace_id: str, work: Callable[[UnitOfWork], Any]) -> Any:
    """Run `work` in its own write transaction outside a request (CLI, background jobs), on the
    workspace's clock."""
    binding = clock.request_scope()
    try:
        async with transaction(storage, write=True) as tx:
            return await work(UnitOfWork(tx=tx, workspace_id=workspace_id))
    finally:
        clock.release(binding)
