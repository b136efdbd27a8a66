"""Fin Agent API routes, and Fin's settings in the management API."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.fin import service
from tidings.fin.schemas import FinReplyRequest, FinSettingsOut, FinSettingsUpdate, FinStartRequest, FinStatusOut
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX
from tidings.uploads.service import MAX_BODY_WITH_FILE


def public_base_url(state: State, request: Request[Any, Any, Any]) -> str:
    """Where SSE links point: TIDINGS_PUBLIC_URL when set, else the address the caller used."""
    return (state.settings.public_url or str(request.base_url)).rstrip("/")


class FinAgentController(Controller):
    path = "/fin"
    tags = ["Fin Agent"]

    @post(
        "/start",
        operation_id="startFinConversation",
        status_code=200,
        opt={"body_required": True},
        request_max_body_size=MAX_BODY_WITH_FILE,
    )
    async def start_fin_conversation(
        self, data: JSONBody[FinStartRequest], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> FinStatusOut:
        return await service.start(uow, data, public_base_url(state, request))

    @post(
        "/reply",
        operation_id="replyToFin",
        status_code=200,
        opt={"body_required": True},
        request_max_body_size=MAX_BODY_WITH_FILE,
    )
    async def reply_to_fin(
        self, data: JSONBody[FinReplyRequest], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> FinStatusOut:
        return await service.reply(uow, data, public_base_url(state, request))


class FinSettingsController(Controller):
    """`/_tidings/v1/workspaces/{ws}/fin_agent_settings`: the Fin Agent API's webhook, SSE, streaming, rules."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @put("/{ws:str}/fin_agent_settings", operation_id="tidingsUpdateFinAgentSettings")
    async def update_fin_agent_settings(
        self, ws: FromPath[str], data: JSONBody[FinSettingsUpdate], tx: ControlTx, state: State
    ) -> FinSettingsOut:
        return await service.update_settings(await workspace_uow(tx, ws), data, state.settings)
