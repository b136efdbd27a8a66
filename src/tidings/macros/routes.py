from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.macros import service
from tidings.macros.schemas import MacroList, MacroOut, MacroWrite
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX


class MacrosController(Controller):
    path = "/macros"
    tags = ["Macros"]

    @get("/", operation_id="listMacros")
    async def list_macros(
        self,
        uow: Uow,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
        updated_since: FromQuery[str | None] = None,
    ) -> MacroList:
        return await service.list_page(uow, per_page, starting_after, updated_since)

    @get("/{macro_id:str}", operation_id="getMacro")
    async def get_macro(self, macro_id: FromPath[str], uow: Uow) -> MacroOut:
        return await service.get(uow, macro_id)


class MacrosSetupController(Controller):
    """`/_tidings/v1/workspaces/{ws}/macros`: teammates write macros in Intercom's inbox."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/{ws:str}/macros", operation_id="tidingsCreateMacro", status_code=201)
    async def create_macro(self, ws: FromPath[str], data: JSONBody[MacroWrite], tx: ControlTx) -> MacroOut:
        return await service.create(await workspace_uow(tx, ws), data)

    @put("/{ws:str}/macros/{macro_id:str}", operation_id="tidingsUpdateMacro")
    async def update_macro(
        self, ws: FromPath[str], macro_id: FromPath[str], data: JSONBody[MacroWrite], tx: ControlTx
    ) -> MacroOut:
        return await service.update(await workspace_uow(tx, ws), macro_id, data)
