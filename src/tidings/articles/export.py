"""The knowledge areas' part of the content data export: articles (one row per locale),
collections, internal articles and content snippets created in the range."""

from __future__ import annotations

import json
from typing import Any

from tidings.articles.storage import article_contents
from tidings.content_snippets.storage import content_snippets
from tidings.core.uow import UnitOfWork
from tidings.exports.content import ContentGroup, Rows, created_between
from tidings.help_center.storage import collections
from tidings.internal_articles.storage import internal_articles

ARTICLE_COLUMNS = (
    "article_id",
    "locale",
    "title",
    "description",
    "author_id",
    "state",
    "body",
    "created_at",
    "updated_at",
)
COLLECTION_COLUMNS = ("id", "help_center_id", "parent_id", "name", "description", "order", "created_at", "updated_at")
INTERNAL_COLUMNS = ("id", "title", "owner_id", "author_id", "locale", "folder_id", "body", "created_at", "updated_at")
SNIPPET_COLUMNS = (
    "id",
    "title",
    "locale",
    "chatbot_availability",
    "copilot_availability",
    "json_blocks",
    "created_at",
    "updated_at",
)


def _as_json(rows_of: Rows, column: str) -> Rows:
    """A JSON column written as JSON text, not Python's repr."""

    async def rows(uow: UnitOfWork, start: int, end: int) -> list[dict[str, Any]]:
        return [row | {column: json.dumps(row[column], ensure_ascii=False)} for row in await rows_of(uow, start, end)]

    return rows


KNOWLEDGE_GROUPS = [
    ContentGroup("articles.csv", ARTICLE_COLUMNS, created_between(article_contents, ARTICLE_COLUMNS)),
    ContentGroup("collections.csv", COLLECTION_COLUMNS, created_between(collections, COLLECTION_COLUMNS)),
    ContentGroup("internal_articles.csv", INTERNAL_COLUMNS, created_between(internal_articles, INTERNAL_COLUMNS)),
    ContentGroup(
        "content_snippets.csv",
        SNIPPET_COLUMNS,
        _as_json(created_between(content_snippets, SNIPPET_COLUMNS), "json_blocks"),
    ),
]
