from __future__ import annotations

from typing import Any

from tidings.core.paging import Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class TagList(Out, tag="tag.list"):
    tags: list[Any]


class ArticleStatistics(Out, tag="article_statistics"):
    """tidings serves no public help-center pages, so nothing is viewed or reacted to: zeros.
    `conversions` is the schema's name, `conversations` the examples'; both are sent."""

    views: int = 0
    conversions: int = 0
    conversations: int = 0
    reactions: int = 0
    happy_reaction_percentage: float = 0
    neutral_reaction_percentage: float = 0
    sad_reaction_percentage: float = 0


class ArticleOut(Out, tag="article"):
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
    # Only on a single article (not in lists or search results).
    statistics: ArticleStatistics | UnsetType = UNSET
    # Only when the help center has more than one language.
    default_locale: str | UnsetType = UNSET
    translated_content: dict[str, Any] | UnsetType = UNSET


class ArticleList(Out, tag="list"):
    data: list[ArticleOut]
    pages: Pages
    total_count: int


class HighlightPart(PlainOut):
    type: str
    text: str


class ArticleHighlights(PlainOut):
    article_id: str
    highlighted_title: list[HighlightPart]
    highlighted_summary: list[list[HighlightPart]]


class ArticleSearchData(PlainOut):
    articles: list[ArticleOut]
    highlights: list[ArticleHighlights]


class ArticleSearchResponse(Out, tag="list"):
    total_count: int
    data: ArticleSearchData
    pages: Pages


class DeletedArticle(PlainOut):
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
