from __future__ import annotations

from typing import Any

import msgspec

from tidings.core import clock
from tidings.core.errors import found, invalid, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.core.workspaces import numeric_app_id
from tidings.workflows import storage
from tidings.workflows.schemas import CreatedWorkflow, CreateWorkflow, WorkflowExportOut, WorkflowOut

EXPORT_VERSION = "1.0"
STATES = ("live", "draft", "paused")
DOCUMENT_LIMIT = 1_000_000
DOCUMENT_FIELDS = ("target_channels", "preferred_devices", "targeting", "snapshot", "attributes", "embedded_rules")


async def export(uow: UnitOfWork, workflow_id: str) -> WorkflowExportOut:
    numeric = parse_numeric_id(workflow_id)
    row = found(await storage.get_workflow(uow, numeric) if numeric else None, not_found("Workflow not found"))
    document: dict[str, Any] = row["document"]
    workflow = WorkflowOut(
        id=str(row["id"]),
        title=row["title"],
        description=row["description"],
        trigger_type=row["trigger_type"],
        state=row["state"],
        created_at=clock.iso_seconds(row["created_at"]),
        updated_at=clock.iso_seconds(row["updated_at"]),
        **{name: document[name] for name in DOCUMENT_FIELDS},
    )
    return WorkflowExportOut(
        export_version=EXPORT_VERSION,
        exported_at=clock.iso_seconds(clock.now()),
        app_id=numeric_app_id(uow.workspace_id),
        workflow=workflow,
    )


async def create(uow: UnitOfWork, data: CreateWorkflow) -> CreatedWorkflow:
    title, trigger = data.title.strip(), data.trigger_type.strip()
    if not title or len(title) > 255:
        raise invalid("title must be 1 to 255 characters", "title")
    if not trigger or len(trigger) > 64:
        raise invalid("trigger_type must be 1 to 64 characters", "trigger_type")
    if data.state not in STATES:
        raise invalid("state must be one of: live, draft, paused", "state")
    document = {name: getattr(data, name) for name in DOCUMENT_FIELDS}
    if len(msgspec.json.encode(document)) > DOCUMENT_LIMIT:
        raise invalid("the workflow document is larger than 1 MB")
    now = clock.now()
    workflow_id = await storage.insert_workflow(
        uow,
        {
            "title": title,
            "description": data.description,
            "trigger_type": trigger,
            "state": data.state,
            "document": document,
            "created_at": now,
            "updated_at": now,
        },
    )
    return CreatedWorkflow(id=str(workflow_id), title=title, state=data.state)
