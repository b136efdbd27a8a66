"""Teams: named groups of admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, Table, bindparam, select

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column
from tidings.db.prepared import PreparedRead

teams = Table(
    "teams",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("admin_ids", JsonType, nullable=False),
    timestamp_column("created_at"),
    info=KEEP_ON_RESET,
)


async def get_team(uow: UnitOfWork, team_id: int) -> Any:
    return await uow.one_or_none(uow.select(teams).where(teams.c.id == team_id))


ALL_TEAMS = PreparedRead(lambda: select(teams).where(teams.c.workspace_id == bindparam("ws")).order_by(teams.c.id))


async def list_teams(uow: UnitOfWork) -> list[Any]:
    return await uow.fetch_all(ALL_TEAMS)


async def insert_team(uow: UnitOfWork, name: str, admin_ids: list[int], created_at: int) -> int:
    result = await uow.execute(
        uow.insert(teams).values(name=name, admin_ids=admin_ids, created_at=created_at).returning(teams.c.id)
    )
    return int(result.scalar_one())
