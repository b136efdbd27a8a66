"""Server-Sent Events: a channel's stored events, replayed and then live, to a holder of a signed token.

    GET /_tidings/event-stream?channels=<channel>&accessToken=<token>[&rewind=2m]     (Last-Event-ID: <id>)

- Events reach a channel through `record_event(uow, topic, item, channel=...)`; each is sent as
  one unnamed frame, `id: <event id>` and `data: <the item as JSON>` (what an `EventSource`'s
  `onmessage` parses), once its transaction has committed.
- `issue_sse_token(workspace_id, channel, ttl)` makes the token: an HS256 JWT (claims `ws`, `ch`,
  `exp`, `iat_ms`) keyed from the server's admin key, so every worker process accepts it. It grants
  exactly one channel; the stream ends when the token expires (Intercom's are valid 3 minutes).
  `sse_url(workspace_id, channel, ttl=..., rewind="2m")` builds the whole URL, as Fin's
  `sse_subscription_url`; `fin_channel(workspace_id, conversation_id)` names Fin's channel.
- `close_channel_streams(uow, channel)` revokes every token of the channel issued before it and
  ends their streams after the commit (Fin's stream closes at `awaiting_user_reply` and
  `complete`). A revoked token opens no new stream (401), except to replay (`rewind`,
  `Last-Event-ID`) what came before the close: an answer faster than the client's connect is not lost.
- Replay: `Last-Event-ID` (or `lastEventId=`) resends every later event of the channel; `rewind`
  (`90s`, `2m`, `1h`) resends the events of that last stretch; with neither the stream starts at
  the next event.
- Across processes (PostgreSQL) the commit's NOTIFY reaches every process's LISTEN connection,
  so a stream on any worker sees every event; on SQLite (one process) commits publish in-process.
  Every stream also re-reads its channel each `CATCH_UP_SECONDS` without a notification, which
  covers commits by processes that cannot notify it (a CLI or `tidings worker` on SQLite) and a
  dropped LISTEN connection. Keep-alive comments are sent after `KEEPALIVE_SECONDS` of quiet.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromQuery, HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from sqlalchemy import func, or_, select

from tidings.bootstrap import load_admin_key
from tidings.config import Settings
from tidings.core import clock
from tidings.core.errors import TOKEN_EXPIRED, found, invalid, unauthorized
from tidings.core.ids import is_integer_text
from tidings.core.uow import UnitOfWork
from tidings.db.storage import Storage
from tidings.events.fanout import CATCH_UP, hub
from tidings.events.record import record_event
from tidings.events.storage import events

DEFAULT_TOKEN_TTL = 180
KEEPALIVE_SECONDS = 15.0
# A stream re-reads its channel this often even without a notification.
CATCH_UP_SECONDS = 1.0
# The topic of the marker `close_channel_streams` records.
STREAM_CLOSED_TOPIC = "tidings.stream.closed"
MAX_REWIND_SECONDS = 3600
_REWIND = re.compile(r"^(?P<amount>\d+)(?P<unit>[smh]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True, slots=True)
class SseGrant:
    workspace_id: str
    channel: str
    expires_at: int
    # When the token was made: a channel close at or after this revokes it.
    issued_at_ms: int


def fin_channel(workspace_id: str, conversation_id: str) -> str:
    """Fin Agent API's per-conversation channel, as in Intercom's `sse_subscription_url`."""
    return f"fin_agent_api:{workspace_id}:{conversation_id}"


@cache
def _signing_key(admin_key: str | None = None) -> bytes:
    """Derived from the admin key, which every process of one server shares."""
    key = admin_key or load_admin_key(Settings())
    return hashlib.sha256(b"tidings-sse-token:" + key.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_JWT_HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())


def issue_sse_token(
    workspace_id: str, channel: str, ttl: int = DEFAULT_TOKEN_TTL, *, admin_key: str | None = None
) -> str:
    """A token granting the SSE stream of `channel` in `workspace_id` for `ttl` seconds.

    `admin_key` is only for callers outside the server (tests, scripts) that know the server's key.
    """
    claims = {"ws": workspace_id, "ch": channel, "exp": clock.now() + ttl, "iat_ms": clock.now_ms()}
    signing_input = f"{_JWT_HEADER}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    signature = hmac.new(_signing_key(admin_key), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def verify_sse_token(token: str) -> SseGrant:
    rejected = unauthorized()
    try:
        header, claims_part, signature = token.split(".")
        expected = hmac.new(_signing_key(), f"{header}.{claims_part}".encode(), hashlib.sha256).digest()
        if header != _JWT_HEADER or not hmac.compare_digest(_unb64(signature), expected):
            raise rejected
        claims = json.loads(_unb64(claims_part))
        grant = SseGrant(
            workspace_id=str(claims["ws"]),
            channel=str(claims["ch"]),
            expires_at=int(claims["exp"]),
            issued_at_ms=int(claims["iat_ms"]),
        )
    except (ValueError, KeyError, TypeError):
        raise rejected from None
    if grant.expires_at <= clock.now():
        raise TOKEN_EXPIRED()
    return grant


def sse_url(
    workspace_id: str,
    channel: str,
    *,
    ttl: int = DEFAULT_TOKEN_TTL,
    rewind: str | None = None,
    base_url: str | None = None,
) -> str:
    """The full URL of `channel`'s stream with a fresh token, e.g. for Fin's `sse_subscription_url`."""
    query = {"channels": channel, "accessToken": issue_sse_token(workspace_id, channel, ttl)}
    if rewind:
        query["rewind"] = rewind
    return f"{(base_url or Settings().base_url).rstrip('/')}/_tidings/event-stream?{urlencode(query)}"


def rewind_seconds(value: str) -> int:
    match = found(_REWIND.match(value.strip()), invalid("rewind must be a duration such as 90s, 2m or 1h", "rewind"))
    return min(MAX_REWIND_SECONDS, int(match["amount"]) * _UNIT_SECONDS[match["unit"]])


async def _read(storage: Storage, stmt: Any) -> list[Any]:
    tx = await storage.begin(write=False)
    try:
        return list((await tx.execute(stmt)).mappings().all())
    finally:
        await tx.rollback()


def _channel_events(grant: SseGrant) -> Any:
    return (
        select(events.c.id, events.c.topic, events.c.payload)
        .where(events.c.workspace_id == grant.workspace_id, events.c.channel == grant.channel)
        .order_by(events.c.id)
    )


async def _latest_id(storage: Storage, grant: SseGrant) -> int:
    stmt = select(func.max(events.c.id).label("latest")).where(
        events.c.workspace_id == grant.workspace_id, events.c.channel == grant.channel
    )
    rows = await _read(storage, stmt)
    return int(rows[0]["latest"] or 0) if rows else 0


def _revokes(row: Any, grant: SseGrant) -> bool:
    """Whether the event is a close of the channel that came after the grant's token was made."""
    return row["topic"] == STREAM_CLOSED_TOPIC and int(row["payload"].get("closed_at_ms", 0)) >= grant.issued_at_ms


