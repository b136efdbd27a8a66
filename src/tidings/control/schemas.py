"""Bodies of the control plane's management API (docs/control-plane.md)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tidings.core.schemas import Out, Request

# Ten years either way: far enough for any schedule, small enough for every integer column.
MAX_SHIFT_SECONDS = 10 * 366 * 86400
# Unix seconds up to the year 9999.
MAX_UNIX_SECONDS = 253402300799


class FreezeClock(Request):
    # Unix seconds (fractions allowed); absent means where the clock is now.
    at: Annotated[float, msgspec.Meta(ge=0, le=MAX_UNIX_SECONDS)] | None = None


class AdvanceClock(Request):
    seconds: Annotated[float, msgspec.Meta(ge=0, le=MAX_SHIFT_SECONDS)]


class ClockOut(Out, tag="clock"):
    now: int
    now_ms: int
    frozen: bool
    offset_ms: int


SnapshotName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]


class SaveSnapshot(Request):
    name: SnapshotName


class SnapshotOut(Out, tag="snapshot"):
    name: str
    objects: int
    created_at: int

    @classmethod
    def from_row(cls, row: Any) -> SnapshotOut:
        return cls(name=row["name"], objects=row["objects"], created_at=row["created_at"])


class SnapshotList(Out, tag="list"):
    data: list[SnapshotOut]


class RequestList(Out, tag="list"):
    data: list[dict[str, Any]]


HttpMethod = Annotated[str, msgspec.Meta(pattern=r"^(GET|POST|PUT|PATCH|DELETE|HEAD)$")]


class AddFault(Request):
    kind: Annotated[str, msgspec.Meta(pattern=r"^(error|latency|drop)$")] = "error"
    method: HttpMethod | None = None
    path: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"^/")] | None = None
    operation_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    times: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None
    probability: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0
    status: Annotated[int, msgspec.Meta(ge=400, le=599)] | None = None
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None
    headers: Annotated[dict[str, Annotated[str, msgspec.Meta(max_length=1000)]], msgspec.Meta(max_length=20)] = (
        msgspec.field(default_factory=dict)
    )
    latency_ms: Annotated[int, msgspec.Meta(ge=0, le=120_000)] = 0


class FaultList(Out, tag="list"):
    data: list[dict[str, Any]]
