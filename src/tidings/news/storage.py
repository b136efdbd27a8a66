"""News: news items, the newsfeeds they are published to (set up through the management API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, PrimaryKeyConstraint, String, Table, Text, insert

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, BigId, JsonType, id_column, metadata, timestamp_column, workspace_column

newsfeeds = Table(
    "newsfeeds",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)

news_items = Table(
    "news_items",
    metadata,
    id_column(),
    workspace_column(),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("sender_id", BigId, nullable=False),
    Column("state", String(16), nullable=False),
    Column("labels", JsonType, nullable=False),
    Column("cover_image_url", String(2048), nullable=True),
    Column("reactions", JsonType, nullable=False),
    Column("deliver_silently", Boolean, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)

news_item_feeds = Table(
    "news_item_feeds",
    metadata,
    workspace_column(),
    Column("news_item_id", ForeignKey("news_items.id", ondelete="CASCADE"), nullable=False),
    Column("newsfeed_id", ForeignKey("newsfeeds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("published_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("news_item_id", "newsfeed_id", name="pk_news_item_feeds"),
)


# Newsfeeds.
async def get_newsfeed(uow: UnitOfWork, newsfeed_id: int) -> Any:
    return await uow.one_or_none(uow.select(newsfeeds).where(newsfeeds.c.id == newsfeed_id))


async def newsfeed_page(uow: UnitOfWork, offset: int, limit: int) -> list[Any]:
    return await uow.all(uow.select(newsfeeds).order_by(newsfeeds.c.id).offset(offset).limit(limit))


async def count_newsfeeds(uow: UnitOfWork) -> int:
    return await uow.count(uow.select(newsfeeds))


async def insert_newsfeed(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(newsfeeds).values(**values).returning(newsfeeds.c.id))).scalar_one())


# News items.
async def get_item(uow: UnitOfWork, item_id: int) -> Any:
    return await uow.one_or_none(uow.select(news_items).where(news_items.c.id == item_id))


async def item_page(uow: UnitOfWork, offset: int, limit: int) -> list[Any]:
    table = news_items
    return await uow.all(uow.select(table).order_by(table.c.id.desc()).offset(offset).limit(limit))


async def count_items(uow: UnitOfWork) -> int:
    return await uow.count(uow.select(news_items))


def _live_on(uow: UnitOfWork, newsfeed_id: int) -> Any:
    feeds = news_item_feeds
    return (
        uow.select(news_items, news_items, feeds.c.published_at)
        .join(feeds, feeds.c.news_item_id == news_items.c.id)
        .where(feeds.c.newsfeed_id == newsfeed_id, news_items.c.state == "live")
    )


async def live_page(uow: UnitOfWork, newsfeed_id: int, offset: int, limit: int) -> list[Any]:
    stmt = _live_on(uow, newsfeed_id).order_by(news_item_feeds.c.published_at.desc(), news_items.c.id.desc())
    return await uow.all(stmt.offset(offset).limit(limit))


async def count_live(uow: UnitOfWork, newsfeed_id: int) -> int:
    return await uow.count(_live_on(uow, newsfeed_id))


async def insert_item(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(news_items).values(**values).returning(news_items.c.id))).scalar_one())


async def update_item(uow: UnitOfWork, item_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(news_items).where(news_items.c.id == item_id).values(**values))


async def delete_item(uow: UnitOfWork, item_id: int) -> None:
    await uow.execute(uow.delete(news_items).where(news_items.c.id == item_id))


async def assignments_of(uow: UnitOfWork, item_ids: list[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        table = news_item_feeds
        stmt = uow.select(table).where(table.c.news_item_id.in_(item_ids)).order_by(table.c.newsfeed_id)
        for row in await uow.all(stmt):
            found[int(row["news_item_id"])].append(row)
    return found


async def set_assignments(uow: UnitOfWork, item_id: int, rows: list[dict[str, Any]]) -> None:
    table = news_item_feeds
    await uow.execute(uow.delete(table).where(table.c.news_item_id == item_id))
    if rows:
        values = [{"workspace_id": uow.workspace_id, "news_item_id": item_id} | row for row in rows]
        await uow.execute(insert(table).values(values))
