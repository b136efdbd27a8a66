"""What the content data export holds: one CSV per group of the workspace's content.

Each group reads its objects created within the asked range. Intercom's export is about outbound
messages' delivery statistics; tidings exports the content objects themselves: articles (one row
per article and locale), external pages and their import sources. Another area adds its objects by
adding a `ContentGroup` to `tidings.areas.CONTENT_EXPORT_GROUPS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tidings.ai_content.storage import EXTERNAL_PAGE, content_import_sources, external_pages
from tidings.articles.storage import article_contents, articles
from tidings.core.uow import UnitOfWork

Rows = Callable[[UnitOfWork, int, int], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class ContentGroup:
    file_name: str
    columns: tuple[str, ...]
    rows: Rows


def _created_between(table: Any, columns: tuple[str, ...], *where: Any) -> Rows:
    async def rows(uow: UnitOfWork, start: int, end: int) -> list[dict[str, Any]]:
        stmt = uow.select(table, *(table.c[c] for c in columns)).where(table.c.created_at.between(start, end), *where)
        return [dict(r) for r in await uow.all(stmt.order_by(table.c.id))]

    return rows


PAGE_COLUMNS = (
    "id",
    "source_id",
    "external_id",
    "title",
    "url",
    "locale",
    "ai_agent_availability",
    "ai_copilot_availability",
    "html",
    "created_at",
    "updated_at",
)
SOURCE_COLUMNS = ("id", "url", "sync_behavior", "status", "created_at", "updated_at")

AI_CONTENT_GROUPS = [
    # Imported pages only: the library's other kinds (articles fed to Fin) are exported by their own group.
    ContentGroup(
        "external_pages.csv",
        PAGE_COLUMNS,
        _created_between(external_pages, PAGE_COLUMNS, external_pages.c.kind == EXTERNAL_PAGE),
    ),
    ContentGroup(
        "content_import_sources.csv", SOURCE_COLUMNS, _created_between(content_import_sources, SOURCE_COLUMNS)
    ),
]


ARTICLE_COLUMNS = (
    "article_id",
    "locale",
    "default_locale",
    "state",
    "title",
    "description",
    "body",
    "author_id",
    "created_at",
    "updated_at",
)


async def _article_rows(uow: UnitOfWork, start: int, end: int) -> list[dict[str, Any]]:
    """Each article created in range, once per locale it is written in."""
    a, c = articles, article_contents
    stmt = (
        uow.select(a, c.c.article_id, c.c.locale, a.c.default_locale, c.c.state, c.c.title, c.c.description)
        .add_columns(c.c.body, c.c.author_id, c.c.created_at, c.c.updated_at)
        .join(c, c.c.article_id == a.c.id)
        .where(a.c.created_at.between(start, end))
        .order_by(a.c.id, c.c.locale)
    )
    return [dict(r) for r in await uow.all(stmt)]


ARTICLE_GROUPS = [ContentGroup("articles.csv", ARTICLE_COLUMNS, _article_rows)]
