"""The delivery worker: claims due deliveries, POSTs them, and records what the receiver answered.

It runs inside `tidings serve` (started from the app's lifespan, one per worker process, unless
`TIDINGS_RUN_WORKER=0`) and as `tidings worker` on its own. Any number may run at once:

- A claim is one statement that leases due rows (`lease_until_ms`); on
  PostgreSQL the candidate rows are locked `FOR UPDATE SKIP LOCKED`, so two workers never claim
  the same delivery. A worker that dies mid-delivery leaves a lease that expires after
  `LEASE_MS`; the delivery is then sent again (at-least-once; receivers de-duplicate on the
  delivery's stable id, the envelope `id` / `X-Tidings-Delivery-Id`). An attempt is counted when
  its outcome is recorded, so one cut off before that is numbered again: attempt numbers seen by
  a receiver never skip one.
- Deliveries sharing an `ordering_key` (one subscription and one conversation/ticket, or what the
  caller of `enqueue_delivery` chose) go one at a time, oldest first: a delivery is claimable only
  when no older one with its key is still pending.
- Each attempt has `ATTEMPT_TIMEOUT` seconds in all (Intercom gives receivers 5 s). A 2xx is
  delivered; a 410 fails the delivery and disables its subscription (and fails what it still had
  queued); a 429 delays the whole subscription (`Retry-After` when given); anything else is
  retried after the next step of `TIDINGS_WEBHOOK_RETRY_SCHEDULE` (seconds, comma-separated,
  with up to 5% jitter; the worker wakes when the retry falls due, so gaps stay within 10%), and
  failed once the schedule is spent. At most
  `RESPONSE_BODY_CAP` bytes of a response are kept.
- Outcomes arriving together are written in one transaction (an `executemany` of `SETTLE`).
- New deliveries wake the worker at once (after-commit hook in-process, NOTIFY across processes);
  otherwise it polls every `POLL_SECONDS` for retries that became due.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select, update

from tidings import __version__
from tidings.config import Settings
from tidings.core import clock
from tidings.core.uow import transaction
from tidings.db.storage import Storage
from tidings.events import fanout, outbox, signing
from tidings.events.storage import DELIVERED, FAILED, PENDING, webhook_deliveries, webhook_subscriptions
from tidings.observability.logs import event
from tidings.observability.metrics import record_delivery
from tidings.webhooks.http import SendError, WebhookClient
from tidings.webhooks.safety import UnsafeDestination, check_url, private_destinations_allowed

log = logging.getLogger("tidings.webhooks")

ATTEMPT_TIMEOUT = 5.0
LEASE_MS = 10_000
RESPONSE_BODY_CAP = 1024
POLL_SECONDS = 0.5
# Retries come up to this much after their step (spreading a burst); within the 10% the schedule keeps.
RETRY_JITTER = 0.05
# A retry's wake-up comes this long after it falls due (timers may fire a little early).
WAKE_MARGIN_SECONDS = 0.005
MAX_IN_FLIGHT = 32
HUB_USER_AGENT = "intercom-parrot-service-client/1.0"
USER_AGENT = f"tidings-webhooks/{__version__}"

deliveries = webhook_deliveries


def parse_schedule(value: str) -> list[float]:
    steps = [float(part) for part in value.split(",") if part.strip()]
    if not steps or any(step < 0 for step in steps):
        raise ValueError(f"TIDINGS_WEBHOOK_RETRY_SCHEDULE must be non-negative seconds, got {value!r}")
    return steps


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None = None
    response: str | None = None
    error: str | None = None
    retry_after: float | None = None
    # The destination was refused before sending: retrying cannot help.
    refused: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def notification_envelope(row: Any) -> dict[str, Any]:
    """Intercom's Developer Hub `notification_event` around the delivery's item."""
    ping = row["topic"] == outbox.PING_TOPIC
    return {
        "type": "notification_event",
        "id": None if ping else row["delivery_uid"],
        "topic": row["topic"],
        "app_id": row["workspace_id"],
        "created_at": row["created_at"],
        "delivery_status": None if ping else PENDING,
        "delivery_attempts": attempt_number(row),
        "delivered_at": 0,
        "first_sent_at": row["first_sent_at"],
        "self": None,
        "links": {},
        "data": {"type": "notification_event_data", "item": row["payload"]},
    }


def attempt_number(row: Any) -> int:
    """The number of the attempt a claimed row is sent as: the recorded attempts, plus this one."""
    return int(row["attempts"]) + 1


def request_body(row: Any) -> bytes:
    document = notification_envelope(row) if row["envelope"] else row["payload"]
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def request_headers(row: Any, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": HUB_USER_AGENT if row["signer"] == signing.HUB else USER_AGENT,
        "X-Tidings-Delivery-Id": row["delivery_uid"],
        "X-Tidings-Delivery-Attempt": str(attempt_number(row)),
    }
    headers.update(row["headers"] or {})
    headers.update(signing.signature_headers(row["signer"], row["secret"], body))
    return headers


def retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


async def post(client: WebhookClient, row: Any) -> Outcome:
    """One attempt: the whole exchange within ATTEMPT_TIMEOUT, at most RESPONSE_BODY_CAP bytes kept.

    The client checks the destination's addresses when it connects; a refused one is not retried."""
    body = request_body(row)
    try:
        check_url(row["url"])
        async with asyncio.timeout(ATTEMPT_TIMEOUT):
            answer = await client.post(row["url"], body, request_headers(row, body), keep=RESPONSE_BODY_CAP)
    except UnsafeDestination as exc:
        return Outcome(error=str(exc), refused=True)
    except TimeoutError:
        return Outcome(error=f"no answer within {ATTEMPT_TIMEOUT:g} s")
    except SendError as exc:
        return Outcome(error=str(exc)[:500])
    return Outcome(
        status_code=answer.status_code,
        response=answer.body.decode(errors="replace"),
        retry_after=retry_after_seconds(answer.headers.get("retry-after")),
    )


