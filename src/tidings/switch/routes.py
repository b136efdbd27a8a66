from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.fin.routes import public_base_url
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX
from tidings.switch import service
from tidings.switch.schemas import CreatePhoneSwitch, PhoneSwitchOut, RedirectList, SwitchErrorBody


class SwitchController(Controller):
    path = "/phone_call_redirects"
    tags = ["Switch"]

    @post("/", operation_id="createPhoneSwitch", status_code=200)
    async def create_phone_switch(
        self, data: JSONBody[CreatePhoneSwitch], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> Response[PhoneSwitchOut | SwitchErrorBody]:
        try:
            return Response(await service.create(uow, data, public_base_url(state, request)))
        except service.SwitchRefused as refused:
            # Nothing was written before the refusal, so the transaction may end as usual.
            body = SwitchErrorBody(error_key=refused.error_key, message=refused.message)
            return Response(msgspec.json.encode(body), status_code=refused.status, media_type="application/json")


class SwitchSetupController(Controller):
    """`/_tidings/v1/workspaces/{ws}/phone_call_redirects`: the SMS links Switch would have sent."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @get("/{ws:str}/phone_call_redirects", operation_id="tidingsListPhoneCallRedirects")
    async def list_phone_call_redirects(
        self, ws: FromPath[str], tx: ControlTx, state: State, request: Request[Any, Any, Any]
    ) -> RedirectList:
        return await service.list_redirects(await workspace_uow(tx, ws), public_base_url(state, request))
