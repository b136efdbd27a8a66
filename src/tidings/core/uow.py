"""The unit of work: one transaction per request, scoped to the caller's workspace.

Every statement an area runs is built through `UnitOfWork.select/insert/update/delete`, which
add the workspace condition, so no handler has to remember it. The transaction commits once,
after the handler returned; events recorded during it are in the same transaction (outbox) and
are handed to the dispatcher only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
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
        self.after_commit: list[Callable[[], Any]] = []

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
        if ids.any_seeded() and (next_id := _next_id(table, self.workspace_id, self.dialect)) is not None:
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


def _next_id(table: Table, workspace_id: str, dialect: str) -> Any:
    """The explicit id of a new row while seeded workspaces exist (`tidings.core.ids`): the next in
    the seed's range; elsewhere on SQLite, the next below the seeded ranges (SQLite would otherwise
    continue from the highest id, inside a seed's range). None lets the database number the row."""
    column = table.c.get("id")
    if column is None or column.autoincrement is not True or not column.primary_key:
        return None
    seeded = ids.seeded(workspace_id)
    if seeded is not None:
        low, high = seeded.base, seeded.base + ids.SEEDED_SPAN
    elif dialect == "sqlite":
        low, high = 0, ids.SEEDED_FLOOR
    else:
        return None
    highest = select(func.max(column)).where(column > low, column < high).scalar_subquery()
    return func.coalesce(highest, low) + 1


async def run_in_workspace(storage: Storage, workspace_id: str, work: Callable[[UnitOfWork], Any]) -> Any:
    """Run `work` in its own write transaction outside a request (CLI, background jobs), on the
    workspace's clock."""
    binding = clock.request_scope()
    try:
        tx = await storage.begin(write=True)
        uow = UnitOfWork(tx=tx, workspace_id=workspace_id)
        try:
            result = await work(uow)
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()
    finally:
        clock.release(binding)
    for hook in uow.after_commit:
        hook()
    return result
