"""Bodies of the control plane's management API (docs/control-plane.md)."""

from __future__ import annotations

from typing import Annotated

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
