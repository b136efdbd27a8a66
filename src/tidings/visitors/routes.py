from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromQuery, JSONBody

from tidings.contacts.schemas import ContactOut
from tidings.core.deps import Uow
from tidings.visitors import service
from tidings.visitors.schemas import ConvertVisitorRequest, UpdateVisitorRequest, VisitorOut


class VisitorsController(Controller):
    path = "/visitors"
    tags = ["Visitors"]

    @get("/", operation_id="retrieveVisitorWithUserId")
    async def retrieve_visitor_with_user_id(self, uow: Uow, user_id: FromQuery[str | None] = None) -> VisitorOut:
        return await service.get(uow, user_id)

    @put("/", operation_id="updateVisitor")
    async def update_visitor(self, data: JSONBody[UpdateVisitorRequest], uow: Uow) -> VisitorOut:
        return await service.update(uow, data)

    @post("/convert", operation_id="convertVisitor", status_code=200)
    async def convert_visitor(self, data: JSONBody[ConvertVisitorRequest], uow: Uow) -> ContactOut:
        return await service.convert(uow, data)
