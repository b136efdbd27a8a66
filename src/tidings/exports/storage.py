"""Export jobs and their finished files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Index, LargeBinary, String, Table, func

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, id_column, metadata, timestamp_column, workspace_column

CONTENT, REPORTING = "content", "reporting"

exports = Table(
    "exports",
    metadata,
    id_column(),
    workspace_column(),
    # What clients name the job by (`job_identifier`): random, so ids do not reveal activity.
    Column("job_identifier", String(32), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    # What was asked for: the content export's range, or the reporting dataset, attributes and range.
    Column("request", JsonType, nullable=False),
    Column("file", LargeBinary, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("completed_at", nullable=True),
    timestamp_column("expires_at", nullable=True),
    Index("ix_exports_workspace_kind_status", "workspace_id", "kind", "status"),
)


async def insert_export(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(exports).values(**values).returning(exports.c.id))).scalar_one())


async def find_export(uow: UnitOfWork, kind: str, job_identifier: str) -> Any:
    t = exports
    return await uow.one_or_none(uow.select(t).where(t.c.kind == kind, t.c.job_identifier == job_identifier))


async def get_export(uow: UnitOfWork, export_id: int) -> Any:
    return await uow.one_or_none(uow.select(exports).where(exports.c.id == export_id))


async def count_active(uow: UnitOfWork, kind: str, active: tuple[str, ...]) -> int:
    t = exports
    return int(await uow.scalar(uow.select(t, func.count()).where(t.c.kind == kind, t.c.status.in_(active))) or 0)


async def update_export(uow: UnitOfWork, export_id: int, values: dict[str, Any], only_from: tuple[str, ...]) -> bool:
    """Move the export on, only from one of the given statuses; whether it moved."""
    t = exports
    result = await uow.execute(uow.update(t).where(t.c.id == export_id, t.c.status.in_(only_from)).values(**values))
    return bool(result.rowcount)
