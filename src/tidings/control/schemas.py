"""Bodies of the control plane's management API (docs/control-plane.md)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tidings.core.schemas import Request

# Ten years either way: far enough for any schedule, small enough for every integer column.
MAX_SHIFT_SECONDS = 10 * 366 * 86400
# Unix seconds up to the year 9999.
MAX_UNIX_SECONDS = 253402300799


class FreezeClock(Request):
    # Unix seconds (fractions allowed); absent means where the clock is now.
    at: Annotated[float, msgspec.Meta(ge=0, le=MAX_UNIX_SECONDS)] | None = None


class AdvanceClock(Request):
    seconds: Annotated[float, msgspec.Meta(ge=0, le=MAX_SHIFT_SECONDS)]


class ClockOut(msgspec.Struct):
    now: int
    now_ms: int
    frozen: bool
    offset_ms: int
    type: str = "clock"


SnapshotName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]


class SaveSnapshot(Request):
    name: SnapshotName


class SnapshotOut(msgspec.Struct):
    name: str
    objects: int
    created_at: int
    type: str = "snapshot"

    @classmethod
    def from_row(cls, row: Any) -> SnapshotOut:
        return cls(name=row["name"], objects=row["objects"], created_at=row["created_at"])


class SnapshotList(msgspec.Struct):
    data: list[SnapshotOut]
    type: str = "list"
