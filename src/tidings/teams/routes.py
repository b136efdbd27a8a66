from __future__ import annotations

from litestar import Controller, get

from tidings.core.uow import UnitOfWork
from tidings.teams import service
from tidings.teams.schemas import TeamList, TeamOut


class TeamsController(Controller):
    path = "/teams"
    tags = ["Teams"]

    @get("/", operation_id="listTeams")
    async def list_teams(self, uow: UnitOfWork) -> TeamList:
        return await service.list_all(uow)

    @get("/{team_id:str}", operation_id="retrieveTeam")
    async def retrieve_team(self, team_id: str, uow: UnitOfWork) -> TeamOut:
        return await service.get(uow, team_id)
