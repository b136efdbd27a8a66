from __future__ import annotations

from tidings.admins import storage as admin_storage
from tidings.core import clock
from tidings.core.errors import TidingsError, invalid
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.teams import storage
from tidings.teams.schemas import TeamList, TeamOut


async def get(uow: UnitOfWork, team_id: str) -> TeamOut:
    numeric = parse_numeric_id(team_id)
    row = await storage.get_team(uow, numeric) if numeric else None
    if row is None:
        raise TidingsError(404, "team_not_found", "Team not found")
    return TeamOut.from_row(row)


async def list_all(uow: UnitOfWork) -> TeamList:
    return TeamList(teams=[TeamOut.from_row(r) for r in await storage.list_teams(uow)])


async def create(uow: UnitOfWork, name: str, admin_ids: list[int]) -> TeamOut:
    if not name.strip():
        raise invalid("name must not be empty", "name")
    for admin_id in admin_ids:
        if await admin_storage.get_admin(uow, admin_id) is None:
            raise TidingsError(404, "admin_not_found", f"Admin {admin_id} not found", "admin_ids")
    team_id = await storage.insert_team(uow, name.strip(), admin_ids, clock.now())
    row = await storage.get_team(uow, team_id)
    return TeamOut.from_row(row)
