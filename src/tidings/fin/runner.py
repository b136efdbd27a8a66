"""The runner: a background task of every server process that does Fin's queued work.

It claims a job (a user message to answer) with a lease, reads what it needs, works out the turn
(`tidings.fin.workflow`), and writes the turn's events and state together with the job's
completion. A job whose process stops mid-thinking is handed back on a clean shutdown and, after
a crash, taken over once its lease runs out; either way the answer is delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from tidings.config import Settings
from tidings.core import clock
from tidings.core.uow import UnitOfWork, run_in_workspace, transaction
from tidings.db.storage import Storage
from tidings.fin import answerer, storage, tools
from tidings.fin.inactivity import sweep_forever
from tidings.fin.rules import REASON_ROUTED
from tidings.fin.workflow import Outcome, Streamer, answer_question, apply, decide, load
from tidings.observability.logs import event
from tidings.observability.metrics import record_fin_turn

log = logging.getLogger("tidings.fin")

# A turn failing this many times is handed to the team.
MAX_ATTEMPTS = 3

_wakes: set[asyncio.Event] = set()


def wake_runner() -> None:
    """Called after a commit that queued a job: this process's runner looks at once."""
    for wake in _wakes:
        wake.set()


class FinRunner:
    def __init__(self, store: Storage, config: Settings) -> None:
        self.store = store
        self.config = config
        self.wake = asyncio.Event()
        self.slots = asyncio.Semaphore(max(1, config.fin_concurrency))
        self.working: dict[int, asyncio.Task[None]] = {}
        self.stopping = False

    @property
    def lease_ms(self) -> int:
        return int(self.config.fin_lease_seconds * 1000)

    async def run(self) -> None:
        _wakes.add(self.wake)
        try:
            while not self.stopping:
                await self.slots.acquire()
                if self.stopping:
                    self.slots.release()
                    break
                job = await self._claim()
                if job is None:
                    self.slots.release()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.config.fin_poll_seconds):
                            await self.wake.wait()
                    self.wake.clear()
                    continue
                if self.stopping:
                    # Claimed while shutting down: hand it straight back.
                    await self._in_tx(lambda tx, job_id=job["id"]: storage.release_job(tx, job_id))
                    self.slots.release()
                    break
                self.working[job["id"]] = asyncio.create_task(self._work(job))
        finally:
            _wakes.discard(self.wake)

    async def stop(self) -> None:
        """Cancel work in progress and hand its jobs back for the next claim."""
        self.stopping = True
        self.wake.set()
        jobs = list(self.working.items())
        for _, task in jobs:
            task.cancel()
        for job_id, task in jobs:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await self._in_tx(lambda tx, job_id=job_id: storage.release_job(tx, job_id))

    async def _in_tx(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        async with transaction(self.store) as tx:
            return await work(tx)

    async def _read_tx(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        tx = await self.store.begin(write=False)
        try:
            return await work(tx)
        finally:
            await tx.rollback()

    async def _claim(self) -> Any:
        try:
            if not await self._read_tx(storage.any_open_job):
                return None
            return await self._in_tx(lambda tx: storage.claim_job(tx, clock.real_ms(), self.lease_ms))
        except Exception:
            log.exception("claiming a Fin job failed")
            return None

    async def _work(self, job: Any) -> None:
        keep_lease = asyncio.create_task(self._renew(job["id"]))
        try:
            await self.turn(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Fin job %s failed (attempt %s)", job["id"], job["attempts"] + 1)
            if job["attempts"] + 1 >= MAX_ATTEMPTS:
                await self.give_up(job)
            # Otherwise the lease runs out and the job is tried again.
        finally:
            keep_lease.cancel()
            self.working.pop(job["id"], None)
            self.slots.release()

    async def _renew(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(self.config.fin_lease_seconds / 3)
            until = clock.real_ms() + self.lease_ms
            await self._in_tx(lambda tx, until=until: storage.extend_lease(tx, job_id, until))

    async def _read(self, workspace_id: str, work: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
        return await self._read_tx(lambda tx: work(UnitOfWork(tx=tx, workspace_id=workspace_id)))

    async def _write(self, workspace_id: str, work: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
        return await run_in_workspace(self.store, workspace_id, work)

    async def turn(self, job: Any) -> None:
        started = time.perf_counter()
        workspace_id = job["workspace_id"]
        state = await self._read(workspace_id, lambda uow: load(uow, job))
        if state is None:
            await self._write(workspace_id, lambda uow: storage.finish_job(uow, job["id"]))
            return
        decided = decide(state)
        if isinstance(decided, Outcome):
            outcome = decided
        else:
            earlier = [body for author, body in state.history if author == "user"]
            grounding = await self._read(workspace_id, lambda uow: answerer.ground(uow, decided, earlier))
            streamer = Streamer(state, lambda work: self._write(workspace_id, work))
            exchange = await tools.consult(
                self.config, state, grounding, lambda work: self._read(workspace_id, work), streamer.write
            )
            outcome = await answer_question(self.config, state, grounding, streamer, exchange)
        await self._write(workspace_id, lambda uow: apply(uow, state, outcome, job["id"]))
        report_turn(job, outcome, time.perf_counter() - started)

    async def give_up(self, job: Any) -> None:
        """A turn that keeps failing goes to the team instead of leaving the user without an answer."""
        workspace_id = job["workspace_id"]
        try:
            state = await self._read(workspace_id, lambda uow: load(uow, job))
            if state is None:
                await self._write(workspace_id, lambda uow: storage.finish_job(uow, job["id"]))
                return
            outcome = Outcome(status="escalated", reason=REASON_ROUTED)
            await self._write(workspace_id, lambda uow: apply(uow, state, outcome, job["id"]))
        except Exception:
            log.exception("handing Fin job %s over failed", job["id"])


def report_turn(job: Any, outcome: Outcome, seconds: float) -> None:
    """A finished turn's log line and metrics; awaiting_user_reply is a turn Fin answered."""
    result = "answered" if outcome.status == "awaiting_user_reply" else outcome.status
    record_fin_turn(result, seconds)
    event(
        log,
        "fin turn",
        workspace_id=job["workspace_id"],
        job_id=job["id"],
        attempt=job["attempts"] + 1,
        outcome=result,
        reason=outcome.reason,
        duration_ms=round(seconds * 1000, 2),
    )


@contextlib.asynccontextmanager
async def fin_runtime(store: Storage, config: Settings) -> AsyncIterator[FinRunner]:
    """Run this process's Fin runner and inactivity sweep for the app's lifetime (entered from the
    app's lifespan)."""
    runner = FinRunner(store, config)
    task = asyncio.create_task(runner.run())
    sweeper = asyncio.create_task(sweep_forever(store, config.fin_inactivity_sweep_seconds))
    try:
        yield runner
    finally:
        sweeper.cancel()
        await runner.stop()
        task.cancel()
        for background in (sweeper, task):
            with contextlib.suppress(asyncio.CancelledError):
                await background
