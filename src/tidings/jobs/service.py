from __future__ import annotations

from typing import Any

from tidings.core import clock
from tidings.core.errors import JOB_NOT_FOUND, found
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.jobs import storage
from tidings.jobs.runner import wake_runners
from tidings.jobs.schemas import JobOut


async def enqueue(uow: UnitOfWork, kind: str, payload: dict[str, Any], resource_type: str, base_url: str) -> JobOut:
    """Store a pending job; this process's runner is woken once the request's transaction commits."""
    now = clock.now()
    job_id = await storage.insert_job(
        uow,
        {
            "kind": kind,
            "payload": payload,
            "admin_id": uow.admin_id,
            "base_url": base_url,
            "resource_type": resource_type,
            "created_at": now,
            "updated_at": now,
        },
    )
    uow.after_commit.append(wake_runners)
    return JobOut.from_row(await storage.get_job(uow, job_id))


async def status(uow: UnitOfWork, job_id: str) -> JobOut:
    numeric = parse_numeric_id(job_id)
    row = found(await storage.get_job(uow, numeric) if numeric else None, JOB_NOT_FOUND())
    return JobOut.from_row(row)
