"""Data attributes: the custom attributes a workspace defines for contacts, companies and conversations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Integer, String, Table, Text, UniqueConstraint

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, id_column, metadata, timestamp_column, workspace_column

data_attributes = Table(
    "data_attributes",
    metadata,
    id_column(),
    workspace_column(),
    Column("model", String(16), nullable=False),
    Column("name", String(255), nullable=False),
    Column("label", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("data_type", String(16), nullable=False),
    Column("options", JsonType, nullable=True),
    Column("messenger_writable", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("admin_id", Integer, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    UniqueConstraint("workspace_id", "model", "name", name="uq_data_attributes_workspace_model_name"),
)


async def get_attribute(uow: UnitOfWork, attribute_id: int) -> Any:
    return await uow.one_or_none(uow.select(data_attributes).where(data_attributes.c.id == attribute_id))


async def find_attribute(uow: UnitOfWork, model: str, name: str) -> Any:
    return await uow.one_or_none(
        uow.select(data_attributes).where(data_attributes.c.model == model, data_attributes.c.name == name)
    )


async def list_attributes(uow: UnitOfWork, model: str | None, include_archived: bool) -> list[Any]:
    stmt = uow.select(data_attributes)
    if model is not None:
        stmt = stmt.where(data_attributes.c.model == model)
    if not include_archived:
        stmt = stmt.where(data_attributes.c.archived.is_(False))
    return await uow.all(stmt.order_by(data_attributes.c.id))


async def insert_attribute(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(data_attributes).values(**values).returning(data_attributes.c.id))
    return int(result.scalar_one())


async def update_attribute(uow: UnitOfWork, attribute_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(data_attributes).where(data_attributes.c.id == attribute_id).values(**values))
