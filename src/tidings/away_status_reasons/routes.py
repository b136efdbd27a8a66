from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.away_status_reasons import service
from tidings.away_status_reasons.schemas import (
    AwaySettings,
    AwaySettingsOut,
    AwayStatusReasonOut,
    CreateAwayStatusReason,
)
from tidings.core.deps import Uow
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX


class AwayStatusReasonsController(Controller):
    path = "/away_status_reasons"
    tags = ["Away Status Reasons"]

    @get("/", operation_id="listAwayStatusReasons")
    async def list_away_status_reasons(self, uow: Uow) -> list[AwayStatusReasonOut]:
        return await service.list_all(uow)


class AwayStatusReasonsSetupController(Controller):
    """`/_tidings/v1/workspaces/{ws}/away_status_reasons` and `.../away_settings`."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/{ws:str}/away_status_reasons", operation_id="tidingsCreateAwayStatusReason", status_code=201)
    async def create_away_status_reason(
        self, ws: FromPath[str], data: JSONBody[CreateAwayStatusReason], tx: ControlTx
    ) -> AwayStatusReasonOut:
        return await service.create(await workspace_uow(tx, ws), data)

    @delete(
        "/{ws:str}/away_status_reasons/{reason_id:str}", operation_id="tidingsDeleteAwayStatusReason", status_code=200
    )
    async def delete_away_status_reason(
        self, ws: FromPath[str], reason_id: FromPath[str], tx: ControlTx
    ) -> AwayStatusReasonOut:
        return await service.soft_delete(await workspace_uow(tx, ws), reason_id)

    @put("/{ws:str}/away_settings", operation_id="tidingsUpdateAwaySettings")
    async def update_away_settings(
        self, ws: FromPath[str], data: JSONBody[AwaySettings], tx: ControlTx
    ) -> AwaySettingsOut:
        return await service.update_settings(await workspace_uow(tx, ws), data)
