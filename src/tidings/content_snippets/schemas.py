from __future__ import annotations

from typing import Any

from tidings.core.schemas import UNSET, Out, Request, UnsetType


class ContentSnippetOut(Out, tag="content_snippet"):
    id: str
    title: str | None
    locale: str
    json_blocks: list[dict[str, Any]]
    chatbot_availability: int
    copilot_availability: int
    created_at: int
    updated_at: int


class ContentSnippetList(Out, tag="list"):
    """Paged by number at the top level: no `pages` object [spec: content_snippet_list]."""

    data: list[ContentSnippetOut]
    total_count: int
    page: int
    per_page: int
    total_pages: int


class ContentSnippetRequest(Request):
    title: str | None | UnsetType = UNSET
    json_blocks: Any = UNSET
    locale: str | None | UnsetType = UNSET
    # Fin / Copilot availability: the target's integers, or later versions' booleans.
    chatbot_availability: int | bool | UnsetType = UNSET
    copilot_availability: int | bool | UnsetType = UNSET
    ai_chatbot_availability: bool | UnsetType = UNSET
    ai_copilot_availability: bool | UnsetType = UNSET
