"""The server's clock: Unix seconds, as on Intercom's wire."""

from __future__ import annotations

import time


def now() -> int:
    return int(time.time())


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_seconds(ts: int) -> str:
    """`2025-11-15T09:30:00Z`: the ISO form data connectors and workflow exports use."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_millis(ts: int) -> str:
    """`2025-07-17T11:18:08.000Z`: the ISO form macros use."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def iso_offset(ts: int) -> str:
    """`2014-01-16T23:12:21.000+00:00`: the ISO form data-event summaries use."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime(ts))
