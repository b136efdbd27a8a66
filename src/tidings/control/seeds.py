"""Seeded ids: a workspace created (or reset) with a seed hands out deterministic ids (`tidings.core.ids`)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from tidings.control.storage import workspace_seeds
from tidings.core import ids
from tidings.core.uow import transaction
from tidings.db.storage import Storage, Transaction


async def load(storage: Storage) -> None:
    """Register every seeded workspace in this process, one generation on from the last start."""
    async with transaction(storage) as tx:
        rows = (await tx.execute(select(workspace_seeds))).mappings().all()
        await tx.execute(update(workspace_seeds).values(generation=workspace_seeds.c.generation + 1))
    for row in rows:
        ids.set_seeded(row["workspace_id"], ids.SeededIds(row["seed"], row["generation"] + 1))


async def set_seed(tx: Transaction, workspace_id: str, seed: str | None) -> None:
    """Seed the workspace's ids afresh (or, with None, give it random ids again)."""
    await tx.execute(delete(workspace_seeds).where(workspace_seeds.c.workspace_id == workspace_id))
    if seed is not None:
        await tx.execute(insert(workspace_seeds).values(workspace_id=workspace_id, seed=seed, generation=0))
    ids.set_seeded(workspace_id, ids.SeededIds(seed) if seed is not None else None)


async def seed_of(tx: Transaction, workspace_id: str) -> str | None:
    row = await tx.execute(select(workspace_seeds.c.seed).where(workspace_seeds.c.workspace_id == workspace_id))
    return row.scalar()
