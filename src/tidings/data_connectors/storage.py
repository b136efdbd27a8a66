"""Data connectors and the results of running them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, and_, or_

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import JsonType, id_column, metadata, timestamp_column, workspace_column

data_connectors = Table(
    "data_connectors",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=True),
    Column("state", String(8), nullable=False),
    Column("http_method", String(8), nullable=False),
    Column("url", Text, nullable=True),
    Column("body", Text, nullable=False),
    # [{"name", "value"}]: values are kept to make requests and never shown again.
    Column("headers", JsonType, nullable=False),
    Column("direct_fin_usage", Boolean, nullable=False),
    Column("audiences", JsonType, nullable=False),
    Column("data_inputs", JsonType, nullable=False),
    Column("response_fields", JsonType, nullable=False),
    Column("configuration_response_type", String(32), nullable=False),
    Column("mock_response", JsonType, nullable=True),
    Column("token_ids", JsonType, nullable=False),
    Column("customer_authentication", Boolean, nullable=False),
    Column("bypass_authentication", Boolean, nullable=False),
    Column("validate_missing_attributes", Boolean, nullable=True),
    Column("created_by_admin_id", Integer, nullable=True),
    Column("updated_by_admin_id", Integer, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_data_connectors_workspace_updated", "workspace_id", "updated_at", "id"),
)

data_connector_executions = Table(
    "data_connector_executions",
    metadata,
    id_column(),
    workspace_column(),
    Column("data_connector_id", ForeignKey("data_connectors.id", ondelete="CASCADE"), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("http_method", String(8), nullable=False),
    Column("error_type", String(64), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("execution_time_ms", Integer, nullable=True),
    Column("source_type", String(32), nullable=True),
    Column("source_id", String(64), nullable=True),
    Column("conversation_id", String(64), nullable=True),
    Column("request_url", Text, nullable=True),
    Column("request_body", Text, nullable=True),
    Column("response_body", Text, nullable=True),
    timestamp_column("created_at"),
    Index("ix_data_connector_executions_connector", "data_connector_id", "created_at", "id"),
)


async def insert_connector(uow: UnitOfWork, values: dict[str, Any]) -> int:
    t = data_connectors
    return int((await uow.execute(uow.insert(t).values(**values).returning(t.c.id))).scalar_one())


async def get_connector(uow: UnitOfWork, connector_id: int) -> Any:
    return await uow.one_or_none(uow.select(data_connectors).where(data_connectors.c.id == connector_id))


async def update_connector(uow: UnitOfWork, connector_id: int, values: dict[str, Any]) -> None:
    t = data_connectors
    await uow.execute(uow.update(t).where(t.c.id == connector_id).values(**values))


async def delete_connector(uow: UnitOfWork, connector_id: int) -> None:
    t = data_connectors
    await uow.execute(uow.delete(t).where(t.c.id == connector_id))


def _before(table: Table, column: str, after: tuple[int, int] | None) -> Any:
    if after is None:
        return True
    c = table.c[column]
    return or_(c < after[0], and_(c == after[0], table.c.id < after[1]))


async def connectors_page(uow: UnitOfWork, after: tuple[int, int] | None, limit: int) -> list[Any]:
    """Most recently updated first, after the keyset `(updated_at, id)`."""
    t = data_connectors
    stmt = uow.select(t).where(_before(t, "updated_at", after)).order_by(t.c.updated_at.desc(), t.c.id.desc())
    return await uow.all(stmt.limit(limit))


async def fin_connectors(uow: UnitOfWork) -> list[Any]:
    t = data_connectors
    stmt = uow.select(t).where(t.c.state == "live", t.c.direct_fin_usage.is_(True)).order_by(t.c.id)
    return await uow.all(stmt.limit(64))


async def insert_execution(uow: UnitOfWork, values: dict[str, Any]) -> int:
    t = data_connector_executions
    return int((await uow.execute(uow.insert(t).values(**values).returning(t.c.id))).scalar_one())


async def get_execution(uow: UnitOfWork, connector_id: int, execution_id: int) -> Any:
    t = data_connector_executions
    return await uow.one_or_none(uow.select(t).where(t.c.id == execution_id, t.c.data_connector_id == connector_id))


async def executions_page(
    uow: UnitOfWork, connector_id: int, filters: list[Any], after: tuple[int, int] | None, limit: int
) -> list[Any]:
    t = data_connector_executions
    stmt = uow.select(t).where(t.c.data_connector_id == connector_id, _before(t, "created_at", after), *filters)
    return await uow.all(stmt.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit))
