from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.ai_content import service
from tidings.ai_content.schemas import (
    ContentImportSourceList,
    ContentImportSourceOut,
    CreateContentImportSourceRequest,
    CreateExternalPageRequest,
    ExternalPageList,
    ExternalPageOut,
    UpdateContentImportSourceRequest,
    UpdateExternalPageRequest,
)
from tidings.core.deps import Uow
from tidings.core.paging import next_page_url


class ContentImportSourcesController(Controller):
    path = "/ai/content_import_sources"
    tags = ["AI Content"]

    @get("/", operation_id="listContentImportSources")
    async def list_content_import_sources(
        self,
        request: Request[Any, Any, Any],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> ContentImportSourceList:
        return await service.list_sources(uow, page, per_page, next_page_url(request))

    @post("/", operation_id="createContentImportSource", status_code=200)
    async def create_content_import_source(
        self, data: JSONBody[CreateContentImportSourceRequest], uow: Uow
    ) -> ContentImportSourceOut:
        return await service.create_source(uow, data)

    @get("/{source_id:str}", operation_id="getContentImportSource")
    async def get_content_import_source(self, source_id: FromPath[str], uow: Uow) -> ContentImportSourceOut:
        return await service.get_source(uow, source_id)

    @put("/{source_id:str}", operation_id="updateContentImportSource")
    async def update_content_import_source(
        self, source_id: FromPath[str], data: JSONBody[UpdateContentImportSourceRequest], uow: Uow
    ) -> ContentImportSourceOut:
        return await service.update_source(uow, source_id, data)

    @delete("/{source_id:str}", operation_id="deleteContentImportSource", status_code=204)
    async def delete_content_import_source(self, source_id: FromPath[str], uow: Uow) -> None:
        await service.delete_source(uow, source_id)


class ExternalPagesController(Controller):
    path = "/ai/external_pages"
    tags = ["AI Content"]

    @get("/", operation_id="listExternalPages")
    async def list_external_pages(
        self,
        request: Request[Any, Any, Any],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> ExternalPageList:
        return await service.list_pages(uow, page, per_page, next_page_url(request))

    @post("/", operation_id="createExternalPage", status_code=200)
    async def create_external_page(self, data: JSONBody[CreateExternalPageRequest], uow: Uow) -> ExternalPageOut:
        return await service.create_page(uow, data)

    @get("/{page_id:str}", operation_id="getExternalPage")
    async def get_external_page(self, page_id: FromPath[str], uow: Uow) -> ExternalPageOut:
        return await service.get_page(uow, page_id)

    @put("/{page_id:str}", operation_id="updateExternalPage")
    async def update_external_page(
        self, page_id: FromPath[str], data: JSONBody[UpdateExternalPageRequest], uow: Uow
    ) -> ExternalPageOut:
        return await service.update_page(uow, page_id, data)

    @delete("/{page_id:str}", operation_id="deleteExternalPage", status_code=200)
    async def delete_external_page(self, page_id: FromPath[str], uow: Uow) -> ExternalPageOut:
        return await service.delete_page(uow, page_id)