def claim_statement(dialect: str, now_ms: int, limit: int, lease_until: int) -> Any:
    earlier = deliveries.alias("earlier")
    older_pending = (
        exists()
        .where(earlier.c.ordering_key == deliveries.c.ordering_key)
        .where(earlier.c.status == PENDING)
        .where(earlier.c.id < deliveries.c.id)
    )
    due = (
        select(deliveries.c.id)
        .where(deliveries.c.status == PENDING)
        # Due by the workspace's clock (tidings.control can move it); leases go by real time.
        .where(deliveries.c.next_attempt_ms <= clock.workspace_now_ms_sql(deliveries.c.workspace_id, now_ms))
        .where(deliveries.c.lease_until_ms <= now_ms)
        .where(or_(deliveries.c.ordering_key.is_(None), ~older_pending))
        # The due index gives this order without a sort; order within a key is the EXISTS above.
        .order_by(deliveries.c.next_attempt_ms)
        .limit(limit)
    )
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True, of=deliveries)
    return (
        update(deliveries)
        .where(deliveries.c.id.in_(due.scalar_subquery()))
        .values(
            lease_until_ms=lease_until,
            first_sent_at=func.coalesce(
                deliveries.c.first_sent_at, clock.workspace_now_ms_sql(deliveries.c.workspace_id, now_ms) // 1000
            ),
        )
        .returning(*deliveries.c)
    )


class DeliveryWorker:
    def __init__(self, storage: Storage, settings: Settings, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.storage = storage
        self.settings = settings
        self.schedule = parse_schedule(settings.webhook_retry_schedule)
        self.max_in_flight = max_in_flight
        self.wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._outcomes: list[tuple[Any, Outcome, asyncio.Future[None]]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._stopping = False

    async def run(self) -> None:
        fanout.register_worker(self.wake)
        client = WebhookClient(allow_private=private_destinations_allowed(self.settings))
        try:
            while not self._stopping:
                self.wake.clear()
                free = self.max_in_flight - len(self._in_flight)
                claimed = await self._claim_safely(free) if free > 0 else []
                for row in claimed:
                    task = asyncio.create_task(self._deliver(client, row))
                    self._in_flight.add(task)
                    task.add_done_callback(self._done)
                if claimed and len(claimed) == free:
                    continue
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS):
                        await self.wake.wait()
            await self._drain()
        finally:
            fanout.unregister_worker(self.wake)
            await client.aclose()

    def stop(self) -> None:
        self._stopping = True
        self.wake.set()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        # A finished delivery may unblock the next one with its ordering key; claiming again once
        # half the slots are free (rather than per delivery) keeps claims batched under load.
        if len(self._in_flight) <= self.max_in_flight // 2:
            self.wake.set()

    async def _drain(self) -> None:
        """On shutdown give in-flight attempts their time; what is cut off is retried after its lease."""
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=ATTEMPT_TIMEOUT + 1)
        for task in self._in_flight:
            task.cancel()

    async def _claim_safely(self, limit: int) -> list[Any]:
        try:
            return await self.claim(limit)
        except Exception:
            log.exception("claiming deliveries failed")
            await asyncio.sleep(POLL_SECONDS)
            return []

    async def claim(self, limit: int) -> list[Any]:
        now_ms = clock.real_ms()
        async with transaction(self.storage) as tx:
            stmt = claim_statement(tx.dialect, now_ms, limit, now_ms + LEASE_MS)
            return list((await tx.execute(stmt)).mappings().all())

    async def _deliver(self, client: WebhookClient, row: Any) -> None:
        outcome = await post(client, row)
        try:
            await self.record(row, outcome)
        except Exception:
            log.exception("recording delivery %s failed; it is retried after its lease", row["id"])

    def retry_delay_ms(self, attempts: int, outcome: Outcome) -> int | None:
        """Milliseconds until the next attempt, or None when the schedule is spent."""
        if attempts > len(self.schedule):
            return None
        step = self.schedule[attempts - 1]
        if outcome.retry_after is not None:
            step = max(step, outcome.retry_after)
        return int(step * 1000 * random.uniform(1.0, 1.0 + RETRY_JITTER))

    def settle(self, row: Any, outcome: Outcome, now_ms: int) -> dict[str, Any]:
        """The row's new state after `outcome`, as parameters of `SETTLE`."""
        delay = None if outcome.refused else self.retry_delay_ms(attempt_number(row), outcome)
        status, next_attempt_ms, delivered_at = PENDING, row["next_attempt_ms"], None
        if outcome.delivered:
            status, delivered_at = DELIVERED, now_ms // 1000
        elif outcome.status_code == 410 or delay is None:
            status = FAILED
        else:
            next_attempt_ms = now_ms + delay
        return {
            "b_id": row["id"],
            "b_lease": row["lease_until_ms"],
            "v_status": status,
            "v_attempts": attempt_number(row),
            "v_next_attempt_ms": next_attempt_ms,
            "v_delivered_at": delivered_at,
            "v_last_status_code": outcome.status_code,
            "v_last_response": outcome.response,
            "v_last_error": outcome.error,
        }

    async def record(self, row: Any, outcome: Outcome) -> None:
        """Store an attempt's outcome; outcomes arriving together are written in one transaction."""
        done = asyncio.get_running_loop().create_future()
        self._outcomes.append((row, outcome, done))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._write_outcomes())
        await done

    async def _write_outcomes(self) -> None:
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            try:
                await self._write(batch)
            except Exception as exc:
                for _, _, done in batch:
                    done.set_exception(exc)
            else:
                for _, _, done in batch:
                    done.set_result(None)

    async def _write(self, batch: list[tuple[Any, Outcome, asyncio.Future[None]]]) -> None:
        settled = [self.settle(row, outcome, clock.workspace_now_ms(row["workspace_id"])) for row, outcome, _ in batch]
        async with transaction(self.storage) as tx:
            await tx.execute(SETTLE, settled)
            for (row, outcome, _), values in zip(batch, settled, strict=True):
                subscription_id = row["subscription_id"]
                if subscription_id is None:
                    continue
                if outcome.status_code == 410:
                    await disable_subscription(tx, subscription_id, "The receiver answered 410 Gone")
                elif outcome.status_code == 429 and values["v_status"] == PENDING:
                    await throttle_subscription(tx, subscription_id, until_ms=values["v_next_attempt_ms"])
        loop = asyncio.get_running_loop()
        for (row, outcome, _), values in zip(batch, settled, strict=True):
            if values["v_status"] == PENDING:
                # Wake when the retry falls due rather than at the next poll (which would add up to
                # POLL_SECONDS to the step). Workspace time runs at real speed unless frozen; a
                # frozen clock's retries are fired by its advance.
                due_in = (values["v_next_attempt_ms"] - clock.workspace_now_ms(row["workspace_id"])) / 1000
                loop.call_later(max(due_in, 0) + WAKE_MARGIN_SECONDS, self.wake.set)
            report_attempt(row, outcome, values["v_status"], clock.workspace_now_ms(row["workspace_id"]))


