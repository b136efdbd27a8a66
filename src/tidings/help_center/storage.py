"""Help centers (workspace set-up, kept on reset) and their collections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, func

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column

help_centers = Table(
    "help_centers",
    metadata,
    id_column(),
    workspace_column(),
    Column("identifier", String(255), nullable=False),
    Column("display_name", String(255), nullable=False),
    Column("website_turned_on", Boolean, nullable=False),
    Column("custom_domain", String(255), nullable=True),
    # The help center's languages, default first: more than one makes content multilingual.
    Column("locales", JsonType, nullable=False),
    Column("is_default", Boolean, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)

collections = Table(
    "collections",
    metadata,
    id_column(),
    workspace_column(),
    Column("help_center_id", ForeignKey("help_centers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("parent_id", ForeignKey("collections.id", ondelete="CASCADE"), nullable=True, index=True),
    # Default-locale name and description; other locales in `translations` ({locale: {name, description}}).
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("translations", JsonType, nullable=False),
    Column("icon", String(64), nullable=True),
    Column("order", Integer, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
)


# Help centers.
async def list_help_centers(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(help_centers).order_by(help_centers.c.id))


async def get_help_center(uow: UnitOfWork, help_center_id: int) -> Any:
    return await uow.one_or_none(uow.select(help_centers).where(help_centers.c.id == help_center_id))


async def default_help_center(uow: UnitOfWork) -> Any:
    table = help_centers
    return await uow.one_or_none(uow.select(table).where(table.c.is_default.is_(True)).order_by(table.c.id).limit(1))


async def insert_help_center(uow: UnitOfWork, values: dict[str, Any]) -> int:
    table = help_centers
    return int((await uow.execute(uow.insert(table).values(**values).returning(table.c.id))).scalar_one())


async def update_help_center(uow: UnitOfWork, help_center_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(help_centers).where(help_centers.c.id == help_center_id).values(**values))


# Collections.
async def get_collection(uow: UnitOfWork, collection_id: int) -> Any:
    return await uow.one_or_none(uow.select(collections).where(collections.c.id == collection_id))


async def get_collections(uow: UnitOfWork, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return await uow.all(uow.select(collections).where(collections.c.id.in_(ids)))


async def all_collections(uow: UnitOfWork) -> list[Any]:
    """Every collection of the workspace (trees are walked in memory: a help center has hundreds at most)."""
    return await uow.all(uow.select(collections))


async def list_collections(uow: UnitOfWork, help_center_id: int | None, offset: int, limit: int) -> list[Any]:
    table = collections
    stmt = uow.select(table)
    if help_center_id is not None:
        stmt = stmt.where(table.c.help_center_id == help_center_id)
    return await uow.all(stmt.order_by(table.c.updated_at.desc(), table.c.id.desc()).offset(offset).limit(limit))


async def count_collections(uow: UnitOfWork, help_center_id: int | None) -> int:
    stmt = uow.select(collections)
    if help_center_id is not None:
        stmt = stmt.where(collections.c.help_center_id == help_center_id)
    return await uow.count(stmt)


async def next_order(uow: UnitOfWork, help_center_id: int, parent_id: int | None) -> int:
    table = collections
    parent = table.c.parent_id.is_(None) if parent_id is None else table.c.parent_id == parent_id
    stmt = uow.select(table, func.max(table.c.order)).where(table.c.help_center_id == help_center_id, parent)
    return int(await uow.scalar(stmt) or 0) + 1


async def insert_collection(uow: UnitOfWork, values: dict[str, Any]) -> int:
    table = collections
    return int((await uow.execute(uow.insert(table).values(**values).returning(table.c.id))).scalar_one())


async def update_collection(uow: UnitOfWork, collection_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(collections).where(collections.c.id == collection_id).values(**values))


async def delete_collections(uow: UnitOfWork, ids: list[int]) -> None:
    if ids:
        await uow.execute(uow.delete(collections).where(collections.c.id.in_(ids)))
