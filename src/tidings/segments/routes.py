from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

from tidings.companies.schemas import SegmentOut
from tidings.core.deps import Uow
from tidings.segments import service
from tidings.segments.schemas import ContactSegmentList, SegmentList


class SegmentsController(Controller):
    path = "/segments"
    tags = ["Segments"]

    @get("/", operation_id="listSegments")
    async def list_segments(self, uow: Uow, include_count: FromQuery[bool] = False) -> SegmentList:
        return await service.list_all(uow, include_count)

    @get("/{segment_id:str}", operation_id="retrieveSegment")
    async def retrieve_segment(self, segment_id: FromPath[str], uow: Uow) -> SegmentOut:
        return await service.get(uow, segment_id)


class ContactSegmentsController(Controller):
    path = "/contacts/{contact_id:str}/segments"
    tags = ["Contacts"]

    @get("/", operation_id="listSegmentsForAContact")
    async def list_segments_for_a_contact(self, contact_id: FromPath[str], uow: Uow) -> ContactSegmentList:
        return await service.of_contact(uow, contact_id)
