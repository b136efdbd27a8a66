from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

from tidings.core.deps import Uow
from tidings.teams import service
from tidings.teams.schemas import TeamList, TeamMetricList, TeamOut


class TeamsController(Controller):
    path = "/teams"
    tags = ["Teams"]

    @get("/", operation_id="listTeams")
    async def list_teams(self, uow: Uow) -> TeamList:
        return await service.list_all(uow)

    @get("/{team_id:str}", operation_id="retrieveTeam")
    async def retrieve_team(self, team_id: FromPath[str], uow: Uow) -> TeamOut:
        return await service.get(uow, team_id)

    @get("/{team_id:str}/metrics", operation_id="getTeamMetrics")
    async def get_team_metrics(
        self, team_id: FromPath[str], uow: Uow, idle_threshold: FromQuery[int] = 1800
    ) -> TeamMetricList:
        return await service.metrics(uow, team_id, idle_threshold)
