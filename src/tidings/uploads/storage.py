"""Uploaded files: what a caller sent as data (a Fin attachment), kept so people can open it later."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, LargeBinary, String, Table, select

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import id_column, metadata, timestamp_column, workspace_column
from tidings.db.storage import Transaction

uploads = Table(
    "uploads",
    metadata,
    id_column(),
    workspace_column(),
    # The unguessable part of the file's URL: whoever has the URL may read the file, as with
    # Intercom's attachment URLs.
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    timestamp_column("created_at"),
)


async def insert_upload(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(uploads).values(**values))


async def find_upload(tx: Transaction, key: str) -> Any:
    """By key alone: the download URL carries no workspace or token."""
    return (await tx.execute(select(uploads).where(uploads.c.key == key))).mappings().first()
