"""The server's clock: Unix seconds, as on Intercom's wire."""

from __future__ import annotations

import time


def now() -> int:
    return int(time.time())


def now_ms() -> int:
    return int(time.time() * 1000)
