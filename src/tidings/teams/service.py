from __future__ import annotations

from typing import Any

from tidings.admins import storage as admin_storage
from tidings.conversations import storage as conversation_storage
from tidings.core import clock
from tidings.core.errors import ADMIN_NOT_FOUND, TEAM_NOT_FOUND, found, invalid
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.teams import storage
from tidings.teams.schemas import TeamList, TeamMetric, TeamMetricList, TeamOut

IDLE_THRESHOLD_RANGE = (1, 86_400)


async def _row(uow: UnitOfWork, team_id: str) -> Any:
    numeric = parse_numeric_id(team_id)
    row = found(await storage.get_team(uow, numeric) if numeric else None, TEAM_NOT_FOUND())
    return row


async def get(uow: UnitOfWork, team_id: str) -> TeamOut:
    return TeamOut.from_row(await _row(uow, team_id))


async def metrics(uow: UnitOfWork, team_id: str, idle_threshold: int) -> TeamMetricList:
    """Each team member's open, idle and snoozed conversations (idle: waiting longer than the threshold)."""
    admin_ids = [int(a) for a in (await _row(uow, team_id))["admin_ids"]]
    threshold = min(max(idle_threshold, IDLE_THRESHOLD_RANGE[0]), IDLE_THRESHOLD_RANGE[1])
    load = await conversation_storage.assignee_workload(uow, admin_ids, clock.now() - threshold)
    empty = {"open": 0, "idle": 0, "snoozed": 0}
    return TeamMetricList(data=[TeamMetric(admin_id=str(a), **load.get(a, empty)) for a in admin_ids])


async def list_all(uow: UnitOfWork) -> TeamList:
    return TeamList(teams=[TeamOut.from_row(r) for r in await storage.list_teams(uow)])


async def create(uow: UnitOfWork, name: str, admin_ids: list[int]) -> TeamOut:
    if not name.strip():
        raise invalid("name must not be empty", "name")
    for admin_id in admin_ids:
        if await admin_storage.get_admin(uow, admin_id) is None:
            raise ADMIN_NOT_FOUND(f"Admin {admin_id} not found", "admin_ids")
    team_id = await storage.insert_team(uow, name.strip(), admin_ids, clock.now())
    row = await storage.get_team(uow, team_id)
    return TeamOut.from_row(row)
