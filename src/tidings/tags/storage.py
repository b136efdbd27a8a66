"""Tags: workspace-wide labels. Names are unique per workspace, case-insensitively."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, Table, UniqueConstraint, bindparam, select

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import id_column, metadata, timestamp_column, workspace_column
from tidings.db.prepared import PreparedRead

tags = Table(
    "tags",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("name_key", String(255), nullable=False),
    timestamp_column("created_at"),
    UniqueConstraint("workspace_id", "name_key", name="uq_tags_workspace_name"),
)


def name_key(name: str) -> str:
    return name.strip().casefold()


TAG_BY_ID = PreparedRead(
    lambda: select(tags).where(tags.c.workspace_id == bindparam("ws"), tags.c.id == bindparam("id"))
)


async def get_tag(uow: UnitOfWork, tag_id: int) -> Any:
    return await uow.fetch_one(TAG_BY_ID, id=tag_id)


async def find_by_name(uow: UnitOfWork, name: str) -> Any:
    return await uow.one_or_none(uow.select(tags).where(tags.c.name_key == name_key(name)))


async def list_tags(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(tags).order_by(tags.c.id))


async def insert_tag(uow: UnitOfWork, name: str, created_at: int) -> int:
    result = await uow.execute(
        uow.insert(tags).values(name=name.strip(), name_key=name_key(name), created_at=created_at).returning(tags.c.id)
    )
    return int(result.scalar_one())


async def rename_tag(uow: UnitOfWork, tag_id: int, name: str) -> None:
    await uow.execute(uow.update(tags).where(tags.c.id == tag_id).values(name=name.strip(), name_key=name_key(name)))


async def delete_tag(uow: UnitOfWork, tag_id: int) -> None:
    await uow.execute(uow.delete(tags).where(tags.c.id == tag_id))
