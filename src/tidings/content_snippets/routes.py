from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.content_snippets import service
from tidings.content_snippets.schemas import ContentSnippetList, ContentSnippetOut, ContentSnippetRequest
from tidings.core.deps import Uow


class ContentSnippetsController(Controller):
    path = "/content_snippets"
    tags = ["Content Snippets"]

    @get("/", operation_id="listContentSnippets")
    async def list_content_snippets(
        self, uow: Uow, page: FromQuery[int | None] = None, per_page: FromQuery[int | None] = None
    ) -> ContentSnippetList:
        return await service.list_all(uow, page, per_page)

    @post("/", operation_id="createContentSnippet", status_code=201)
    async def create_content_snippet(self, data: JSONBody[ContentSnippetRequest], uow: Uow) -> ContentSnippetOut:
        return await service.create(uow, data)

    @get("/{snippet_id:str}", operation_id="getContentSnippet")
    async def get_content_snippet(self, snippet_id: FromPath[str], uow: Uow) -> ContentSnippetOut:
        return await service.get(uow, snippet_id)

    @put("/{snippet_id:str}", operation_id="updateContentSnippet")
    async def update_content_snippet(
        self, snippet_id: FromPath[str], data: JSONBody[ContentSnippetRequest], uow: Uow
    ) -> ContentSnippetOut:
        return await service.update(uow, snippet_id, data)
