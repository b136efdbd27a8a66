"""Snapshots: a workspace's whole state saved under a name, and put back in one transaction.

A snapshot holds every row of the workspace in every table but credentials and the control
plane's own (`NOT_IN_SNAPSHOTS`), as the driver holds them, pickled (this server's own data, read back only by it), with
the position of its seeded id sequence. Restoring deletes the workspace's rows and inserts the
saved ones, in the tables' dependency order; access tokens keep working as they were.
"""

from __future__ import annotations

import pickle
from functools import cache
from typing import Any

from sqlalchemy import Table

from tidings.control.storage import workspace_snapshots
from tidings.core import clock, ids
from tidings.core.errors import found, not_found
from tidings.core.tables import access_tokens
from tidings.core.uow import UnitOfWork
from tidings.db.metadata import NOT_IN_SNAPSHOTS, metadata

SNAPSHOT_FORMAT = 2


@cache
def _tables() -> list[Table]:
    """The tables a snapshot holds, parents before children."""
    return [
        table
        for table in metadata.sorted_tables
        if "workspace_id" in table.c and table.info.get("snapshot") != NOT_IN_SNAPSHOTS["snapshot"]
    ]


# Snapshots this process has read or written, by (workspace, snapshot row id): a restore before every
# test then skips reading and unpickling the saved rows. A snapshot saved again gets a new row id.
_loaded: dict[tuple[str, int], dict[str, Any]] = {}
_LOADED_MAX = 64


def _remember(workspace_id: str, snapshot_id: int, saved: dict[str, Any]) -> None:
    if len(_loaded) >= _LOADED_MAX:
        _loaded.pop(next(iter(_loaded)))
    _loaded[(workspace_id, snapshot_id)] = saved


async def save(uow: UnitOfWork, name: str) -> Any:
    """Save (or replace) the snapshot `name` of the workspace; returns its row."""
    state: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for table in _tables():
        columns, rows = await uow.tx.dump_rows(table.name, uow.workspace_id)
        if rows:
            state[table.name] = (columns, rows)
    seeded = ids.seeded(uow.workspace_id)
    saved = {"format": SNAPSHOT_FORMAT, "tables": state, "ids_drawn": seeded.drawn if seeded else None}
    data = pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL)
    objects = sum(len(rows) for _, rows in state.values())
    await uow.execute(uow.delete(workspace_snapshots).where(workspace_snapshots.c.name == name))
    await uow.execute(
        uow.insert(workspace_snapshots).values(name=name, objects=objects, data=data, created_at=clock.now())
    )
    row = await find(uow, name)
    _remember(uow.workspace_id, row["id"], saved)
    return row


async def find(uow: UnitOfWork, name: str) -> Any:
    columns = [c for c in workspace_snapshots.c if c.name != "data"]
    return await uow.one_or_none(uow.select(workspace_snapshots, *columns).where(workspace_snapshots.c.name == name))


async def list_all(uow: UnitOfWork) -> list[Any]:
    columns = [c for c in workspace_snapshots.c if c.name != "data"]
    return await uow.all(uow.select(workspace_snapshots, *columns).order_by(workspace_snapshots.c.id))


async def remove(uow: UnitOfWork, name: str) -> None:
    result = await uow.execute(uow.delete(workspace_snapshots).where(workspace_snapshots.c.name == name))
    if not result.rowcount:
        raise not_found(f"Snapshot {name} not found")


async def restore(uow: UnitOfWork, name: str) -> Any:
    """Put the workspace back as it was when `name` was saved; returns the snapshot's row."""
    row = found(await find(uow, name), not_found(f"Snapshot {name} not found"))
    saved = _loaded.get((uow.workspace_id, row["id"]))
    if saved is None:
        data = await uow.scalar(
            uow.select(workspace_snapshots, workspace_snapshots.c.data).where(workspace_snapshots.c.id == row["id"])
        )
        saved = pickle.loads(data)
        _remember(uow.workspace_id, row["id"], saved)
    # Deleting admins would clear the tokens' admin (ON DELETE SET NULL): put it back afterwards.
    holders = await uow.all(uow.select(access_tokens, access_tokens.c.id, access_tokens.c.admin_id))
    tables = _tables()
    await uow.tx.delete_rows([table.name for table in reversed(tables)], uow.workspace_id)
    for table in tables:
        if table.name in saved["tables"]:
            columns, rows = saved["tables"][table.name]
            await uow.tx.load_rows(table.name, columns, rows)
    await _give_tokens_back(uow, holders)
    seeded = ids.seeded(uow.workspace_id)
    if seeded is not None and saved["ids_drawn"] is not None:
        seeded.drawn = saved["ids_drawn"]
    return row


async def _give_tokens_back(uow: UnitOfWork, holders: list[Any]) -> None:
    from tidings.admins.storage import admins

    present = {r["id"] for r in await uow.all(uow.select(admins, admins.c.id))}
    for holder in holders:
        if holder["admin_id"] in present:
            await uow.execute(
                uow.update(access_tokens).where(access_tokens.c.id == holder["id"]).values(admin_id=holder["admin_id"])
            )
