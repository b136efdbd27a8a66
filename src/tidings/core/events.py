"""Recording events: the outbox every area writes to in the same transaction as its change.

Delivery (webhooks, SSE) reads the outbox; areas only ever call `record_event`.
"""

from __future__ import annotations

from typing import Any

from tidings.core import clock
from tidings.core.tables import events
from tidings.core.uow import UnitOfWork


async def record_event(
    uow: UnitOfWork,
    topic: str,
    item: dict[str, Any],
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    channel: str | None = None,
) -> int:
    """Store an event about `item` (the API-shaped object) and return its id."""
    result = await uow.execute(
        uow.insert(events)
        .values(
            topic=topic,
            subject_type=subject_type or item.get("type"),
            subject_id=subject_id or (str(item["id"]) if item.get("id") is not None else None),
            channel=channel,
            payload=item,
            created_at=clock.now(),
        )
        .returning(events.c.id)
    )
    event_id = int(result.scalar_one())
    uow.recorded_events.append(event_id)
    return event_id
