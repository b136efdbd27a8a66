"""Custom objects: types (set up through the management API), their attributes, instances, references.

A type's attributes are either the instances' own typed attributes (`owner_type` NULL) or reference
attributes that contacts or conversations carry (`owner_type` `contact`/`conversation`): a
reference attribute's name is unique per owner type across the workspace, so `custom_attributes.order`
on a contact names exactly one type. References live in their own table so that deleting an instance
clears every reference to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column

custom_object_types = Table(
    "custom_object_types",
    metadata,
    id_column(),
    workspace_column(),
    Column("identifier", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    UniqueConstraint("workspace_id", "identifier", name="uq_custom_object_types_workspace_identifier"),
    # Types are the workspace's set-up (Intercom's settings): a reset keeps them and drops instances.
    info=KEEP_ON_RESET,
)

custom_object_attributes = Table(
    "custom_object_attributes",
    metadata,
    id_column(),
    workspace_column(),
    Column("type_id", ForeignKey("custom_object_types.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("data_type", String(16), nullable=False),
    # Set for reference attributes: the kind of object ("contact", "conversation") that carries them.
    Column("owner_type", String(16), nullable=True),
    timestamp_column("created_at"),
    UniqueConstraint("type_id", "name", name="uq_custom_object_attributes_type_name"),
    # NULL owner types are distinct on both databases, so this only binds reference attributes.
    UniqueConstraint("workspace_id", "owner_type", "name", name="uq_custom_object_attributes_owner_name"),
    info=KEEP_ON_RESET,
)

custom_object_instances = Table(
    "custom_object_instances",
    metadata,
    id_column(),
    workspace_column(),
    Column("type_id", ForeignKey("custom_object_types.id", ondelete="CASCADE"), nullable=False),
    Column("external_id", String(255), nullable=False),
    timestamp_column("external_created_at", nullable=True),
    timestamp_column("external_updated_at", nullable=True),
    Column("custom_attributes", JsonType, nullable=False),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    # The upsert key: concurrent creates of one external_id meet here.
    UniqueConstraint("type_id", "external_id", name="uq_custom_object_instances_type_external_id"),
    # Intercom never hands a deleted instance's id to a new one; SQLite would, without AUTOINCREMENT.
    sqlite_autoincrement=True,
)

custom_object_references = Table(
    "custom_object_references",
    metadata,
    id_column(),
    workspace_column(),
    Column("owner_type", String(16), nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("attribute", String(255), nullable=False),
    Column(
        "instance_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("custom_object_instances.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # Keeps the order the ids were given in.
    Column("position", Integer, nullable=False),
    UniqueConstraint(
        "workspace_id", "owner_type", "owner_id", "attribute", "instance_id", name="uq_custom_object_references_key"
    ),
    Index("ix_custom_object_references_instance", "instance_id"),
)


# Types and attributes.


async def get_type_by_identifier(uow: UnitOfWork, identifier: str) -> Any:
    t = custom_object_types
    return await uow.one_or_none(uow.select(t).where(t.c.identifier == identifier))


async def list_types(uow: UnitOfWork) -> list[Any]:
    t = custom_object_types
    return await uow.all(uow.select(t).order_by(t.c.id))


async def insert_type(uow: UnitOfWork, identifier: str, name: str, now: int) -> int:
    t = custom_object_types
    result = await uow.execute(
        uow.insert(t).values(identifier=identifier, name=name, created_at=now, updated_at=now).returning(t.c.id)
    )
    return int(result.scalar_one())


async def update_type(uow: UnitOfWork, type_id: int, values: dict[str, Any]) -> None:
    t = custom_object_types
    await uow.execute(uow.update(t).where(t.c.id == type_id).values(**values))


async def list_attributes(uow: UnitOfWork, type_ids: Iterable[int]) -> list[Any]:
    a = custom_object_attributes
    return await uow.all(uow.select(a).where(a.c.type_id.in_(list(type_ids))).order_by(a.c.id))


async def insert_attribute(
    uow: UnitOfWork, type_id: int, name: str, data_type: str, owner_type: str | None, now: int
) -> None:
    await uow.execute(
        uow.insert(custom_object_attributes).values(
            type_id=type_id, name=name, data_type=data_type, owner_type=owner_type, created_at=now
        )
    )


async def find_reference_attribute(uow: UnitOfWork, owner_type: str, name: str) -> Any:
    """The reference attribute `name` that `owner_type` objects carry, with its type's identifier."""
    a, t = custom_object_attributes, custom_object_types
    stmt = (
        uow.select(a, a.c.name, a.c.type_id, t.c.identifier)
        .join(t, t.c.id == a.c.type_id)
        .where(a.c.owner_type == owner_type, a.c.name == name)
    )
    return await uow.one_or_none(stmt)


