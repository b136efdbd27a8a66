from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.core.deps import Uow
from tidings.management.deps import ControlTx, provide_control_tx, workspace_uow
from tidings.management.routes import PREFIX
from tidings.news import service
from tidings.news.schemas import (
    CreateNewsfeed,
    DeletedNewsItem,
    NewsfeedList,
    NewsfeedOut,
    NewsItemList,
    NewsItemOut,
    NewsItemRequest,
)


class NewsItemsController(Controller):
    path = "/news/news_items"
    tags = ["News"]

    @get("/", operation_id="listNewsItems")
    async def list_news_items(
        self, uow: Uow, page: FromQuery[int | None] = None, per_page: FromQuery[int | None] = None
    ) -> NewsItemList:
        return await service.list_items(uow, page, per_page)

    @post("/", operation_id="createNewsItem", status_code=200)
    async def create_news_item(self, data: JSONBody[NewsItemRequest], uow: Uow) -> NewsItemOut:
        return await service.create_item(uow, data)

    @get("/{item_id:str}", operation_id="retrieveNewsItem")
    async def retrieve_news_item(self, item_id: FromPath[str], uow: Uow) -> NewsItemOut:
        return await service.get_item(uow, item_id)

    @put("/{item_id:str}", operation_id="updateNewsItem")
    async def update_news_item(self, item_id: FromPath[str], data: JSONBody[NewsItemRequest], uow: Uow) -> NewsItemOut:
        return await service.update_item(uow, item_id, data)

    @delete("/{item_id:str}", operation_id="deleteNewsItem", status_code=200)
    async def delete_news_item(self, item_id: FromPath[str], uow: Uow) -> DeletedNewsItem:
        return await service.delete_item(uow, item_id)


class NewsfeedsController(Controller):
    path = "/news/newsfeeds"
    tags = ["News"]

    @get("/", operation_id="listNewsfeeds")
    async def list_newsfeeds(
        self, uow: Uow, page: FromQuery[int | None] = None, per_page: FromQuery[int | None] = None
    ) -> NewsfeedList:
        return await service.list_newsfeeds(uow, page, per_page)

    @get("/{newsfeed_id:str}", operation_id="retrieveNewsfeed")
    async def retrieve_newsfeed(self, newsfeed_id: FromPath[str], uow: Uow) -> NewsfeedOut:
        return await service.get_newsfeed(uow, newsfeed_id)

    @get("/{newsfeed_id:str}/items", operation_id="listLiveNewsfeedItems")
    async def list_live_newsfeed_items(
        self,
        newsfeed_id: FromPath[str],
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> NewsItemList:
        return await service.live_items(uow, newsfeed_id, page, per_page)


class NewsfeedSettingsController(Controller):
    """Management API: newsfeeds cannot be made through Intercom's API."""

    path = PREFIX + "/workspaces/{ws:str}/newsfeeds"
    dependencies = {"tx": Provide(provide_control_tx)}

    @post("/", operation_id="tidingsCreateNewsfeed", status_code=201)
    async def create_newsfeed(self, ws: FromPath[str], data: JSONBody[CreateNewsfeed], tx: ControlTx) -> NewsfeedOut:
        return await service.create_newsfeed(await workspace_uow(tx, ws), data)
