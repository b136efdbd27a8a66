"""Alembic environment: one migration chain for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool
from sqlalchemy.ext.asyncio import create_async_engine

import tidings.areas  # noqa: F401 - the table registry (`TABLE_MODULES`): every table in `metadata`
from tidings.db.metadata import metadata

# Indexes a migration creates by hand (GIN, expression or collation indexes, one dialect only):
# autogenerate must not propose dropping them.
MANUAL_INDEXES = frozenset(
    {
        "ix_contacts_custom_attributes",
        "ix_contacts_name_prefix",
        "ix_content_passages_tsv",
        # PostgreSQL's trigram indexes of the inbox's search (migration 0840).
        "ix_conversations_source_body_trgm",
        "ix_conversations_title_trgm",
        "ix_conversation_parts_body_trgm",
    }
)

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate leaves alone the dialect-specific indexes migrations create by hand (`MANUAL_INDEXES`)."""
    return not (type_ == "index" and reflected and compare_to is None and name in MANUAL_INDEXES)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Full-text indexes (FTS5 tables with their shadow tables, tsvector columns) are written by hand
    in migrations; autogenerate must not try to drop what the metadata does not describe."""
    if type_ == "table" and name and (name.endswith("_fts") or "_fts_" in name):
        return False
    return not (type_ == "column" and name == "tsv")


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()
elif url.startswith("sqlite"):
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_with(conn)
    engine.dispose()
else:
    asyncio.run(run_async())
