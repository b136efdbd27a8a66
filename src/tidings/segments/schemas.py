from __future__ import annotations

from typing import Any

from tidings.companies.schemas import SegmentOut
from tidings.core.schemas import UNSET, Out, Request, UnsetType


class SegmentWithCount(Out, tag="segment"):
    id: str
    name: str
    created_at: int
    updated_at: int
    person_type: str
    count: int | UnsetType = UNSET


class SegmentList(Out, tag="segment.list"):
    segments: list[SegmentWithCount]


class ContactSegmentList(Out, tag="list"):
    data: list[SegmentOut]


class CreateSegment(Request):
    name: str
    query: Any
    model: str = "contact"
    person_type: str | UnsetType = UNSET
