"""From the outbox to the delivery queue: what other areas call to send something durably.

Areas announce changes with `tidings.events.record.record_event(uow, topic, item, channel=...)`;
this module is what it calls in the same transaction:

- every active Developer Hub subscription of the workspace whose topics include `topic` gets a
  delivery (Intercom's `notification_event` envelope, `X-Hub-Signature`), ordered per
  subscription and per subject (conversation, ticket...);
- an event recorded with a `channel` (e.g. Fin's `fin_agent_api:{app_id}:{conversation_id}`) is
  announced to Server-Sent Events subscribers of that channel once the transaction commits
  (PostgreSQL: a transactional NOTIFY every process listens to; SQLite: in-process).

To send a signed body to one specific destination (Fin's webhook, the custom channel) call

    await enqueue_delivery(
        uow, url=..., secret=..., signer=signing.FIN, topic="fin_replied", payload={...},
        ordering_key=f"fin:{conversation_id}", headers={"Authorization": "Bearer ..."},
    )

in the request's unit of work: the delivery exists only if the transaction commits, survives
restarts, is retried on `TIDINGS_WEBHOOK_RETRY_SCHEDULE`, and deliveries sharing an
`ordering_key` are sent one at a time in the order they were enqueued. The payload is POSTed as
JSON exactly as given (`envelope=False`) and signed by `signer` (see `tidings.events.signing`).
After the commit the local worker is woken at once; other processes are woken by NOTIFY.
Check a destination when it is saved with `tidings.webhooks.service.validate_url(url, settings)`
(400 `parameter_invalid` on `url`); the worker checks the resolved address again before each attempt.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from sqlalchemy import text

from tidings.core import clock
from tidings.core.ids import uuid4
from tidings.core.uow import UnitOfWork
from tidings.events import signing
from tidings.events.fanout import hub, wake_workers
from tidings.events.storage import PENDING, webhook_deliveries, webhook_subscriptions

DELIVERIES_CHANNEL = "tidings_deliveries"
EVENTS_CHANNEL = "tidings_events"
PING_TOPIC = "ping"


async def enqueue_delivery(
    uow: UnitOfWork,
    *,
    url: str,
    secret: str | None,
    signer: str,
    topic: str,
    payload: dict[str, Any],
    ordering_key: str | None = None,
    headers: dict[str, str] | None = None,
    envelope: bool = False,
    event_id: int | None = None,
    subscription_id: int | None = None,
    not_before_ms: int = 0,
) -> int:
    """Queue one signed POST of `payload` to `url` in the caller's transaction; returns the delivery id."""
    if signer not in signing.SIGNERS:
        raise ValueError(f"unknown signer {signer!r}")
    now_ms = clock.now_ms()
    result = await uow.execute(
        uow.insert(webhook_deliveries)
        .values(
            delivery_uid=("notif_" if envelope else "dlv_") + uuid4(),
            event_id=event_id,
            subscription_id=subscription_id,
            url=url,
            secret=secret,
            signer=signer,
            envelope=envelope,
            headers=headers,
            topic=topic,
            payload=payload,
            ordering_key=ordering_key,
            status=PENDING,
            attempts=0,
            next_attempt_ms=max(now_ms, not_before_ms),
            lease_until_ms=0,
            created_at=now_ms // 1000,
            created_at_ms=now_ms,
        )
        .returning(webhook_deliveries.c.id)
    )
    await announce_deliveries(uow)
    return int(result.scalar_one())


async def announce_deliveries(uow: UnitOfWork) -> None:
    """Wake workers after the commit: this process's directly, others' by a transactional NOTIFY."""
    if wake_workers in uow.after_commit:
        return
    uow.after_commit.append(wake_workers)
    if uow.dialect == "postgresql":
        await uow.execute(text("SELECT pg_notify(:channel, '')"), {"channel": DELIVERIES_CHANNEL})


async def subscriptions_for(uow: UnitOfWork, topic: str) -> list[Any]:
    rows = await uow.all(uow.select(webhook_subscriptions).where(webhook_subscriptions.c.active.is_(True)))
    return [row for row in rows if topic == PING_TOPIC or topic in (row["topics"] or [])]


async def deliver_to_subscriptions(
    uow: UnitOfWork,
    *,
    event_id: int | None,
    topic: str,
    item: dict[str, Any],
    subject_type: str | None,
    subject_id: str | None,
) -> None:
    for subscription in await subscriptions_for(uow, topic):
        await enqueue_to_subscription(
            uow, subscription, topic=topic, item=item, event_id=event_id, subject=(subject_type, subject_id)
        )


async def enqueue_to_subscription(
    uow: UnitOfWork,
    subscription: Any,
    *,
    topic: str,
    item: dict[str, Any],
    event_id: int | None = None,
    subject: tuple[str | None, str | None] = (None, None),
) -> int:
    subject_type, subject_id = subject
    ordering_key = f"sub:{subscription['id']}:{subject_type}:{subject_id}" if subject_id else None
    return await enqueue_delivery(
        uow,
        url=subscription["url"],
        secret=subscription["secret"],
        signer=signing.HUB,
        topic=topic,
        payload=item,
        ordering_key=ordering_key,
        envelope=True,
        event_id=event_id,
        subscription_id=int(subscription["id"]),
        not_before_ms=subscription["throttled_until_ms"] or 0,
    )


async def announce_channel_event(uow: UnitOfWork, channel: str, event_id: int) -> None:
    """Tell SSE subscribers of `channel` about the event once (and only if) the transaction commits."""
    if uow.dialect == "postgresql":
        message = json.dumps({"w": uow.workspace_id, "c": channel, "i": event_id}, separators=(",", ":"))
        await uow.execute(text("SELECT pg_notify(:channel, :message)"), {"channel": EVENTS_CHANNEL, "message": message})
    else:
        uow.after_commit.append(partial(hub.publish, uow.workspace_id, channel, event_id))


async def on_event_recorded(
    uow: UnitOfWork,
    *,
    event_id: int,
    topic: str,
    item: dict[str, Any],
    subject_type: str | None,
    subject_id: str | None,
    channel: str | None,
) -> None:
    """Called by `record_event` in the event's transaction."""
    await deliver_to_subscriptions(
        uow, event_id=event_id, topic=topic, item=item, subject_type=subject_type, subject_id=subject_id
    )
    if channel is not None:
        await announce_channel_event(uow, channel, event_id)
