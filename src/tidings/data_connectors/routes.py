from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.data_connectors import service
from tidings.data_connectors.schemas import (
    DataConnectorDetail,
    DataConnectorList,
    DataConnectorWrite,
    DeletedDataConnector,
    ExecutionList,
    ExecutionOut,
)


class DataConnectorsController(Controller):
    path = "/data_connectors"
    tags = ["Data Connectors"]

    @get("/", operation_id="listDataConnectors")
    async def list_data_connectors(
        self, uow: Uow, per_page: FromQuery[int | None] = None, starting_after: FromQuery[str | None] = None
    ) -> DataConnectorList:
        return await service.list_page(uow, per_page, starting_after)

    @post("/", operation_id="createDataConnector", status_code=201)
    async def create_data_connector(
        self, data: JSONBody[DataConnectorWrite], uow: Uow, state: State
    ) -> DataConnectorDetail:
        return await service.create(uow, data, state.settings)

    @get("/{connector_id:str}", operation_id="RetrieveDataConnector")
    async def retrieve_data_connector(
        self, connector_id: FromPath[str], uow: Uow, state_version: FromQuery[str | None] = None
    ) -> DataConnectorDetail:
        return await service.get(uow, connector_id, state_version)

    @patch("/{connector_id:str}", operation_id="updateDataConnector")
    async def update_data_connector(
        self, connector_id: FromPath[str], data: JSONBody[DataConnectorWrite], uow: Uow, state: State
    ) -> DataConnectorDetail:
        return await service.update(uow, connector_id, data, state.settings)

    @delete("/{connector_id:str}", operation_id="deleteDataConnector", status_code=200)
    async def delete_data_connector(self, connector_id: FromPath[str], uow: Uow) -> DeletedDataConnector:
        return await service.delete(uow, connector_id)

    @get("/{connector_id:str}/execution_results", operation_id="listDataConnectorExecutionResults")
    async def list_data_connector_execution_results(
        self, connector_id: FromPath[str], uow: Uow, request: Request[Any, Any, Any]
    ) -> ExecutionList:
        return await service.list_executions(uow, connector_id, dict(request.query_params))

    @get("/{connector_id:str}/execution_results/{execution_id:str}", operation_id="showDataConnectorExecutionResult")
    async def show_data_connector_execution_result(
        self, connector_id: FromPath[str], execution_id: FromPath[str], uow: Uow
    ) -> ExecutionOut:
        return await service.get_execution(uow, connector_id, execution_id)
