from __future__ import annotations

from tidings.core.paging import Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class InternalArticleOut(Out, tag="internal_article"):
    id: str
    title: str
    body: str | None
    owner_id: int
    author_id: int
    created_at: int
    updated_at: int
    locale: str
    folder_id: int | None


class InternalArticleList(Out, tag="list"):
    data: list[InternalArticleOut]
    pages: Pages
    total_count: int


class InternalArticleSearchData(PlainOut):
    internal_articles: list[InternalArticleOut]


class InternalArticleSearchResponse(Out, tag="list"):
    total_count: int
    data: InternalArticleSearchData
    pages: Pages


class DeletedInternalArticle(PlainOut):
    id: str
    object: str = "internal_article"
    deleted: bool = True


class InternalArticleRequest(Request):
    title: str | None | UnsetType = UNSET
    body: str | None | UnsetType = UNSET
    author_id: int | str | None | UnsetType = UNSET
    owner_id: int | str | None | UnsetType = UNSET
    folder_id: int | str | None | UnsetType = UNSET
    # Later API versions' availability flags.
    ai_chatbot_availability: bool | UnsetType = UNSET
    ai_copilot_availability: bool | UnsetType = UNSET
