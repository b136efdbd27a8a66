"""Folders: a tree organising articles and internal articles (not part of the public help center)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, Text

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import id_column, metadata, timestamp_column, workspace_column

folders = Table(
    "folders",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("emoji", String(32), nullable=True),
    # NO ACTION, not RESTRICT: a reset deletes a whole tree in one statement.
    Column("parent_folder_id", ForeignKey("folders.id"), nullable=True, index=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)


async def get_folder(uow: UnitOfWork, folder_id: int) -> Any:
    return await uow.one_or_none(uow.select(folders).where(folders.c.id == folder_id))


async def all_folders(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(folders).order_by(folders.c.id))


def _filtered(uow: UnitOfWork, parent_folder_id: int | None) -> Any:
    stmt = uow.select(folders)
    return stmt if parent_folder_id is None else stmt.where(folders.c.parent_folder_id == parent_folder_id)


async def list_folders(uow: UnitOfWork, parent_folder_id: int | None, offset: int, limit: int) -> list[Any]:
    return await uow.all(_filtered(uow, parent_folder_id).order_by(folders.c.id).offset(offset).limit(limit))


async def count_folders(uow: UnitOfWork, parent_folder_id: int | None) -> int:
    return await uow.count(_filtered(uow, parent_folder_id))


async def insert_folder(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(folders).values(**values).returning(folders.c.id))).scalar_one())


async def update_folder(uow: UnitOfWork, folder_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(folders).where(folders.c.id == folder_id).values(**values))


async def delete_folder(uow: UnitOfWork, folder_id: int) -> None:
    await uow.execute(uow.delete(folders).where(folders.c.id == folder_id))
