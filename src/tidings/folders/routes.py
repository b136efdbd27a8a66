from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.folders import service
from tidings.folders.schemas import DeletedFolder, FolderList, FolderOut, FolderRequest


class FoldersController(Controller):
    path = "/folders"
    tags = ["Folders"]

    @get("/", operation_id="listFolders")
    async def list_folders(
        self,
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        parent_folder_id: FromQuery[int | None] = None,
    ) -> FolderList:
        return await service.list_folders(uow, page, per_page, parent_folder_id)

    @post("/", operation_id="createFolder", status_code=200)
    async def create_folder(self, data: JSONBody[FolderRequest], uow: Uow) -> FolderOut:
        return await service.create_folder(uow, data)

    @get("/{folder_id:str}", operation_id="retrieveFolder")
    async def retrieve_folder(self, folder_id: FromPath[str], uow: Uow) -> FolderOut:
        return await service.get_folder(uow, folder_id)

    @put("/{folder_id:str}", operation_id="updateFolder")
    async def update_folder(self, folder_id: FromPath[str], data: JSONBody[FolderRequest], uow: Uow) -> FolderOut:
        return await service.update_folder(uow, folder_id, data)

    @delete("/{folder_id:str}", operation_id="deleteFolder", status_code=200)
    async def delete_folder(self, folder_id: FromPath[str], uow: Uow) -> DeletedFolder:
        return await service.delete_folder(uow, folder_id)
