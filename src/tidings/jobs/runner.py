"""The job runner: a background task per server process that runs pending jobs.

A job runs in one transaction with the change it makes, and is marked `success` in that same
transaction, so a crash mid-job leaves it pending and it runs again after the restart. A job whose
handler refuses it (a `TidingsError`) is rolled back and marked `failed` with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tidings.core import clock
from tidings.core.errors import TidingsError
from tidings.core.uow import UnitOfWork, transaction
from tidings.db.storage import Storage
from tidings.jobs import storage
from tidings.jobs.storage import FAILED, SUCCESS
from tidings.observability.logs import event
from tidings.observability.metrics import record_job

log = logging.getLogger("tidings.jobs")

# A handler does the job's work in the unit of work it is given and returns the created resource's id.
JobHandler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[str]]

POLL_SECONDS = 1.0

# Runners of this process, woken after a commit that enqueued a job (other processes poll).
_runners: list[JobRunner] = []


def wake_runners() -> None:
    for runner in _runners:
        runner.wake()


class JobRunner:
    def __init__(self, storage: Storage, handlers: dict[str, JobHandler]) -> None:
        self._storage = storage
        self._handlers = handlers
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        _runners.append(self)
        self._task = asyncio.create_task(self._loop(), name="tidings-job-runner")

    async def stop(self) -> None:
        if self in _runners:
            _runners.remove(self)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def wake(self) -> None:
        self._wakeup.set()

    async def _loop(self) -> None:
        while True:
            try:
                while await self.run_one():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job runner pass failed")
            try:
                await asyncio.wait_for(self._wakeup.wait(), POLL_SECONDS)
            except TimeoutError:
                pass
            self._wakeup.clear()

    async def run_one(self) -> bool:
        """Run the oldest pending job; False when there was none."""
        reader = await self._storage.begin(write=False)
        try:
            if not await storage.has_pending(reader):
                return False
        finally:
            await reader.rollback()
        tx = await self._storage.begin(write=True)
        try:
            job = await storage.claim_pending(tx)
        except BaseException:
            await tx.rollback()
            raise
        if job is None:
            await tx.rollback()
            return False
        uow = UnitOfWork(tx=tx, workspace_id=job["workspace_id"], admin_id=job["admin_id"])
        try:
            resource_id = await self._handlers[job["kind"]](uow, job["payload"])
            done = {"status": SUCCESS, "resource_id": resource_id, "updated_at": clock.now()}
            await storage.finish_job(uow, job["id"], done)
        except TidingsError as refused:
            await tx.rollback()
            await self._mark_failed(job, refused.items[0].message or refused.code)
            report_job(job, FAILED)
            return True
        except Exception:
            # A bug must not leave the job pending forever (it would run again on every pass).
            log.exception("job %s failed", job["id"])
            await tx.rollback()
            await self._mark_failed(job, "An internal error occurred")
            report_job(job, FAILED)
            return True
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()
        for hook in uow.after_commit:
            hook()
        report_job(job, SUCCESS)
        return True

    async def _mark_failed(self, job: Any, reason: str) -> None:
        async with transaction(self._storage) as tx:
            uow = UnitOfWork(tx=tx, workspace_id=job["workspace_id"])
            await storage.finish_job(uow, job["id"], {"status": FAILED, "error": reason, "updated_at": clock.now()})


def report_job(job: Any, outcome: str) -> None:
    record_job(job["kind"], outcome)
    event(log, "job", job_id=job["id"], workspace_id=job["workspace_id"], kind=job["kind"], outcome=outcome)
