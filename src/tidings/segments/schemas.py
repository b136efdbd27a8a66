from __future__ import annotations

from typing import Any

import msgspec

from tidings.companies.schemas import SegmentOut
from tidings.core.schemas import UNSET, Request, UnsetType


class SegmentWithCount(msgspec.Struct, omit_defaults=True):
    id: str
    name: str
    created_at: int
    updated_at: int
    person_type: str
    type: str = "segment"
    count: int | UnsetType = UNSET


class SegmentList(msgspec.Struct):
    segments: list[SegmentWithCount]
    type: str = "segment.list"


class ContactSegmentList(msgspec.Struct):
    data: list[SegmentOut]
    type: str = "list"


class CreateSegment(Request):
    name: str
    query: Any
    model: str = "contact"
    person_type: str | UnsetType = UNSET