async def list_reference_attributes(uow: UnitOfWork, owner_type: str) -> list[Any]:
    a, t = custom_object_attributes, custom_object_types
    stmt = (
        uow.select(a, a.c.name, a.c.type_id, t.c.identifier)
        .join(t, t.c.id == a.c.type_id)
        .where(a.c.owner_type == owner_type)
        .order_by(a.c.id)
    )
    return await uow.all(stmt)


# Instances.


async def get_instance(uow: UnitOfWork, type_id: int, instance_id: int) -> Any:
    i = custom_object_instances
    return await uow.one_or_none(uow.select(i).where(i.c.type_id == type_id, i.c.id == instance_id))


async def find_instance_by_external_id(
    uow: UnitOfWork, type_id: int, external_id: str, *, for_update: bool = False
) -> Any:
    i = custom_object_instances
    stmt = uow.select(i).where(i.c.type_id == type_id, i.c.external_id == external_id)
    return await uow.one_or_none(stmt.with_for_update() if for_update else stmt)


async def instances_by_ids(uow: UnitOfWork, instance_ids: Iterable[int]) -> list[Any]:
    """Instances with their type's identifier, for any types."""
    i, t = custom_object_instances, custom_object_types
    stmt = (
        uow.select(i, *i.c, t.c.identifier.label("type_identifier"))
        .join(t, t.c.id == i.c.type_id)
        .where(i.c.id.in_(list(instance_ids)))
    )
    return await uow.all(stmt)


async def insert_instance_if_absent(uow: UnitOfWork, values: dict[str, Any]) -> int | None:
    """Insert unless the (type, external_id) exists; the new id, or None when another row holds the key.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    does nothing, so the caller can read the winner's row.
    """
    i = custom_object_instances
    dialect_insert = postgres_insert if uow.dialect == "postgresql" else sqlite_insert
    stmt = (
        uow.numbered(dialect_insert(i), i)
        .values(workspace_id=uow.workspace_id, **values)
        .on_conflict_do_nothing(index_elements=[i.c.type_id, i.c.external_id])
        .returning(i.c.id)
    )
    inserted = (await uow.execute(stmt)).scalar()
    return int(inserted) if inserted is not None else None


async def update_instance(uow: UnitOfWork, instance_id: int, values: dict[str, Any]) -> None:
    i = custom_object_instances
    await uow.execute(uow.update(i).where(i.c.id == instance_id).values(**values))


async def delete_instance(uow: UnitOfWork, instance_id: int) -> None:
    i = custom_object_instances
    await uow.execute(uow.delete(i).where(i.c.id == instance_id))


# References.


async def references_of(uow: UnitOfWork, owner_type: str, owner_ids: Iterable[str]) -> list[Any]:
    r = custom_object_references
    stmt = (
        uow.select(r)
        .where(r.c.owner_type == owner_type, r.c.owner_id.in_(list(owner_ids)))
        .order_by(r.c.owner_id, r.c.attribute, r.c.position)
    )
    return await uow.all(stmt)


async def replace_references(
    uow: UnitOfWork, owner_type: str, owner_id: str, attribute: str, instance_ids: list[int]
) -> None:
    r = custom_object_references
    await uow.execute(
        uow.delete(r).where(r.c.owner_type == owner_type, r.c.owner_id == owner_id, r.c.attribute == attribute)
    )
    for position, instance_id in enumerate(instance_ids):
        await uow.execute(
            uow.insert(r).values(
                owner_type=owner_type,
                owner_id=owner_id,
                attribute=attribute,
                instance_id=instance_id,
                position=position,
            )
        )


async def delete_references_to(uow: UnitOfWork, instance_id: int) -> None:
    r = custom_object_references
    await uow.execute(uow.delete(r).where(r.c.instance_id == instance_id))


async def delete_references_of(uow: UnitOfWork, owner_type: str, owner_id: str) -> None:
    r = custom_object_references
    await uow.execute(uow.delete(r).where(r.c.owner_type == owner_type, r.c.owner_id == owner_id))
