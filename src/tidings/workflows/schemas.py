from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import Request


class WorkflowOut(msgspec.Struct):
    id: str
    title: str
    description: str | None
    trigger_type: str
    state: str
    target_channels: list[str]
    preferred_devices: list[str]
    created_at: str
    updated_at: str
    targeting: dict[str, Any] | None
    snapshot: dict[str, Any] | None
    attributes: list[dict[str, Any]]
    embedded_rules: list[dict[str, Any]]


class WorkflowExportOut(msgspec.Struct):
    export_version: str
    exported_at: str
    app_id: int
    workflow: WorkflowOut


class CreateWorkflow(Request):
    title: str
    trigger_type: str
    state: str = "draft"
    description: str | None = None
    target_channels: list[str] = msgspec.field(default_factory=list)
    preferred_devices: list[str] = msgspec.field(default_factory=list)
    targeting: dict[str, Any] | None = None
    snapshot: dict[str, Any] | None = None
    attributes: list[dict[str, Any]] = msgspec.field(default_factory=list)
    embedded_rules: list[dict[str, Any]] = msgspec.field(default_factory=list)


class CreatedWorkflow(msgspec.Struct):
    id: str
    title: str
    state: str
    type: str = "workflow"
