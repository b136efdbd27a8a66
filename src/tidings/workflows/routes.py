from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX
from tidings.workflows import service
from tidings.workflows.schemas import CreatedWorkflow, CreateWorkflow, WorkflowExportOut


class WorkflowsController(Controller):
    path = "/export/workflows"
    tags = ["Workflows"]

    @get("/{workflow_id:str}", operation_id="exportWorkflow")
    async def export_workflow(self, workflow_id: FromPath[str], uow: Uow) -> WorkflowExportOut:
        return await service.export(uow, workflow_id)


class WorkflowsSetupController(Controller):
    """`/_tidings/v1/workspaces/{ws}/workflows`: register a workflow document (Intercom's builder makes them)."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/{ws:str}/workflows", operation_id="tidingsCreateWorkflow", status_code=201)
    async def create_workflow(
        self, ws: FromPath[str], data: JSONBody[CreateWorkflow], tx: ControlTx
    ) -> CreatedWorkflow:
        return await service.create(await workspace_uow(tx, ws), data)
