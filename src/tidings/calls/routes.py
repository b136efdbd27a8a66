from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect

from tidings.calls import service
from tidings.calls.schemas import (
    AiCallOut,
    CallList,
    CallOut,
    CallsWithTranscripts,
    CreateCall,
    RegisterFinVoiceCall,
    SearchCalls,
)
from tidings.core.deps import Uow
from tidings.fin.routes import public_base_url
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX


class CallsController(Controller):
    path = "/calls"
    tags = ["Calls"]

    @get("/", operation_id="listCalls")
    async def list_calls(
        self,
        uow: Uow,
        state: State,
        request: Request[Any, Any, Any],
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> CallList:
        return await service.list_page(uow, page, per_page, public_base_url(state, request))

    @post("/search", operation_id="listCallsWithTranscripts", status_code=200)
    async def list_calls_with_transcripts(
        self, data: JSONBody[SearchCalls], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> CallsWithTranscripts:
        return await service.search(uow, data, public_base_url(state, request))

    @get("/{call_id:str}", operation_id="showCall")
    async def show_call(
        self, call_id: FromPath[str], uow: Uow, state: State, request: Request[Any, Any, Any]
    ) -> CallOut:
        return await service.get(uow, call_id, public_base_url(state, request))

    @get("/{call_id:str}/recording", operation_id="showCallRecording")
    async def show_call_recording(self, call_id: FromPath[str], uow: Uow) -> Redirect:
        return Redirect(await service.recording_location(uow, call_id), status_code=302)

    @get("/{call_id:str}/transcript", operation_id="showCallTranscript")
    async def show_call_transcript(self, call_id: FromPath[str], uow: Uow) -> Response[str]:
        text, filename = await service.transcript_file(uow, call_id)
        return Response(
            text, media_type="text/plain", headers={"Content-Disposition": f"attachment; filename={filename}"}
        )


class FinVoiceController(Controller):
    path = "/fin_voice"
    tags = ["Calls"]

    @post("/register", operation_id="registerFinVoiceCall", status_code=200)
    async def register_fin_voice_call(self, data: JSONBody[RegisterFinVoiceCall], uow: Uow) -> AiCallOut:
        return await service.register(uow, data)

    @get("/collect/{registration_id:str}", operation_id="collectFinVoiceCallById")
    async def collect_fin_voice_call_by_id(self, registration_id: FromPath[str], uow: Uow) -> AiCallOut:
        return await service.collect_by_id(uow, registration_id)

    @get("/external_id/{external_id:str}", operation_id="collectFinVoiceCallByExternalId")
    async def collect_fin_voice_call_by_external_id(self, external_id: FromPath[str], uow: Uow) -> AiCallOut:
        return await service.collect_by_external_id(uow, external_id)

    @get("/phone_number/{phone_number:str}", operation_id="collectFinVoiceCallByPhoneNumber")
    async def collect_fin_voice_call_by_phone_number(self, phone_number: FromPath[str], uow: Uow) -> AiCallOut:
        return await service.collect_by_phone_number(uow, phone_number)

    @get("/conversation/{conversation_id:str}", operation_id="collectFinVoiceCallsByConversationId")
    async def collect_fin_voice_calls_by_conversation_id(
        self, conversation_id: FromPath[str], uow: Uow
    ) -> list[AiCallOut]:
        return await service.collect_by_conversation(uow, conversation_id)


class CallsSetupController(Controller):
    """`/_tidings/v1/workspaces/{ws}/calls`: a call as Intercom's phone system would record it."""

    path = PREFIX + "/workspaces"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/{ws:str}/calls", operation_id="tidingsCreateCall", status_code=201)
    async def create_call(
        self,
        ws: FromPath[str],
        data: JSONBody[CreateCall],
        tx: ControlTx,
        state: State,
        request: Request[Any, Any, Any],
    ) -> CallOut:
        return await service.create(await workspace_uow(tx, ws), data, public_base_url(state, request))
