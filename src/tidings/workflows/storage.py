"""Workflow documents, as a workflow builder would have saved them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, Table, Text

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column

workflows = Table(
    "workflows",
    metadata,
    id_column(),
    workspace_column(),
    Column("title", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("trigger_type", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    # target_channels, preferred_devices, targeting, snapshot, attributes, embedded_rules.
    Column("document", JsonType, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)


async def insert_workflow(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(workflows).values(**values).returning(workflows.c.id))).scalar_one())


async def get_workflow(uow: UnitOfWork, workflow_id: int) -> Any:
    return await uow.one_or_none(uow.select(workflows).where(workflows.c.id == workflow_id))


async def workflows_with_documents(uow: UnitOfWork) -> list[Any]:
    """Every workflow's id and document (for what references another object, e.g. a data connector)."""
    t = workflows
    return await uow.all(uow.select(t, t.c.id, t.c.document).order_by(t.c.id).limit(10_000))
