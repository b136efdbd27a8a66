from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from tidings.core.deps import Uow
from tidings.data_events import service
from tidings.data_events.schemas import CreateDataEvent, CreateDataEventSummaries, DataEventsOut
from tidings.fin.routes import public_base_url


class DataEventsController(Controller):
    path = "/events"
    tags = ["Data Events"]

    @post("/", operation_id="createDataEvent", status_code=202)
    async def create_data_event(self, data: JSONBody[CreateDataEvent], uow: Uow) -> Response[None]:
        await service.create(uow, data)
        return Response(None, status_code=202)

    @get("/", operation_id="lisDataEvents")
    async def lis_data_events(self, uow: Uow, request: Request[Any, Any, Any], state: State) -> DataEventsOut:
        return await service.list_events(uow, dict(request.query_params), public_base_url(state, request))

    @post("/summaries", operation_id="dataEventSummaries", status_code=200)
    async def data_event_summaries(self, data: JSONBody[CreateDataEventSummaries], uow: Uow) -> Response[None]:
        await service.add_summaries(uow, data)
        return Response(None, status_code=200)
