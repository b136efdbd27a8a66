"""Subscription types and the consent each contact gave or withdrew."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, id_column, metadata, timestamp_column, workspace_column

subscription_types = Table(
    "subscription_types",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False),
    Column("locale", String(16), nullable=False),
    Column("consent_type", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("content_types", JsonType, nullable=False),
    timestamp_column("created_at"),
)

contact_subscriptions = Table(
    "contact_subscriptions",
    metadata,
    workspace_column(),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("subscription_type_id", ForeignKey("subscription_types.id", ondelete="CASCADE"), primary_key=True),
    Column("consent_type", String(16), nullable=False),
    timestamp_column("created_at"),
    Index("ix_contact_subscriptions_workspace_contact", "workspace_id", "contact_id"),
)


async def get_type(uow: UnitOfWork, type_id: int) -> Any:
    return await uow.one_or_none(uow.select(subscription_types).where(subscription_types.c.id == type_id))


async def list_types(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(subscription_types).order_by(subscription_types.c.id))


async def insert_type(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(subscription_types).values(**values).returning(subscription_types.c.id))
    return int(result.scalar_one())


async def consents_of(uow: UnitOfWork, contact_ids: list[str]) -> list[Any]:
    """(contact_id, consent_type, subscription type row) for the contacts."""
    if not contact_ids:
        return []
    return await uow.all(
        uow.select(
            contact_subscriptions,
            contact_subscriptions.c.contact_id,
            contact_subscriptions.c.consent_type.label("given_consent"),
            *subscription_types.c,
        )
        .join(subscription_types, subscription_types.c.id == contact_subscriptions.c.subscription_type_id)
        .where(contact_subscriptions.c.contact_id.in_(contact_ids))
        .order_by(subscription_types.c.id)
    )


async def set_consent(uow: UnitOfWork, contact_id: str, type_id: int, consent_type: str, now: int) -> None:
    await clear_consent(uow, contact_id, type_id)
    await uow.execute(
        uow.insert(contact_subscriptions).values(
            contact_id=contact_id, subscription_type_id=type_id, consent_type=consent_type, created_at=now
        )
    )


async def clear_consent(uow: UnitOfWork, contact_id: str, type_id: int) -> bool:
    result = await uow.execute(
        uow.delete(contact_subscriptions).where(
            contact_subscriptions.c.contact_id == contact_id, contact_subscriptions.c.subscription_type_id == type_id
        )
    )
    return bool(result.rowcount)
