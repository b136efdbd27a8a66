from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.custom_objects import service, type_service
from tidings.custom_objects.schemas import (
    CreateOrUpdateInstanceRequest,
    CreateTypeRequest,
    InstanceDeleted,
    InstanceOut,
    TypeList,
    TypeOut,
    UpdateTypeRequest,
)
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX


class CustomObjectInstancesController(Controller):
    """The spec swaps the two DELETE operationIds relative to what they do (and the SDK copies the swap):
    routes follow the paths and parameters, and carry the spec's operationId for each path and method."""

    path = "/custom_object_instances/{custom_object_type_identifier:str}"
    tags = ["Custom Object Instances"]

    @post("/", operation_id="createCustomObjectInstances", status_code=200)
    async def create_custom_object_instances(
        self, custom_object_type_identifier: FromPath[str], data: JSONBody[CreateOrUpdateInstanceRequest], uow: Uow
    ) -> InstanceOut:
        return await service.create_or_update(uow, custom_object_type_identifier, data)

    @get("/", operation_id="getCustomObjectInstancesByExternalId")
    async def get_custom_object_instances_by_external_id(
        self, custom_object_type_identifier: FromPath[str], uow: Uow, external_id: FromQuery[str | None] = None
    ) -> InstanceOut:
        return await service.get_by_external_id(uow, custom_object_type_identifier, external_id)

    @delete("/", operation_id="deleteCustomObjectInstancesById", status_code=200)
    async def delete_custom_object_instances_by_id(
        self, custom_object_type_identifier: FromPath[str], uow: Uow, external_id: FromQuery[str | None] = None
    ) -> InstanceDeleted:
        # Despite its operationId, this path deletes by ?external_id=.
        return await service.delete_by_external_id(uow, custom_object_type_identifier, external_id)

    @get("/{id:str}", operation_id="getCustomObjectInstancesById")
    async def get_custom_object_instances_by_id(
        self, custom_object_type_identifier: FromPath[str], id: FromPath[str], uow: Uow
    ) -> InstanceOut:
        return await service.get_by_id(uow, custom_object_type_identifier, id)

    @delete("/{id:str}", operation_id="deleteCustomObjectInstancesByExternalId", status_code=200)
    async def delete_custom_object_instances_by_external_id(
        self, custom_object_type_identifier: FromPath[str], id: FromPath[str], uow: Uow
    ) -> InstanceDeleted:
        # Despite its operationId, this path deletes by the Intercom id.
        return await service.delete_by_id(uow, custom_object_type_identifier, id)


class CustomObjectTypesController(Controller):
    """Management API: custom object types (Intercom sets them up in its web UI)."""

    path = PREFIX + "/workspaces/{ws:str}/custom_object_types"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/", operation_id="tidingsCreateCustomObjectType", status_code=201)
    async def create_custom_object_type(
        self, ws: FromPath[str], data: JSONBody[CreateTypeRequest], tx: ControlTx
    ) -> TypeOut:
        return await type_service.create(await workspace_uow(tx, ws), data)

    @get("/", operation_id="tidingsListCustomObjectTypes")
    async def list_custom_object_types(self, ws: FromPath[str], tx: ControlTx) -> TypeList:
        return await type_service.list_all(await workspace_uow(tx, ws))

    @get("/{identifier:str}", operation_id="tidingsGetCustomObjectType")
    async def get_custom_object_type(self, ws: FromPath[str], identifier: FromPath[str], tx: ControlTx) -> TypeOut:
        return await type_service.get(await workspace_uow(tx, ws), identifier)

    @put("/{identifier:str}", operation_id="tidingsUpdateCustomObjectType")
    async def update_custom_object_type(
        self, ws: FromPath[str], identifier: FromPath[str], data: JSONBody[UpdateTypeRequest], tx: ControlTx
    ) -> TypeOut:
        return await type_service.update(await workspace_uow(tx, ws), identifier, data)
