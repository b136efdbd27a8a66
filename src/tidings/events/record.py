"""Recording events: the outbox every area writes to in the same transaction as its change.

Delivery (webhooks, SSE) reads the outbox; areas only ever call `record_event`. In the same
transaction it queues a delivery for every Developer Hub subscription to `topic`, and an event
with a `channel` (e.g. Fin's `fin_agent_api:{app_id}:{conversation_id}`) is streamed to that
channel's Server-Sent Events subscribers after the commit (`tidings.events.outbox`,
`tidings.webhooks.sse`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.events.outbox import on_event_recorded, subscriptions_for
from tidings.events.storage import events

# What `record_event` may be given instead of the object: a function that renders it, called only
# when someone wants the event's payload (see `record_event`).
Render = Callable[[], Awaitable[msgspec.Struct | dict[str, Any]]]


def event_item(item: msgspec.Struct | dict[str, Any]) -> dict[str, Any]:
    """The one serializer of event items: a response Struct becomes exactly its GET shape (`type`
    included, `UNSET` fields left out); a dict is an event-only shape (e.g. a deleted object's
    `{type, id}`) and is taken as it is."""
    return item if isinstance(item, dict) else msgspec.to_builtins(item)


async def record_event(
    uow: UnitOfWork,
    topic: str,
    item: msgspec.Struct | dict[str, Any] | Render,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    channel: str | None = None,
) -> int:
    """Store an event about `item` (the API-shaped object), queue its deliveries, and return its id.

    `item` may be a function rendering the object (then `subject_type` and `subject_id` are needed):
    it is called, in this transaction, only when a webhook subscription wants `topic` or the event
    has a `channel`; otherwise the event row keeps `{type, id}` alone, which nobody ever receives
    (a subscription created later only gets events recorded after it). docs/areas/webhooks.md.
    """
    unwanted = False
    if callable(item):
        unwanted = channel is None and not await subscriptions_for(uow, topic)
        item = {"type": subject_type, "id": subject_id} if unwanted else await item()
    item = event_item(item)
    subject_type = subject_type or item.get("type")
    subject_id = subject_id or (str(item["id"]) if item.get("id") is not None else None)
    result = await uow.execute(
        uow.insert(events)
        .values(
            topic=topic,
            subject_type=subject_type,
            subject_id=subject_id,
            channel=channel,
            payload=item,
            created_at=clock.now(),
        )
        .returning(events.c.id)
    )
    event_id = int(result.scalar_one())
    uow.recorded_events.append(event_id)
    if unwanted:
        return event_id
    await on_event_recorded(
        uow,
        event_id=event_id,
        topic=topic,
        item=item,
        subject_type=subject_type,
        subject_id=subject_id,
        channel=channel,
    )
    return event_id