async def _revoked(storage: Storage, grant: SseGrant) -> bool:
    issued = grant.issued_at_ms // 1000 - 1  # events keep seconds: read from the second before
    closes = _channel_events(grant).where(events.c.topic == STREAM_CLOSED_TOPIC, events.c.created_at >= issued)
    return any(_revokes(row, grant) for row in await _read(storage, closes))


def _frame(row: Any) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=json.dumps(row["payload"], separators=(",", ":")), id=row["id"])


async def _stream(
    storage: Storage, grant: SseGrant, last_event_id: int | None, rewind: int | None
) -> AsyncIterator[ServerSentEventMessage]:
    queue = hub.subscribe(grant.workspace_id, grant.channel)
    sent: set[int] = set()
    try:
        if last_event_id is not None:
            backlog = await _read(storage, _channel_events(grant).where(events.c.id > last_event_id))
            last = last_event_id
        elif rewind is not None:
            backlog = await _read(storage, _channel_events(grant).where(events.c.created_at >= clock.now() - rewind))
            last = 0
        else:
            backlog, last = [], await _latest_id(storage, grant)
        last = max([last, *(row["id"] for row in backlog)])
        for row in backlog:
            sent.add(row["id"])
            if _revokes(row, grant):
                return
            if row["topic"] != STREAM_CLOSED_TOPIC:
                yield _frame(row)
        quiet_since = asyncio.get_running_loop().time()
        while (remaining := grant.expires_at - clock.now()) > 0:
            try:
                async with asyncio.timeout(min(CATCH_UP_SECONDS, remaining)):
                    notified = {await queue.get()}
            except TimeoutError:
                # No notification: look for commits made where none is sent (another process on SQLite).
                notified = {CATCH_UP}
            while not queue.empty():
                notified.add(queue.get_nowait())
            # Ids past the last one sent, plus any notified id (a commit may land out of id order).
            condition = or_(events.c.id > last, events.c.id.in_(notified - {CATCH_UP}))
            for row in await _read(storage, _channel_events(grant).where(condition)):
                if row["id"] in sent:
                    continue
                sent.add(row["id"])
                last = max(last, row["id"])
                if _revokes(row, grant):
                    return
                if row["topic"] == STREAM_CLOSED_TOPIC:
                    continue
                quiet_since = asyncio.get_running_loop().time()
                yield _frame(row)
            if asyncio.get_running_loop().time() - quiet_since >= KEEPALIVE_SECONDS:
                quiet_since = asyncio.get_running_loop().time()
                yield ServerSentEventMessage(data=None, comment="keep-alive")
    finally:
        hub.unsubscribe(grant.workspace_id, grant.channel, queue)


