"""The event outbox, webhook subscriptions (Developer Hub) and the delivery queue every outgoing webhook goes through.

A delivery row is one body to POST to one URL: who signs it (`signer`), with which secret, whether
it is wrapped in Intercom's `notification_event` envelope (`envelope`), and the ordering key that
keeps deliveries of one conversation/ticket to one endpoint in order. The worker claims due rows
with a lease (`lease_until_ms`); a crashed worker's claims become due again when the lease expires.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from tidings.db.metadata import KEEP_ON_RESET, BigId, JsonType, id_column, metadata, timestamp_column, workspace_column

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

# The outbox: a change worth announcing is written here in the change's own transaction.
events = Table(
    "events",
    metadata,
    id_column(),
    workspace_column(),
    Column("topic", String(128), nullable=False),
    # What the event is about (a conversation, a ticket...), for per-object ordering and SSE channels.
    Column("subject_type", String(64), nullable=True),
    Column("subject_id", String(64), nullable=True),
    Column("channel", String(255), nullable=True),
    Column("payload", JsonType, nullable=False),
    timestamp_column("created_at"),
    Index("ix_events_workspace_topic", "workspace_id", "topic"),
    Index("ix_events_channel", "channel", "id"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    id_column(),
    workspace_column(),
    Column("url", String(2048), nullable=False),
    Column("topics", JsonType, nullable=False),
    Column("secret", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    # Why delivery stopped (a 410 from the receiver), shown in the subscription.
    Column("disabled_reason", String(255), nullable=True),
    # After a 429 nothing is sent to the subscription before this time (new deliveries included).
    Column("throttled_until_ms", BigId, nullable=False, default=0),
    timestamp_column("created_at"),
    info=KEEP_ON_RESET,
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    id_column(),
    workspace_column(),
    # The stable id receivers de-duplicate on (envelope `id`, header X-Tidings-Delivery-Id).
    Column("delivery_uid", String(64), nullable=False, unique=True),
    Column("event_id", BigId, nullable=True),
    Column(
        "subscription_id",
        ForeignKey("webhook_subscriptions.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    Column("url", String(2048), nullable=False),
    Column("secret", String(255), nullable=True),
    Column("signer", String(32), nullable=False),
    Column("envelope", Boolean, nullable=False, default=False),
    Column("headers", JsonType, nullable=True),
    Column("topic", String(128), nullable=False),
    Column("payload", JsonType, nullable=False),
    Column("ordering_key", String(255), nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_ms", BigId, nullable=False),
    Column("lease_until_ms", BigId, nullable=False, default=0),
    Column("last_status_code", Integer, nullable=True),
    Column("last_response", Text, nullable=True),
    Column("last_error", String(512), nullable=True),
    timestamp_column("created_at"),
    Column("created_at_ms", BigId, nullable=False),
    timestamp_column("first_sent_at", nullable=True),
    timestamp_column("delivered_at", nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_ms"),
    Index("ix_webhook_deliveries_ordering", "ordering_key", "status", "id"),
    Index("ix_webhook_deliveries_workspace_created", "workspace_id", "id"),
)
