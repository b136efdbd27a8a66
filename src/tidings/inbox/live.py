"""Live updates: open inbox pages hear of every conversation change the workspace records.

The stream reads the events the Conversations area already stores for webhooks (`subject_type`
`conversation`: a new conversation, a part, a state or assignment change), so a change costs no
extra write. It sends each as `{"conversation_id", "topic"}` (never the content) and the page
re-fetches the fragments that changed. It re-reads the outbox every `POLL_SECONDS`, which covers
commits by any process (every PostgreSQL worker, a CLI), and re-reads a short window behind the
last id sent: PostgreSQL may commit a lower id after a higher one was read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from litestar.response import ServerSentEventMessage
from sqlalchemy import func, select

from tidings.core import clock
from tidings.db.storage import Storage
from tidings.events.storage import events

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
# Ids this far behind the newest sent are read again (and skipped when already sent).
LATE_COMMIT_WINDOW = 200
MAX_BATCH = 500


async def _read(storage: Storage, stmt: Any) -> list[Any]:
    tx = await storage.begin(write=False)
    try:
        return list((await tx.execute(stmt)).mappings().all())
    finally:
        await tx.rollback()


def _changes(workspace_id: str, after: int) -> Any:
    return (
        select(events.c.id, events.c.topic, events.c.subject_id)
        .where(events.c.id > after, events.c.workspace_id == workspace_id, events.c.subject_type == "conversation")
        .order_by(events.c.id)
        .limit(MAX_BATCH)
    )


async def _latest_id(storage: Storage, workspace_id: str) -> int:
    rows = await _read(
        storage, select(func.max(events.c.id).label("latest")).where(events.c.workspace_id == workspace_id)
    )
    return int(rows[0]["latest"] or 0) if rows else 0


async def conversation_changes(
    storage: Storage, workspace_id: str, ttl: int, last_event_id: int | None
) -> AsyncIterator[ServerSentEventMessage]:
    """The workspace's conversation changes for `ttl` seconds, from `last_event_id` (else from now)."""
    last = last_event_id if last_event_id is not None else await _latest_id(storage, workspace_id)
    sent: set[int] = set()
    deadline = clock.now() + ttl
    quiet_since = asyncio.get_running_loop().time()
    while clock.now() < deadline:
        for row in await _read(storage, _changes(workspace_id, max(0, last - LATE_COMMIT_WINDOW))):
            if row["id"] in sent or (last_event_id is not None and row["id"] <= last_event_id):
                continue
            sent.add(row["id"])
            last = max(last, row["id"])
            quiet_since = asyncio.get_running_loop().time()
            data = json.dumps({"conversation_id": row["subject_id"], "topic": row["topic"]}, separators=(",", ":"))
            yield ServerSentEventMessage(data=data, id=row["id"])
        if asyncio.get_running_loop().time() - quiet_since >= KEEPALIVE_SECONDS:
            quiet_since = asyncio.get_running_loop().time()
            yield ServerSentEventMessage(data=None, comment="keep-alive")
        await asyncio.sleep(POLL_SECONDS)