def report_attempt(row: Any, outcome: Outcome, status: str, now_ms: int) -> None:
    """The attempt's log line and metrics: delivered, retrying (still pending) or failed."""
    became = "retrying" if status == PENDING else status
    lag = (now_ms - row["created_at_ms"]) / 1000 if status == DELIVERED else None
    record_delivery(became, lag)
    event(
        log,
        "webhook delivery attempt",
        logging.INFO if status != FAILED else logging.WARNING,
        delivery_id=row["id"],
        workspace_id=row["workspace_id"],
        topic=row["topic"],
        attempt=attempt_number(row),
        outcome=became,
        status_code=outcome.status_code,
        error=outcome.error,
        lag_ms=None if lag is None else round(lag * 1000),
    )


# Only the holder of the lease records: a claim taken over after its lease expired is not overwritten.
SETTLE = (
    update(deliveries)
    .where(deliveries.c.id == bindparam("b_id"), deliveries.c.lease_until_ms == bindparam("b_lease"))
    .values(
        status=bindparam("v_status"),
        attempts=bindparam("v_attempts"),
        next_attempt_ms=bindparam("v_next_attempt_ms"),
        delivered_at=bindparam("v_delivered_at"),
        last_status_code=bindparam("v_last_status_code"),
        last_response=bindparam("v_last_response"),
        last_error=bindparam("v_last_error"),
        lease_until_ms=0,
    )
)


async def disable_subscription(tx: Any, subscription_id: int, reason: str) -> None:
    await tx.execute(
        update(webhook_subscriptions)
        .where(webhook_subscriptions.c.id == subscription_id)
        .values(active=False, disabled_reason=reason)
    )
    await tx.execute(
        update(deliveries)
        .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == PENDING)
        .values(status=FAILED, last_error=reason)
    )


async def throttle_subscription(tx: Any, subscription_id: int, until_ms: int) -> None:
    """A 429 holds back everything for the subscription, queued or still to come, until `until_ms`."""
    await tx.execute(
        update(webhook_subscriptions)
        .where(webhook_subscriptions.c.id == subscription_id)
        .values(throttled_until_ms=until_ms)
    )
    await tx.execute(
        update(deliveries)
        .where(deliveries.c.subscription_id == subscription_id)
        .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_ms < until_ms)
        .values(next_attempt_ms=until_ms)
    )
