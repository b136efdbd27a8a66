from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.help_center import service
from tidings.help_center.schemas import (
    CollectionList,
    CollectionOut,
    CreateCollectionRequest,
    DeletedCollection,
    HelpCenterList,
    HelpCenterOut,
    HelpCenterSettings,
    UpdateCollectionRequest,
)
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX


class HelpCentersController(Controller):
    path = "/help_center/help_centers"
    tags = ["Help Center"]

    @get("/", operation_id="listHelpCenters")
    async def list_help_centers(self, uow: Uow) -> HelpCenterList:
        return await service.list_help_centers(uow)

    @get("/{help_center_id:str}", operation_id="retrieveHelpCenter")
    async def retrieve_help_center(self, help_center_id: FromPath[str], uow: Uow) -> HelpCenterOut:
        return await service.get_help_center(uow, help_center_id)


class CollectionsController(Controller):
    path = "/help_center/collections"
    tags = ["Help Center"]

    @get("/", operation_id="listAllCollections")
    async def list_all_collections(
        self,
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        help_center_id: FromQuery[int | None] = None,
    ) -> CollectionList:
        return await service.list_collections(uow, page, per_page, help_center_id)

    @post("/", operation_id="createCollection", status_code=200)
    async def create_collection(self, data: JSONBody[CreateCollectionRequest], uow: Uow) -> CollectionOut:
        return await service.create_collection(uow, data)

    @get("/{collection_id:str}", operation_id="retrieveCollection")
    async def retrieve_collection(self, collection_id: FromPath[str], uow: Uow) -> CollectionOut:
        return await service.get_collection(uow, collection_id)

    @put("/{collection_id:str}", operation_id="updateCollection")
    async def update_collection(
        self, collection_id: FromPath[str], data: JSONBody[UpdateCollectionRequest], uow: Uow
    ) -> CollectionOut:
        return await service.update_collection(uow, collection_id, data)

    @delete("/{collection_id:str}", operation_id="deleteCollection", status_code=200)
    async def delete_collection(self, collection_id: FromPath[str], uow: Uow) -> DeletedCollection:
        return await service.delete_collection(uow, collection_id)


class HelpCenterSettingsController(Controller):
    """Management API: what Intercom's Settings > Help Center sets (languages, website, domain)."""

    path = PREFIX + "/workspaces/{ws:str}/help_centers"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/", operation_id="tidingsCreateHelpCenter", status_code=201)
    async def create_help_center(
        self, ws: FromPath[str], data: JSONBody[HelpCenterSettings], tx: ControlTx
    ) -> HelpCenterOut:
        return await service.create_help_center(await workspace_uow(tx, ws), data)

    @put("/{help_center_id:str}", operation_id="tidingsUpdateHelpCenter")
    async def update_help_center(
        self, ws: FromPath[str], help_center_id: FromPath[str], data: JSONBody[HelpCenterSettings], tx: ControlTx
    ) -> HelpCenterOut:
        return await service.update_help_center(await workspace_uow(tx, ws), help_center_id, data)
