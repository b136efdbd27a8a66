"""Intercom's rate limit: a per-minute budget per workspace, enforced in short windows.

Intercom splits a per-minute limit into 10-second windows (1,000 a minute is 167 per 10 s) and
tells every authenticated response where it stands: `X-RateLimit-Limit` (the window's
allowance), `X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix second the window ends). Past the
allowance it answers 429 `rate_limit_exceeded`. The limit is the workspace's
`rate_limit_per_minute` (management API; 0: no limit, and no headers). Counts live in the
database, one row per workspace and window, so every worker process shares them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tidings.core import clock
from tidings.core.errors import RATE_LIMIT_EXCEEDED
from tidings.core.request_id import response_headers
from tidings.core.uow import transaction
from tidings.db.storage import PostgresStorage, Storage


@dataclass(frozen=True, slots=True)
class Allowance:
    limit: int
    remaining: int
    reset: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset).encode()),
        ]


def per_window(per_minute: int, window_seconds: int) -> int:
    return max(1, math.ceil(per_minute * window_seconds / 60))


class RateLimiter:
    def __init__(self, storage: Storage, window_seconds: int) -> None:
        self._storage = storage
        self._window = window_seconds
        # PostgreSQL: one autocommitted statement per request (no BEGIN/COMMIT round trips), on
        # connections of its own. SQLite: a short write transaction.
        self._autocommit = (
            create_async_engine(storage.url, isolation_level="AUTOCOMMIT", pool_size=4, pool_reset_on_return=None)
            if isinstance(storage, PostgresStorage)
            else None
        )

    async def close(self) -> None:
        if self._autocommit is not None:
            await self._autocommit.dispose()

    async def take(self, workspace_id: str, per_minute: int) -> None:
        """Count one request of the workspace; raise 429 past its window's allowance. The
        response gets the rate-limit headers either way."""
        if per_minute <= 0:
            return
        now = clock.now()
        start = now - now % self._window
        count = await self._count(workspace_id, start)
        limit = per_window(per_minute, self._window)
        allowance = Allowance(limit=limit, remaining=max(0, limit - count), reset=start + self._window)
        headers = response_headers.get()
        if headers is not None:
            headers.extend(allowance.headers())
        if count > limit:
            raise RATE_LIMIT_EXCEEDED(f"Exceeded rate limit of {limit} in {self._window}_seconds")

    async def _count(self, workspace_id: str, start: int) -> int:
        """This request's number in the window; the workspace's older windows are dropped."""
        params = {"workspace_id": workspace_id, "start": start}
        if self._autocommit is not None:
            async with self._autocommit.connect() as conn:
                return int((await conn.execute(_COUNT_POSTGRESQL, params)).scalar_one())
        async with transaction(self._storage) as tx:
            await tx.execute(_DROP_OLDER, params)
            return int((await tx.execute(_COUNT, params)).scalar_one())


_DROP_OLDER = text("DELETE FROM rate_limit_windows WHERE workspace_id = :workspace_id AND window_start < :start")
_COUNT = text(
    "INSERT INTO rate_limit_windows (workspace_id, window_start, count) VALUES (:workspace_id, :start, 1) "
    "ON CONFLICT (workspace_id, window_start) DO UPDATE SET count = rate_limit_windows.count + 1 RETURNING count"
)
_COUNT_POSTGRESQL = text(
    "WITH older AS (DELETE FROM rate_limit_windows WHERE workspace_id = :workspace_id AND window_start < :start) "
    + _COUNT.text
)
