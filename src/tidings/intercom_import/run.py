"""The import: every kind in order, one transaction per object (the object and its entry in the
import map together), so a run that stops leaves nothing half made and the next one continues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tidings.admins.storage import first_admin_id
from tidings.core import clock
from tidings.core.errors import TidingsError
from tidings.core.uow import UnitOfWork, transaction
from tidings.db.storage import Storage
from tidings.intercom_import import storage
from tidings.intercom_import.kinds import KINDS, Ids, Kind, Skipped
from tidings.intercom_import.source import Source


@dataclass
class Tally:
    copied: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Summary:
    kinds: dict[str, Tally] = field(default_factory=dict)
    stopped_at_limit: bool = False

    @property
    def failed(self) -> int:
        return sum(len(t.failed) for t in self.kinds.values())


# Called with the kind and how many of it the source has, it returns a callback for each one done.
Progress = Callable[[Kind, int], Callable[[], None]]


async def _in_workspace(store: Storage, workspace_id: str) -> UnitOfWork:
    tx = await store.begin(write=True)
    uow = UnitOfWork(tx=tx, workspace_id=workspace_id)
    try:
        uow.admin_id = await first_admin_id(uow)
    except BaseException:
        await tx.rollback()
        raise
    return uow


async def _known(store: Storage, workspace_id: str, key: str) -> dict[tuple[str, str], str]:
    uow = await _in_workspace(store, workspace_id)
    try:
        return await storage.mapped(uow, key)
    finally:
        await uow.tx.rollback()


async def _copy_one(store: Storage, workspace_id: str, key: str, kind: Kind, item: dict, ids: Ids) -> str:
    async with transaction(store) as tx:
        uow = UnitOfWork(tx=tx, workspace_id=workspace_id)
        uow.admin_id = await first_admin_id(uow)
        target_id = await kind.copy(uow, item, ids)
        await storage.remember(uow, key, kind.name, str(item["id"]), target_id, clock.now())
    return target_id


async def import_workspace(
    store: Storage, workspace_id: str, source: Source, progress: Progress, limit: int | None = None
) -> Summary:
    """Copy what the source has and this workspace lacks; at most `limit` new objects this run."""
    key = source.identity()
    ids = Ids(await _known(store, workspace_id, key))
    summary = Summary()
    budget = limit
    for kind in KINDS:
        items = list(kind.read(source))
        tally = summary.kinds.setdefault(kind.label, Tally())
        done = progress(kind, len(items))
        for item in items:
            source_id = str(item["id"])
            if ids.get(kind.name, source_id) is not None:
                tally.already += 1
            elif budget is not None and budget <= 0:
                summary.stopped_at_limit = True
                return summary
            else:
                try:
                    ids.known[(kind.name, source_id)] = await _copy_one(store, workspace_id, key, kind, item, ids)
                    tally.copied += 1
                    budget = None if budget is None else budget - 1
                except (Skipped, TidingsError) as refused:
                    tally.failed.append((source_id, str(refused)))
            done()
    return summary
