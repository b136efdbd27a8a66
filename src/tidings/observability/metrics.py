"""Prometheus metrics (`prometheus-client`), shared across worker processes.

`tidings serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before any worker starts, so
every worker writes its samples there and whichever worker answers a scrape reports them all.
Without it (a bare `create_app()`), the process's own registry is used. prometheus_client is
imported on first use, after `serve` has set the directory: it picks its storage at import.

Figures read at scrape time (outbox depth, pool use) come from the answering process's view.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import func, select

from tidings.core import clock
from tidings.db.storage import Storage
from tidings.events.storage import PENDING
from tidings.events.storage import webhook_deliveries as deliveries

log = logging.getLogger("tidings.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SAMPLE_SECONDS = 5.0
# Seconds: API calls and Fin's retrieval are milliseconds; Fin turns with a model and webhook lag run to minutes.
FAST_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
SLOW_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400)

P = ParamSpec("P")
T = TypeVar("T")


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.requests = Counter(
            "tidings_http_requests", "HTTP requests answered.", ["operation_id", "method", "status"]
        )
        self.request_seconds = Histogram(
            "tidings_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["operation_id"],
            buckets=FAST_BUCKETS,
        )
        self.deliveries = Counter(
            "tidings_webhook_delivery_attempts",
            "Webhook delivery attempts, by what became of the delivery.",
            ["outcome"],
        )
        self.delivery_lag = Histogram(
            "tidings_webhook_delivery_lag_seconds",
            "From a delivery being queued to it being delivered.",
            buckets=SLOW_BUCKETS,
        )
        self.fin_turns = Counter("tidings_fin_turns", "Fin turns finished, by outcome.", ["outcome"])
        self.fin_turn_seconds = Histogram(
            "tidings_fin_turn_duration_seconds", "Time Fin takes for a turn.", ["outcome"], buckets=SLOW_BUCKETS
        )
        self.retrieval_seconds = Histogram(
            "tidings_retrieval_duration_seconds",
            "Time to retrieve passages from the content library.",
            buckets=FAST_BUCKETS,
        )
        self.jobs = Counter("tidings_jobs", "Background jobs finished, by kind and outcome.", ["kind", "outcome"])
        self.pool = Gauge(
            "tidings_db_pool_connections",
            "Database connections by state, per worker process.",
            ["state"],
            multiprocess_mode="liveall",
        )
        self.outbox = Gauge(
            "tidings_outbox_pending_deliveries",
            "Webhook deliveries waiting to be sent (due: their next attempt time has come).",
            ["due"],
            multiprocess_mode="mostrecent",
        )
        self.outbox_oldest = Gauge(
            "tidings_outbox_oldest_pending_seconds",
            "Age of the oldest webhook delivery still pending.",
            multiprocess_mode="mostrecent",
        )


@functools.cache
def metrics() -> Metrics:
    return Metrics()


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# (operation, method, status) -> its counter and histogram: `labels()` costs more than the update.
# Bounded: operation ids are the routes' (or "unmatched"), methods the known ones, statuses 100-599.
_request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def record_request(operation_id: str, method: str, status: int, seconds: float) -> None:
    if method not in KNOWN_METHODS:
        method = "other"  # a client's made-up method must not add a series
    key = (operation_id, method, status)
    series = _request_series.get(key)
    if series is None:
        m = metrics()
        series = (m.requests.labels(operation_id, method, str(status)), m.request_seconds.labels(operation_id))
        _request_series[key] = series
    series[0].inc()
    series[1].observe(seconds)


def record_delivery(outcome: str, lag_seconds: float | None) -> None:
    m = metrics()
    m.deliveries.labels(outcome).inc()
    if lag_seconds is not None:
        m.delivery_lag.observe(lag_seconds)


def record_fin_turn(outcome: str, seconds: float) -> None:
    m = metrics()
    m.fin_turns.labels(outcome).inc()
    m.fin_turn_seconds.labels(outcome).observe(seconds)


def record_job(kind: str, outcome: str) -> None:
    metrics().jobs.labels(kind, outcome).inc()


def record_pool(storage: Storage) -> None:
    usage = getattr(storage, "pool_usage", None)
    if usage is None:
        return
    gauge = metrics().pool
    for state, count in usage().items():
        gauge.labels(state).set(count)


def timed_retrieval(search: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Observe how long each call of the decorated retrieval function takes."""

    @functools.wraps(search)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> T:
        started = time.perf_counter()
        try:
            return await search(*args, **kwargs)
        finally:
            metrics().retrieval_seconds.observe(time.perf_counter() - started)

    return timed


async def sample_outbox(storage: Storage) -> None:
    now_ms = clock.now_ms()
    due = (deliveries.c.next_attempt_ms <= now_ms).label("due")
    tx = await storage.begin(write=False)
    try:
        counts = (
            await tx.execute(
                select(due, func.count(), func.min(deliveries.c.created_at_ms))
                .where(deliveries.c.status == PENDING)
                .group_by(due)
            )
        ).all()
    finally:
        await tx.rollback()
    m = metrics()
    found = {bool(row[0]): row for row in counts}
    for is_due in (True, False):
        m.outbox.labels(str(is_due).lower()).set(found[is_due][1] if is_due in found else 0)
    oldest = min((row[2] for row in counts), default=None)
    m.outbox_oldest.set(0 if oldest is None else max(0.0, (now_ms - oldest) / 1000))


def registry() -> Any:
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    collected = CollectorRegistry()
    MultiProcessCollector(collected)
    return collected


async def exposition(storage: Storage) -> tuple[bytes, str]:
    """The Prometheus text page, with the figures read at scrape time brought up to date."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    metrics()  # every family is listed from the first scrape, at zero
    await sample_outbox(storage)
    record_pool(storage)
    return generate_latest(registry()), CONTENT_TYPE_LATEST


@contextlib.asynccontextmanager
async def metrics_sampler(storage: Storage, seconds: float = SAMPLE_SECONDS) -> AsyncIterator[None]:
    """Refresh the scrape-time figures every few seconds in this process, so that a scrape on a
    separate port (which has no database at hand) still sees them."""

    async def sample_forever() -> None:
        while True:
            try:
                await sample_outbox(storage)
                record_pool(storage)
            except Exception:
                log.exception("sampling metrics failed")
            await asyncio.sleep(seconds)

    task = asyncio.create_task(sample_forever(), name="tidings-metrics-sampler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def serve_on_port(host: str, port: int) -> None:
    """Serve /metrics on its own port from a thread of this process (no key: bind it privately)."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=registry())
