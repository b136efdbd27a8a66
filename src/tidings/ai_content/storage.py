"""AI content: content import sources, external pages, and the passages the retrieval index is built on.

The full-text index itself is not a `Table` here: SQLite keeps it in an FTS5 virtual table
(`content_passages_fts`, kept in step with `content_passages` by triggers) and PostgreSQL in a
generated `tsv` column with a GIN index; both are created by the area's migration, so every write to
`content_passages` updates the index in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import id_column, metadata, timestamp_column, workspace_column

EXTERNAL_PAGE = "external_page"

content_import_sources = Table(
    "content_import_sources",
    metadata,
    id_column(),
    workspace_column(),
    Column("url", String(2048), nullable=False),
    Column("sync_behavior", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    timestamp_column("last_synced_at"),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)

external_pages = Table(
    "external_pages",
    metadata,
    id_column(),
    workspace_column(),
    # What the page is: an imported `external_page`, or knowledge content fed in by its own area
    # (`article`, `internal_article`, `content_snippet`; `tidings.ai_content.library`), which has no
    # import source. One table, so every retriever reads every kind the same way.
    Column("kind", String(32), nullable=False, server_default=EXTERNAL_PAGE),
    Column(
        "source_id",
        ForeignKey("content_import_sources.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("external_id", String(255), nullable=False),
    Column("title", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("url", String(2048), nullable=True),
    Column("locale", String(16), nullable=False),
    Column("ai_agent_availability", Boolean, nullable=False),
    Column("ai_copilot_availability", Boolean, nullable=False),
    # What the page's content was when last indexed: an unchanged write re-indexes nothing.
    Column("content_hash", String(64), nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    timestamp_column("last_ingested_at"),
    UniqueConstraint("source_id", "external_id", name="uq_external_pages_source_external_id"),
    Index("ix_external_pages_workspace_id_id", "workspace_id", "id"),
    Index("ix_external_pages_workspace_kind_external_id", "workspace_id", "kind", "external_id"),
)

# One row per passage version; `sqlite_autoincrement` keeps ids from being reused, which the
# FTS5 index's rowids rely on.
content_passages = Table(
    "content_passages",
    metadata,
    id_column(),
    workspace_column(),
    Column("page_id", ForeignKey("external_pages.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("heading", Text, nullable=True),
    Column("text", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    # Words in title, heading and text: the length BM25 normalises by.
    Column("length", Integer, nullable=False),
    # float32 little-endian vector, computed once per passage version by the configured embedder.
    Column("embedding", LargeBinary, nullable=True),
    Column("embedding_model", String(255), nullable=True),
    sqlite_autoincrement=True,
)


# Document frequencies for BM25 on PostgreSQL, whose full-text index cannot tell them: per workspace,
# how many passages hold each lexeme; the row with the empty term holds the passage count and their
# total length. Maintained by statement triggers on content_passages (see the migration), so every
# path that adds or removes passages, cascades included, keeps it exact. SQLite's FTS5 keeps its own.
content_terms = Table(
    "content_terms",
    metadata,
    workspace_column(),
    Column("term", Text, nullable=False),
    Column("passages", BigInteger, nullable=False),
    Column("words", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "term", name="pk_content_terms"),
)


async def lock_library(uow: UnitOfWork) -> None:
    """Serialise writes to one workspace's library, taken before any other lock, so the term
    statistics the triggers update can never deadlock between concurrent writers."""
    await uow.serialise("ai_content")


# Sources.
async def get_source(uow: UnitOfWork, source_id: int) -> Any:
    return await uow.one_or_none(uow.select(content_import_sources).where(content_import_sources.c.id == source_id))


async def list_sources(uow: UnitOfWork, offset: int, limit: int) -> list[Any]:
    table = content_import_sources
    return await uow.all(uow.select(table).order_by(table.c.id).offset(offset).limit(limit))


async def count_sources(uow: UnitOfWork) -> int:
    return await uow.count(uow.select(content_import_sources))


async def insert_source(uow: UnitOfWork, values: dict[str, Any]) -> int:
    table = content_import_sources
    return int((await uow.execute(uow.insert(table).values(**values).returning(table.c.id))).scalar_one())


async def update_source(uow: UnitOfWork, source_id: int, values: dict[str, Any]) -> None:
    table = content_import_sources
    await uow.execute(uow.update(table).where(table.c.id == source_id).values(**values))


async def delete_source(uow: UnitOfWork, source_id: int) -> None:
    # Pages and their passages go with it (ON DELETE CASCADE; the FTS5 triggers follow).
    await uow.execute(uow.delete(content_import_sources).where(content_import_sources.c.id == source_id))


# Pages.
def _imported(uow: UnitOfWork) -> Any:
    """External pages proper: the library's rows of other kinds belong to their own areas."""
    return uow.select(external_pages).where(external_pages.c.kind == EXTERNAL_PAGE)


