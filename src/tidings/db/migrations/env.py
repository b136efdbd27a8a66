"""Alembic environment: one migration chain for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, create_engine, pool
from sqlalchemy.ext.asyncio import create_async_engine

from tidings.db.schema import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


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
