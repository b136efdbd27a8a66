"""PostgreSQL LISTEN: every process hears the transactional NOTIFYs of every other.

`tidings_deliveries` wakes this process's delivery workers; `tidings_events` carries
`{"w": workspace, "c": channel, "i": event id}` of a committed channel event to this process's SSE
streams. The connection is re-opened when it drops; a stream that may have missed notifications
meanwhile catches up from the stored events on its next wake-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import asyncpg

from tidings.events.fanout import hub, wake_workers
from tidings.events.outbox import DELIVERIES_CHANNEL, EVENTS_CHANNEL

log = logging.getLogger("tidings.webhooks")
RECONNECT_SECONDS = 1.0


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def on_notification(_: Any, __: int, channel: str, payload: str) -> None:
    if channel == DELIVERIES_CHANNEL:
        wake_workers()
        return
    try:
        message = json.loads(payload)
        hub.publish(str(message["w"]), str(message["c"]), int(message["i"]))
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring malformed %s notification %r", EVENTS_CHANNEL, payload)


async def listen_forever(url: str, ready: asyncio.Event | None = None) -> None:
    dsn = asyncpg_dsn(url)
    while True:
        try:
            await listen_once(dsn, ready)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("LISTEN connection failed (%s); retrying", exc)
        await asyncio.sleep(RECONNECT_SECONDS)


async def listen_once(dsn: str, ready: asyncio.Event | None) -> None:
    """Listen until the connection drops."""
    closed = asyncio.Event()
    conn = await asyncpg.connect(dsn)
    try:
        conn.add_termination_listener(lambda _: closed.set())
        await conn.add_listener(DELIVERIES_CHANNEL, on_notification)
        await conn.add_listener(EVENTS_CHANNEL, on_notification)
        if ready is not None:
            ready.set()
        # Anything committed while nobody was listening is picked up now.
        wake_workers()
        hub.resync()
        await closed.wait()
    finally:
        if not conn.is_closed():
            await conn.close()
