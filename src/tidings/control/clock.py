"""Clock control: freeze a workspace's clock, advance it, or give it back to real time.

Moving the clock forward fires what became due on the way, in time order, before the call
returns: snooze wake-ups, Fin's inactivity steps, webhook attempts (first sends and the retry
schedule), and the jobs and Fin turns those start. The clock stops at each due moment in turn, so
something due at `t` is dated `t` and what it schedules (a retry, Fin's second inactivity step)
fires too if it falls inside the move.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select

from tidings.conversations import engine as conversations
from tidings.core import clock
from tidings.core.clock import ClockState
from tidings.core.tables import workspace_clocks
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import Storage
from tidings.events import fanout
from tidings.events.storage import PENDING, webhook_deliveries
from tidings.fin import inactivity
from tidings.fin.storage import DONE, fin_jobs
from tidings.jobs.runner import wake_runners
from tidings.jobs.storage import PENDING as JOB_PENDING
from tidings.jobs.storage import jobs

# A move stops at most this many times; a schedule that keeps itself busy cannot hang the call.
MAX_STEPS = 500
# How long one stop waits for the delivery worker, the job runner and Fin to finish what is due.
SETTLE_SECONDS = 30.0
SETTLE_POLL_SECONDS = 0.01


async def load(storage: Storage) -> None:
    """Read every controlled clock into this process's registry (at start-up)."""
    tx = await storage.begin(write=False)
    try:
        rows = (await tx.execute(select(workspace_clocks))).mappings().all()
    finally:
        await tx.rollback()
    clock.load_states({r["workspace_id"]: ClockState(r["frozen_ms"], r["offset_ms"] or 0) for r in rows})


async def _store(storage: Storage, workspace_id: str, state: ClockState | None) -> None:
    async def write(uow: UnitOfWork) -> None:
        await uow.execute(delete(workspace_clocks).where(workspace_clocks.c.workspace_id == workspace_id))
        if state is not None:
            await uow.execute(
                insert(workspace_clocks).values(
                    workspace_id=workspace_id, frozen_ms=state.frozen_ms, offset_ms=state.offset_ms
                )
            )

    await run_in_workspace(storage, workspace_id, write)
    clock.set_state(workspace_id, state)


def is_frozen(workspace_id: str) -> bool:
    state = clock.state_of(workspace_id)
    return state is not None and state.frozen_ms is not None


async def freeze(storage: Storage, workspace_id: str, at_ms: int | None, deliveries: bool) -> None:
    """Stop the clock, at `at_ms` or where it is; a time ahead is reached by moving there."""
    at = clock.workspace_now_ms(workspace_id) if at_ms is None else at_ms
    await move_to(storage, workspace_id, ClockState(frozen_ms=at), deliveries)


async def advance(storage: Storage, workspace_id: str, by_ms: int, deliveries: bool) -> None:
    """Move the clock `by_ms` forward; a running clock keeps running, that much ahead."""
    state = clock.state_of(workspace_id) or ClockState()
    if state.frozen_ms is not None:
        final = ClockState(frozen_ms=state.frozen_ms + by_ms)
    else:
        final = ClockState(offset_ms=state.offset_ms + by_ms)
    await move_to(storage, workspace_id, final, deliveries)


async def real_time(storage: Storage, workspace_id: str, deliveries: bool) -> None:
    """Back to real time; what falls due on the way (if real time is ahead) fires."""
    await move_to(storage, workspace_id, ClockState(), deliveries)
    await _store(storage, workspace_id, None)


async def move_to(storage: Storage, workspace_id: str, final: ClockState, deliveries: bool) -> None:
    """Set the clock to `final`, stopping at every due moment on the way forward."""
    # What is under way now (a Fin turn, a first delivery) finishes at the present time first.
    await settle(storage, workspace_id, deliveries)
    reached = None
    for _ in range(MAX_STEPS):
        due = await next_due_ms(storage, workspace_id, deliveries)
        if due is None or due > final.now_ms(clock.real_ms()) or due == reached:
            break
        reached = max(due, clock.workspace_now_ms(workspace_id))
        step = (
            ClockState(frozen_ms=reached)
            if final.frozen_ms is not None
            else ClockState(offset_ms=reached - clock.real_ms())
        )
        await _store(storage, workspace_id, step)
        await settle(storage, workspace_id, deliveries)
    await _store(storage, workspace_id, final)
    await settle(storage, workspace_id, deliveries)


async def next_due_ms(storage: Storage, workspace_id: str, deliveries: bool) -> int | None:
    """The workspace's next timed step (milliseconds): a snooze's end, Fin's inactivity, a delivery."""

    async def read(uow: UnitOfWork) -> list[int | None]:
        snooze = await conversations.next_snooze_end(uow)
        found = [snooze * 1000 if snooze is not None else None, await inactivity.next_due_ms(uow)]
        if deliveries:
            found.append(await uow.scalar(_due_deliveries(uow, select(func.min(webhook_deliveries.c.next_attempt_ms)))))
        return found

    moments = [int(m) for m in await _read(storage, workspace_id, read) if m is not None]
    return min(moments) if moments else None


def _due_deliveries(uow: UnitOfWork, stmt: Any) -> Any:
    """Pending deliveries the worker may take (not queued behind an earlier one with their key)."""
    d = webhook_deliveries
    earlier = d.alias("earlier")
    older_pending = exists().where(
        earlier.c.ordering_key == d.c.ordering_key, earlier.c.status == PENDING, earlier.c.id < d.c.id
    )
    return stmt.where(d.c.workspace_id == uow.workspace_id, d.c.status == PENDING).where(
        or_(d.c.ordering_key.is_(None), ~older_pending)
    )


async def settle(storage: Storage, workspace_id: str, deliveries: bool) -> None:
    """Fire what is due at the clock's present time and wait until it has run."""
    await run_in_workspace(storage, workspace_id, conversations.wake_due_snoozes)
    while await inactivity.sweep(storage, workspace_id) >= inactivity.SWEEP_BATCH:
        pass
    wake_runners()
    fanout.wake_workers()
    deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
    while await _read(storage, workspace_id, lambda uow: _busy(uow, deliveries)):
        if asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(SETTLE_POLL_SECONDS)


async def _busy(uow: UnitOfWork, deliveries: bool) -> bool:
    """Whether due work of the workspace has not run yet: jobs, Fin turns, deliveries due now."""
    if await uow.scalar(uow.select(jobs, jobs.c.id).where(jobs.c.status == JOB_PENDING).limit(1)) is not None:
        return True
    if await uow.scalar(uow.select(fin_jobs, fin_jobs.c.id).where(fin_jobs.c.state != DONE).limit(1)) is not None:
        return True
    if not deliveries:
        return False
    due = _due_deliveries(uow, select(webhook_deliveries.c.id)).where(
        webhook_deliveries.c.next_attempt_ms <= clock.now_ms()
    )
    return await uow.scalar(due.limit(1)) is not None


async def _read(storage: Storage, workspace_id: str, work: Any) -> Any:
    tx = await storage.begin(write=False)
    binding = clock.request_scope()
    try:
        return await work(UnitOfWork(tx=tx, workspace_id=workspace_id))
    finally:
        clock.release(binding)
        await tx.rollback()
