"""Fin's events (spec: fin_agent_status_updated_event, fin_agent_replied_event, fin_agent_reply_chunk_event)
and the one place they leave the area.

`emit` writes an event in the caller's unit of work, so it is sent only if the state change it
announces commits: to the conversation's SSE channel (`fin_agent_api:{app_id}:{conversation_id}`)
through the outbox, and, except for `fin_reply_chunk` (SSE-only), as a durable, ordered delivery
to the workspace's Fin webhook, signed `X-Fin-Agent-API-Webhook-Signature: sha256=<hex>`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.events import signing
from tidings.events.outbox import enqueue_delivery
from tidings.events.record import record_event
from tidings.webhooks.sse import fin_channel, sse_url

# Intercom's Fin tokens live three minutes.
SSE_TOKEN_SECONDS = 180
START_REWIND = "2m"


def iso_ms(unix_ms: int) -> str:
    """`2025-01-24T10:00:00.123Z`: ISO-8601 in UTC with milliseconds, as every Fin timestamp."""
    moment = datetime.fromtimestamp(unix_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"


def parse_iso_ms(value: str) -> int | None:
    """Unix ms of an ISO-8601 timestamp (a `Z` or an offset; naive means UTC), or None."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(round(moment.timestamp() * 1000))


def status_updated(conversation_id: str, user_id: str, status: str, reason: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_name": "fin_status_updated",
        "conversation_id": conversation_id,
        "user_id": user_id,
        "status": status,
    }
    if reason is not None:
        event["reason"] = reason
    event["created_at_ms"] = iso_ms(clock.now_ms())
    return event


def replied(
    conversation_id: str, user_id: str, message_id: int, body: str, sent_at_ms: int, stream_id: str | None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_name": "fin_replied",
        "conversation_id": conversation_id,
        "user_id": user_id,
        "message": {"id": str(message_id), "author": "fin", "body": body, "timestamp_ms": iso_ms(sent_at_ms)},
        "status": "replying",
    }
    if stream_id is not None:
        event["stream_id"] = stream_id
    event["created_at_ms"] = iso_ms(clock.now_ms())
    return event


def reply_chunk(conversation_id: str, stream_id: str, index: int, text: str) -> dict[str, Any]:
    return {
        "event_name": "fin_reply_chunk",
        "conversation_id": conversation_id,
        "stream_id": stream_id,
        "chunk_index": index,
        "chunk_text": text,
        "status": "replying",
        "created_at_ms": iso_ms(clock.now_ms()),
    }


async def emit(uow: UnitOfWork, settings: Any, event: dict[str, Any], *, sse: bool = True) -> None:
    """Announce `event` on the conversation's SSE channel (unless `sse` is false: inactivity
    messages go by webhook only) and, unless SSE-only, to the Fin webhook."""
    conversation_id = event["conversation_id"]
    if sse:
        await record_event(
            uow,
            event["event_name"],
            event,
            subject_type="fin_conversation",
            subject_id=conversation_id,
            channel=fin_channel(uow.workspace_id, conversation_id),
        )
    if event["event_name"] == "fin_reply_chunk" or settings is None or not settings["webhook_url"]:
        return
    await enqueue_delivery(
        uow,
        url=settings["webhook_url"],
        secret=settings["webhook_secret"],
        signer=signing.FIN,
        topic=event["event_name"],
        payload=event,
        ordering_key=f"fin:{uow.workspace_id}:{conversation_id}",
    )


def subscription_url(workspace_id: str, conversation_id: str, base_url: str, *, rewind: bool) -> str:
    """A fresh `sse_subscription_url`: a three-minute token for this conversation's channel."""
    return sse_url(
        workspace_id,
        fin_channel(workspace_id, conversation_id),
        ttl=SSE_TOKEN_SECONDS,
        rewind=START_REWIND if rewind else None,
        base_url=base_url,
    )
