"""Articles: one row per article, its content per locale, and the collections it sits in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    or_,
)

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, id_column, metadata, timestamp_column, workspace_column

articles = Table(
    "articles",
    metadata,
    id_column(),
    workspace_column(),
    # The locale the article was written in: its top-level fields are this locale's content.
    Column("default_locale", String(8), nullable=False),
    Column("folder_id", ForeignKey("folders.id", ondelete="SET NULL"), nullable=True, index=True),
    # Fin's and Copilot's use of the article's published content (later API versions' flags).
    Column("ai_agent_availability", Boolean, nullable=False),
    Column("ai_copilot_availability", Boolean, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_articles_workspace_updated", "workspace_id", "updated_at"),
)

article_contents = Table(
    "article_contents",
    metadata,
    id_column(),
    workspace_column(),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("author_id", BigId, nullable=False),
    Column("state", String(16), nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    UniqueConstraint("article_id", "locale", name="uq_article_contents_article_locale"),
)

article_collections = Table(
    "article_collections",
    metadata,
    workspace_column(),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("collection_id", ForeignKey("collections.id", ondelete="CASCADE"), nullable=False, index=True),
    PrimaryKeyConstraint("article_id", "collection_id", name="pk_article_collections"),
)


async def get_article(uow: UnitOfWork, article_id: int) -> Any:
    return await uow.one_or_none(uow.select(articles).where(articles.c.id == article_id))


async def insert_article(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(articles).values(**values).returning(articles.c.id))).scalar_one())


async def update_article(uow: UnitOfWork, article_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(articles).where(articles.c.id == article_id).values(**values))


async def delete_article(uow: UnitOfWork, article_id: int) -> None:
    await uow.execute(uow.delete(articles).where(articles.c.id == article_id))


async def article_ids(uow: UnitOfWork) -> list[int]:
    return [int(r["id"]) for r in await uow.all(uow.select(articles, articles.c.id))]


async def list_articles(uow: UnitOfWork, ids: list[int] | None, offset: int, limit: int) -> list[Any]:
    stmt = uow.select(articles)
    if ids is not None:
        stmt = stmt.where(articles.c.id.in_(ids))
    return await uow.all(stmt.order_by(articles.c.updated_at.desc(), articles.c.id.desc()).offset(offset).limit(limit))


async def count_articles(uow: UnitOfWork) -> int:
    return await uow.count(uow.select(articles))


async def contents_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Any]]:
    """Each article's locales, by article id."""
    found: dict[int, list[Any]] = {article_id: [] for article_id in ids}
    if ids:
        table = article_contents
        for row in await uow.all(uow.select(table).where(table.c.article_id.in_(ids)).order_by(table.c.id)):
            found[int(row["article_id"])].append(row)
    return found


async def insert_content(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(article_contents).values(**values))


async def update_content(uow: UnitOfWork, content_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(article_contents).where(article_contents.c.id == content_id).values(**values))


async def parents_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {article_id: [] for article_id in ids}
    if ids:
        table = article_collections
        stmt = uow.select(table).where(table.c.article_id.in_(ids)).order_by(table.c.collection_id)
        for row in await uow.all(stmt):
            found[int(row["article_id"])].append(int(row["collection_id"]))
    return found


async def set_parents(uow: UnitOfWork, article_id: int, collection_ids: list[int]) -> None:
    table = article_collections
    await uow.execute(uow.delete(table).where(table.c.article_id == article_id))
    if collection_ids:
        rows = [
            {"workspace_id": uow.workspace_id, "article_id": article_id, "collection_id": c} for c in collection_ids
        ]
        await uow.execute(insert(table).values(rows))


async def articles_in(uow: UnitOfWork, collection_ids: list[int]) -> list[int]:
    table = article_collections
    stmt = uow.select(table, table.c.article_id).where(table.c.collection_id.in_(collection_ids)).distinct()
    return [int(r["article_id"]) for r in await uow.all(stmt)]


async def search_candidates(uow: UnitOfWork, terms: list[str], states: tuple[str, ...]) -> list[Any]:
    """Content rows (any locale) in one of `states` holding any of the terms (case-insensitive);
    no terms: every such row."""
    table = article_contents
    stmt = uow.select(table).where(table.c.state.in_(states))
    if terms:
        text = table.c.title + " " + table.c.description + " " + table.c.body
        stmt = stmt.where(or_(*(text.ilike(f"%{_escape(term)}%", escape="\\") for term in terms)))
    return await uow.all(stmt)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
