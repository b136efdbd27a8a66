"""Brands and email settings (sender addresses). The default brand and its address are made on first use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Table

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, id_column, metadata, timestamp_column, workspace_column

brands = Table(
    "brands",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    # One per workspace; on the wire its id is the workspace id (Intercom's rule).
    Column("is_default", Boolean, nullable=False, default=False),
    Column("help_center_id", String(32), nullable=True),
    Column("default_address_settings_id", BigInteger, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_brands_default", "workspace_id", "is_default"),
    info=KEEP_ON_RESET,
)

email_settings = Table(
    "email_settings",
    metadata,
    id_column(),
    workspace_column(),
    Column("email", String(255), nullable=False),
    Column("domain", String(255), nullable=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("verified", Boolean, nullable=False, default=False),
    Column("forwarding_enabled", Boolean, nullable=False, default=False),
    timestamp_column("forwarded_email_last_received_at", nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)


async def default_brand(uow: UnitOfWork) -> Any:
    return await uow.one_or_none(uow.select(brands).where(brands.c.is_default.is_(True)).limit(1))


async def list_brands(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(brands).order_by(brands.c.is_default.desc(), brands.c.id))


async def get_brand(uow: UnitOfWork, brand_id: int) -> Any:
    return await uow.one_or_none(uow.select(brands).where(brands.c.id == brand_id))


async def insert_brand(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(brands).values(**values).returning(brands.c.id))).scalar_one())


async def update_brand(uow: UnitOfWork, brand_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(brands).where(brands.c.id == brand_id).values(**values))


async def list_email_settings(uow: UnitOfWork) -> list[Any]:
    return await uow.all(uow.select(email_settings).order_by(email_settings.c.id))


async def get_email_setting(uow: UnitOfWork, setting_id: int) -> Any:
    return await uow.one_or_none(uow.select(email_settings).where(email_settings.c.id == setting_id))


async def find_email_setting(uow: UnitOfWork, email: str) -> Any:
    return await uow.one_or_none(uow.select(email_settings).where(email_settings.c.email == email))


async def insert_email_setting(uow: UnitOfWork, values: dict[str, Any]) -> int:
    t = email_settings
    return int((await uow.execute(uow.insert(t).values(**values).returning(t.c.id))).scalar_one())


async def update_email_setting(uow: UnitOfWork, setting_id: int, values: dict[str, Any]) -> None:
    await uow.execute(uow.update(email_settings).where(email_settings.c.id == setting_id).values(**values))
