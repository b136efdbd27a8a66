from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.admins import service
from tidings.admins.schemas import (
    ActivityLogEventTypeList,
    ActivityLogList,
    AdminList,
    AdminOut,
    AdminWithApp,
    SearchActivityLogsRequest,
    SetAwayRequest,
)
from tidings.core.deps import Uow


class MeController(Controller):
    path = "/me"
    tags = ["Admins"]

    @get("/", operation_id="identifyAdmin")
    async def identify_admin(self, uow: Uow) -> AdminWithApp:
        return await service.me(uow)


class AdminsController(Controller):
    path = "/admins"
    tags = ["Admins"]

    @get("/", operation_id="listAdmins")
    async def list_admins(self, uow: Uow) -> AdminList:
        return await service.list_all(uow)

    @get("/activity_logs", operation_id="listActivityLogs")
    async def list_activity_logs(
        self,
        uow: Uow,
        created_at_after: FromQuery[str | None] = None,
        created_at_before: FromQuery[str | None] = None,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
    ) -> ActivityLogList:
        return await service.activity_logs(uow, created_at_after, created_at_before, per_page, starting_after)

    @get("/activity_log_event_types", operation_id="listActivityLogEventTypes")
    async def list_activity_log_event_types(self, uow: Uow) -> ActivityLogEventTypeList:
        return service.event_types()

    @post("/activity_logs/search", operation_id="searchActivityLogs", status_code=200, opt={"body_required": True})
    async def search_activity_logs(self, data: JSONBody[SearchActivityLogsRequest], uow: Uow) -> ActivityLogList:
        return await service.search_activity_logs(uow, data)

    @get("/{admin_id:str}", operation_id="retrieveAdmin")
    async def retrieve_admin(self, admin_id: FromPath[str], uow: Uow) -> AdminOut:
        return await service.get(uow, admin_id)

    @put("/{admin_id:str}/away", operation_id="setAwayAdmin")
    async def set_away_admin(self, admin_id: FromPath[str], data: JSONBody[SetAwayRequest], uow: Uow) -> AdminOut:
        return await service.set_away(uow, admin_id, data)