async def get_page(uow: UnitOfWork, page_id: int) -> Any:
    return await uow.one_or_none(_imported(uow).where(external_pages.c.id == page_id))


async def find_page(uow: UnitOfWork, source_id: int, external_id: str) -> Any:
    table = external_pages
    return await uow.one_or_none(
        _imported(uow).where(table.c.source_id == source_id, table.c.external_id == external_id)
    )


async def list_pages(uow: UnitOfWork, offset: int, limit: int) -> list[Any]:
    table = external_pages
    return await uow.all(_imported(uow).order_by(table.c.id).offset(offset).limit(limit))


async def count_pages(uow: UnitOfWork) -> int:
    return await uow.count(_imported(uow))


async def claim_page(uow: UnitOfWork, values: dict[str, Any]) -> int | None:
    """Insert the page unless (source_id, external_id) exists; the new id, or None when it existed.

    ON CONFLICT DO NOTHING makes concurrent upserts of one external_id safe on both databases: the
    loser of the race inserts nothing and goes on to update the winner's row.
    """
    dialect_insert = pg_insert if uow.dialect == "postgresql" else sqlite_insert
    stmt = (
        uow.numbered(dialect_insert(external_pages), external_pages)
        .values(workspace_id=uow.workspace_id, **values)
        .on_conflict_do_nothing(index_elements=["source_id", "external_id"])
        .returning(external_pages.c.id)
    )
    return (await uow.execute(stmt)).scalar_one_or_none()


async def update_page(uow: UnitOfWork, page_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(external_pages).where(external_pages.c.id == page_id).values(**values))


async def delete_page(uow: UnitOfWork, page_id: int) -> None:
    await uow.execute(uow.delete(external_pages).where(external_pages.c.id == page_id))


# Knowledge content (library pages of other kinds), found by kind and the owner's key.
async def find_library_pages(
    uow: UnitOfWork, kind: str, keys: list[str] | None = None, prefix: str | None = None
) -> list[Any]:
    table = external_pages
    stmt = uow.select(table).where(table.c.kind == kind)
    if keys is not None:
        stmt = stmt.where(table.c.external_id.in_(keys))
    if prefix is not None:
        stmt = stmt.where(table.c.external_id.startswith(prefix, autoescape=True))
    return await uow.all(stmt)


async def insert_library_page(uow: UnitOfWork, values: dict[str, Any]) -> int:
    table = external_pages
    return int((await uow.execute(uow.insert(table).values(**values).returning(table.c.id))).scalar_one())


async def delete_pages(uow: UnitOfWork, page_ids: list[int]) -> None:
    if page_ids:
        await uow.execute(uow.delete(external_pages).where(external_pages.c.id.in_(page_ids)))


# Passages.
async def page_passages(uow: UnitOfWork, page_id: int) -> list[Any]:
    table = content_passages
    columns = (table.c.id, table.c.digest, table.c.position)
    return await uow.all(uow.select(table, *columns).where(table.c.page_id == page_id))


async def insert_passages(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    # One multi-row statement: the statement triggers then see the page's passages at once.
    if rows:
        await uow.execute(insert(content_passages).values(rows))


async def delete_passages(uow: UnitOfWork, passage_ids: list[int]) -> None:
    if passage_ids:
        await uow.execute(uow.delete(content_passages).where(content_passages.c.id.in_(passage_ids)))


async def move_passage(uow: UnitOfWork, passage_id: int, position: int) -> None:
    await uow.execute(uow.update(content_passages).where(content_passages.c.id == passage_id).values(position=position))


async def passages_without_embedding(uow: UnitOfWork, model: str, limit: int) -> list[Any]:
    table = content_passages
    stmt = (
        uow.select(table, table.c.id, table.c.title, table.c.heading, table.c.text)
        .where((table.c.embedding_model.is_(None)) | (table.c.embedding_model != model))
        .order_by(table.c.id)
        .limit(limit)
    )
    return await uow.all(stmt)


async def store_embedding(uow: UnitOfWork, passage_id: int, vector: bytes, model: str) -> None:
    await uow.execute(
        uow.update(content_passages)
        .where(content_passages.c.id == passage_id)
        .values(embedding=vector, embedding_model=model)
    )


async def passage_version(uow: UnitOfWork) -> tuple[int, int]:
    """(count, max id) of the workspace's passages: changes whenever any passage is added or removed
    (ids only grow). On PostgreSQL the count comes from the term statistics, not a scan."""
    table = content_passages
    newest = await uow.scalar(uow.select(table, table.c.id).order_by(table.c.id.desc()).limit(1))
    if uow.dialect == "postgresql":
        terms = content_terms
        count = await uow.scalar(uow.select(terms, terms.c.passages).where(terms.c.term == ""))
    else:
        count = await uow.scalar(uow.select(table, func.count()))
    return int(count or 0), int(newest or 0)
