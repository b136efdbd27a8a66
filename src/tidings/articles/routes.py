from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from tidings.articles import service
from tidings.articles.schemas import ArticleList, ArticleOut, ArticleRequest, ArticleSearchResponse, DeletedArticle
from tidings.core.deps import Uow


class ArticlesController(Controller):
    path = "/articles"
    tags = ["Articles"]

    @get("/", operation_id="listArticles")
    async def list_articles(
        self, uow: Uow, page: FromQuery[int | None] = None, per_page: FromQuery[int | None] = None
    ) -> ArticleList:
        return await service.list_articles(uow, page, per_page)

    @post("/", operation_id="createArticle", status_code=200)
    async def create_article(self, data: JSONBody[ArticleRequest], uow: Uow) -> ArticleOut:
        return await service.create(uow, data)

    @get("/search", operation_id="searchArticles")
    async def search_articles(
        self,
        uow: Uow,
        phrase: FromQuery[str | None] = None,
        # `state` is a name Litestar reserves: the handler reads the query parameter under another.
        article_state: Annotated[str | None, QueryParameter(name="state")] = None,
        help_center_id: FromQuery[int | None] = None,
        highlight: FromQuery[bool | None] = None,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> ArticleSearchResponse:
        return await service.search(uow, phrase, article_state, help_center_id, highlight, page, per_page)

    @get("/{article_id:str}", operation_id="retrieveArticle")
    async def retrieve_article(self, article_id: FromPath[str], uow: Uow) -> ArticleOut:
        return await service.get(uow, article_id)

    @put("/{article_id:str}", operation_id="updateArticle")
    async def update_article(self, article_id: FromPath[str], data: JSONBody[ArticleRequest], uow: Uow) -> ArticleOut:
        return await service.update(uow, article_id, data)

    @delete("/{article_id:str}", operation_id="deleteArticle", status_code=200)
    async def delete_article(self, article_id: FromPath[str], uow: Uow) -> DeletedArticle:
        return await service.delete(uow, article_id)
