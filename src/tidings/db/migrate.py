"""Applying migrations from code: `tidings serve` runs them on start, `tidings migrate` on demand."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine
from sqlalchemy.ext.asyncio import create_async_engine

INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str) -> Config:
    config = Config(str(INI))
    config.set_main_option("script_location", str(INI.with_name("migrations")))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current_revision(url: str) -> str | None:
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.connect() as conn:
            revision = _current(conn)
        engine.dispose()
        return revision

    async def read() -> str | None:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            revision = await conn.run_sync(_current)
        await engine.dispose()
        return revision

    return asyncio.run(read())
