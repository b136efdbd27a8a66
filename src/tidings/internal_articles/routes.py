from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.internal_articles import service
from tidings.internal_articles.schemas import (
    DeletedInternalArticle,
    InternalArticleList,
    InternalArticleOut,
    InternalArticleRequest,
    InternalArticleSearchResponse,
)


class InternalArticlesController(Controller):
    path = "/internal_articles"
    tags = ["Internal Articles"]

    @get("/", operation_id="listInternalArticles")
    async def list_internal_articles(
        self, uow: Uow, page: FromQuery[int | None] = None, per_page: FromQuery[int | None] = None
    ) -> InternalArticleList:
        return await service.list_all(uow, page, per_page)

    @post("/", operation_id="createInternalArticle", status_code=200)
    async def create_internal_article(self, data: JSONBody[InternalArticleRequest], uow: Uow) -> InternalArticleOut:
        return await service.create(uow, data)

    @get("/search", operation_id="searchInternalArticles")
    async def search_internal_articles(
        self,
        uow: Uow,
        folder_id: FromQuery[str | None] = None,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> InternalArticleSearchResponse:
        return await service.search(uow, folder_id, page, per_page)

    @get("/{article_id:str}", operation_id="retrieveInternalArticle")
    async def retrieve_internal_article(self, article_id: FromPath[str], uow: Uow) -> InternalArticleOut:
        return await service.get(uow, article_id)

    @put("/{article_id:str}", operation_id="updateInternalArticle")
    async def update_internal_article(
        self, article_id: FromPath[str], data: JSONBody[InternalArticleRequest], uow: Uow
    ) -> InternalArticleOut:
        return await service.update(uow, article_id, data)

    @delete("/{article_id:str}", operation_id="deleteInternalArticle", status_code=200)
    async def delete_internal_article(self, article_id: FromPath[str], uow: Uow) -> DeletedInternalArticle:
        return await service.delete(uow, article_id)
