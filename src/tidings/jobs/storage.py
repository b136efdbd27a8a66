"""Jobs: work accepted by one request and done after its commit, by the job runner (`runner.py`).

A job is a row, so it survives a restart: the runner picks up every pending job it finds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Index, String, Table, Text, select

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, JsonType, id_column, metadata, timestamp_column, workspace_column
from tidings.db.storage import Transaction

PENDING, SUCCESS, FAILED = "pending", "success", "failed"

jobs = Table(
    "jobs",
    metadata,
    id_column(),
    workspace_column(),
    # Which handler runs it (see `tidings.areas.JOB_HANDLERS`).
    Column("kind", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("payload", JsonType, nullable=False),
    # The admin whose token enqueued the job acts when it runs.
    Column("admin_id", BigId, nullable=True),
    # The base URL the client reached us at, for `url` and `resource_url`.
    Column("base_url", String(255), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_id", String(64), nullable=True),
    Column("error", Text, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_jobs_status", "status", "id"),
)


async def insert_job(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(jobs).values(status=PENDING, **values).returning(jobs.c.id))
    return int(result.scalar_one())


async def get_job(uow: UnitOfWork, job_id: int) -> Any:
    return await uow.one_or_none(uow.select(jobs).where(jobs.c.id == job_id))


async def finish_job(uow: UnitOfWork, job_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(jobs).where(jobs.c.id == job_id, jobs.c.status == PENDING).values(**values))


async def has_pending(tx: Transaction) -> bool:
    return (await tx.execute(select(jobs.c.id).where(jobs.c.status == PENDING).limit(1))).first() is not None


async def claim_pending(tx: Transaction) -> Any:
    """The oldest pending job, locked so another worker process skips it (PostgreSQL; SQLite has one writer)."""
    stmt = select(jobs).where(jobs.c.status == PENDING).order_by(jobs.c.id).limit(1)
    return (await tx.execute(stmt.with_for_update(skip_locked=True))).mappings().first()
