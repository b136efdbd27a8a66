from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.data_attributes import service
from tidings.data_attributes.schemas import (
    CreateDataAttributeRequest,
    DataAttributeList,
    DataAttributeOut,
    UpdateDataAttributeRequest,
)


class DataAttributesController(Controller):
    path = "/data_attributes"
    tags = ["Data Attributes"]

    @get("/", operation_id="lisDataAttributes")
    async def lis_data_attributes(
        self, uow: Uow, model: FromQuery[str | None] = None, include_archived: FromQuery[bool] = False
    ) -> DataAttributeList:
        return await service.list_all(uow, model, include_archived)

    @post("/", operation_id="createDataAttribute", status_code=200)
    async def create_data_attribute(self, data: JSONBody[CreateDataAttributeRequest], uow: Uow) -> DataAttributeOut:
        return await service.create(uow, data)

    @put("/{attribute_id:str}", operation_id="updateDataAttribute")
    async def update_data_attribute(
        self, attribute_id: FromPath[str], data: JSONBody[UpdateDataAttributeRequest], uow: Uow
    ) -> DataAttributeOut:
        return await service.update(uow, attribute_id, data)
