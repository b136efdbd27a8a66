from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class InternalArticleOut(msgspec.Struct):
    id: str
    title: str
    body: str | None
    owner_id: int
    author_id: int
    created_at: int
    updated_at: int
    locale: str
    folder_id: int | None
    type: str = "internal_article"


class InternalArticleList(msgspec.Struct):
    data: list[InternalArticleOut]
    pages: dict[str, Any]
    total_count: int
    type: str = "list"


class InternalArticleSearchData(msgspec.Struct):
    internal_articles: list[InternalArticleOut]


class InternalArticleSearchResponse(msgspec.Struct):
    total_count: int
    data: InternalArticleSearchData
    pages: dict[str, Any]
    type: str = "list"


class DeletedInternalArticle(msgspec.Struct):
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
