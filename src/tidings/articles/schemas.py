from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class TagList(msgspec.Struct):
    tags: list[Any]
    type: str = "tag.list"


class ArticleStatistics(msgspec.Struct):
    """tidings serves no public help-center pages, so nothing is viewed or reacted to: zeros.
    `conversions` is the schema's name, `conversations` the examples'; both are sent."""

    views: int = 0
    conversions: int = 0
    conversations: int = 0
    reactions: int = 0
    happy_reaction_percentage: float = 0
    neutral_reaction_percentage: float = 0
    sad_reaction_percentage: float = 0
    type: str = "article_statistics"


class ArticleOut(msgspec.Struct):
    id: str
    workspace_id: str
    parent_ids: list[int]
    tags: TagList
    title: str
    description: str
    body: str
    author_id: int
    state: str
    created_at: int
    updated_at: int
    url: str | None
    folder_id: int | None
    type: str = "article"
    # Only on a single article (not in lists or search results).
    statistics: ArticleStatistics | UnsetType = UNSET
    # Only when the help center has more than one language.
    default_locale: str | UnsetType = UNSET
    translated_content: dict[str, Any] | UnsetType = UNSET


class ArticleList(msgspec.Struct):
    data: list[ArticleOut]
    pages: dict[str, Any]
    total_count: int
    type: str = "list"


class HighlightPart(msgspec.Struct):
    type: str
    text: str


class ArticleHighlights(msgspec.Struct):
    article_id: str
    highlighted_title: list[HighlightPart]
    highlighted_summary: list[list[HighlightPart]]


class ArticleSearchData(msgspec.Struct):
    articles: list[ArticleOut]
    highlights: list[ArticleHighlights]


class ArticleSearchResponse(msgspec.Struct):
    total_count: int
    data: ArticleSearchData
    pages: dict[str, Any]
    type: str = "list"


class DeletedArticle(msgspec.Struct):
    id: str
    object: str = "article"
    deleted: bool = True


class ArticleRequest(Request):
    """Create and update share one shape; what create requires is checked by the service."""

    title: str | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    body: str | None | UnsetType = UNSET
    author_id: int | str | None | UnsetType = UNSET
    state: str | None | UnsetType = UNSET
    # An integer on create, a string on update [spec]: both accepted on both.
    parent_id: int | str | None | UnsetType = UNSET
    parent_type: str | None | UnsetType = UNSET
    translated_content: dict[str, Any] | None | UnsetType = UNSET
    folder_id: int | str | None | UnsetType = UNSET
    # Later API versions' availability flags (tidings accepts them on every version).
    ai_chatbot_availability: bool | UnsetType = UNSET
    ai_copilot_availability: bool | UnsetType = UNSET
