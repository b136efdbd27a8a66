"""What the content data export holds: one CSV per group of the workspace's content.

Each group reads its objects created within the asked range. Intercom's export is about outbound
messages' delivery statistics; tidings exports the content objects themselves (external pages and
their import sources today). An area adds its objects by adding a `ContentGroup` to
`tidings.areas.CONTENT_EXPORT_GROUPS` (articles will).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tidings.ai_content.storage import content_import_sources, external_pages
from tidings.core.uow import UnitOfWork

Rows = Callable[[UnitOfWork, int, int], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class ContentGroup:
    file_name: str
    columns: tuple[str, ...]
    rows: Rows


def _created_between(table: Any, columns: tuple[str, ...]) -> Rows:
    async def rows(uow: UnitOfWork, start: int, end: int) -> list[dict[str, Any]]:
        stmt = uow.select(table, *(table.c[c] for c in columns)).where(table.c.created_at.between(start, end))
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
    ContentGroup("external_pages.csv", PAGE_COLUMNS, _created_between(external_pages, PAGE_COLUMNS)),
    ContentGroup(
        "content_import_sources.csv", SOURCE_COLUMNS, _created_between(content_import_sources, SOURCE_COLUMNS)
    ),
]
