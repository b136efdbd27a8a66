"""Bodies of the webhook part of the management API (shared/docs/management-api.md)."""

from __future__ import annotations

from typing import Any

from tidings.core.schemas import Out, Request
from tidings.events.storage import PENDING


class CreateSubscription(Request):
    url: str
    topics: list[str]
    secret: str | None = None


class SubscriptionOut(Out, tag="webhook_subscription"):
    id: str
    url: str
    topics: list[str]
    secret: str
    active: bool
    disabled_reason: str | None
    created_at: int

    @classmethod
    def from_row(cls, row: Any) -> SubscriptionOut:
        return cls(
            id=str(row["id"]),
            url=row["url"],
            topics=list(row["topics"] or []),
            secret=row["secret"],
            active=bool(row["active"]),
            disabled_reason=row["disabled_reason"],
            created_at=row["created_at"],
        )


class SubscriptionList(Out, tag="list"):
    data: list[SubscriptionOut]


class DeliveryOut(Out, tag="webhook_delivery"):
    id: str
    # The stable id receivers de-duplicate on (envelope `id`, header X-Tidings-Delivery-Id).
    delivery_id: str
    url: str
    topic: str
    status: str
    attempts: int
    last_status_code: int | None
    last_response: str | None
    last_error: str | None
    payload: Any
    subscription_id: str | None
    created_at: int
    delivered_at: int | None
    next_attempt_at: int | None

    @classmethod
    def from_row(cls, row: Any, body: Any) -> DeliveryOut:
        return cls(
            id=str(row["id"]),
            delivery_id=row["delivery_uid"],
            url=row["url"],
            topic=row["topic"],
            status=row["status"],
            attempts=row["attempts"],
            last_status_code=row["last_status_code"],
            last_response=row["last_response"],
            last_error=row["last_error"],
            payload=body,
            subscription_id=str(row["subscription_id"]) if row["subscription_id"] is not None else None,
            created_at=row["created_at"],
            delivered_at=row["delivered_at"],
            next_attempt_at=row["next_attempt_ms"] // 1000 if row["status"] == PENDING else None,
        )


class DeliveryList(Out, tag="list"):
    data: list[DeliveryOut]
