"""Subscriptions and the delivery log, for the management API and the CLI."""

from __future__ import annotations

import secrets
from typing import Any

from tidings.config import Settings
from tidings.core import clock
from tidings.core.errors import invalid, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.events import outbox
from tidings.events.storage import DELIVERED, FAILED, PENDING, webhook_deliveries, webhook_subscriptions
from tidings.webhooks.safety import UnsafeDestination, check_saved_url
from tidings.webhooks.schemas import CreateSubscription, DeliveryOut, SubscriptionOut
from tidings.webhooks.worker import notification_envelope

STATUSES = (PENDING, DELIVERED, FAILED)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
PING_MESSAGE = "Hello from tidings: this webhook subscription is set up."


def delivery_out(row: Any) -> DeliveryOut:
    """The delivery with the body it was (or will be) sent with."""
    return DeliveryOut.from_row(row, notification_envelope(row) if row["envelope"] else row["payload"])


async def validate_url(url: str, settings: Settings) -> None:
    try:
        await check_saved_url(url, settings)
    except UnsafeDestination as exc:
        raise invalid(str(exc), "url") from None


async def create_subscription(uow: UnitOfWork, data: CreateSubscription, settings: Settings) -> SubscriptionOut:
    await validate_url(data.url, settings)
    topics = [topic.strip() for topic in data.topics]
    if not topics or any(not topic for topic in topics):
        raise invalid("topics must list at least one topic", "topics")
    secret = data.secret or secrets.token_hex(20)
    result = await uow.execute(
        uow.insert(webhook_subscriptions)
        .values(url=data.url, topics=topics, secret=secret, active=True, created_at=clock.now())
        .returning(webhook_subscriptions.c.id)
    )
    row = await subscription_row(uow, int(result.scalar_one()))
    await outbox.enqueue_to_subscription(
        uow, row, topic=outbox.PING_TOPIC, item={"type": "ping", "message": PING_MESSAGE}
    )
    return SubscriptionOut.from_row(row)


async def subscription_row(uow: UnitOfWork, subscription_id: int) -> Any:
    return await uow.one_or_none(uow.select(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id))


async def list_subscriptions(uow: UnitOfWork) -> list[SubscriptionOut]:
    rows = await uow.all(uow.select(webhook_subscriptions).order_by(webhook_subscriptions.c.id))
    return [SubscriptionOut.from_row(row) for row in rows]


async def delete_subscription(uow: UnitOfWork, subscription_id: str) -> None:
    numeric = parse_numeric_id(subscription_id)
    if numeric is None or await subscription_row(uow, numeric) is None:
        raise not_found(f"Webhook subscription {subscription_id} not found")
    await uow.execute(
        uow.update(webhook_deliveries)
        .where(webhook_deliveries.c.subscription_id == numeric, webhook_deliveries.c.status == PENDING)
        .values(status=FAILED, last_error="The subscription was deleted")
    )
    await uow.execute(uow.delete(webhook_subscriptions).where(webhook_subscriptions.c.id == numeric))


async def list_deliveries(
    uow: UnitOfWork, status: str | None = None, topic: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[DeliveryOut]:
    if status is not None and status not in STATUSES:
        raise invalid(f"status must be one of {', '.join(STATUSES)}", "status")
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    stmt = uow.select(webhook_deliveries).order_by(webhook_deliveries.c.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(webhook_deliveries.c.status == status)
    if topic is not None:
        stmt = stmt.where(webhook_deliveries.c.topic == topic)
    return [delivery_out(row) for row in await uow.all(stmt)]


async def redeliver(uow: UnitOfWork, delivery_id: str) -> DeliveryOut:
    """Queue the same payload again, its attempts counted afresh."""
    numeric = parse_numeric_id(delivery_id)
    found = numeric is not None and await uow.one_or_none(
        uow.select(webhook_deliveries).where(webhook_deliveries.c.id == numeric)
    )
    if not found:
        raise not_found(f"Webhook delivery {delivery_id} not found")
    await uow.execute(
        uow.update(webhook_deliveries)
        .where(webhook_deliveries.c.id == numeric)
        .values(
            status=PENDING,
            attempts=0,
            next_attempt_ms=clock.now_ms(),
            lease_until_ms=0,
            first_sent_at=None,
            delivered_at=None,
        )
    )
    await outbox.announce_deliveries(uow)
    row = await uow.one_or_none(uow.select(webhook_deliveries).where(webhook_deliveries.c.id == numeric))
    return delivery_out(row)