def parse_last_event_id(value: str | None) -> int | None:
    return _parse_last_event_id(value)


async def close_channel_streams(uow: UnitOfWork, channel: str) -> int:
    """End every open stream of `channel` once the caller's transaction commits.

    Fin's stream closes when Fin reaches `awaiting_user_reply` or `complete`; the next
    `/fin/reply` hands out a fresh URL. The close is stored as an event of the channel (never sent
    as a frame) and revokes the tokens made before it: their streams end there, resumed or
    rewound alike, while a token made after it (the next `/fin/reply`'s) streams on.
    """
    return await record_event(uow, STREAM_CLOSED_TOPIC, {"closed_at_ms": clock.now_ms()}, channel=channel)


def _parse_last_event_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    if not is_integer_text(value.strip()):
        raise invalid("Last-Event-ID must be an event id", "Last-Event-ID")
    return int(value.strip())


class EventStreamController(Controller):
    path = "/_tidings/event-stream"
    include_in_schema = False

    @get("/", operation_id="tidingsEventStream")
    async def event_stream(
        self,
        state: State,
        channels: FromQuery[str],
        access_token: Annotated[str, QueryParameter(name="accessToken")],
        rewind: FromQuery[str | None] = None,
        last_event_id_query: Annotated[str | None, QueryParameter(name="lastEventId")] = None,
        last_event_id_header: Annotated[str | None, HeaderParameter(name="Last-Event-ID")] = None,
    ) -> ServerSentEvent:
        grant = verify_sse_token(access_token)
        if channels != grant.channel:
            raise unauthorized("The access token does not grant this channel")
        last_event_id = _parse_last_event_id(last_event_id_header or last_event_id_query)
        window = rewind_seconds(rewind) if rewind and last_event_id is None else None
        if last_event_id is None and window is None and await _revoked(state.storage, grant):
            raise unauthorized()
        stream = _stream(state.storage, grant, last_event_id, window)
        return ServerSentEvent(stream, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
