"""The background side of delivery in one process: the worker, and on PostgreSQL the LISTEN connection.

`tidings serve` enters `delivery_runtime` from the app's lifespan (every worker process runs its
own; `TIDINGS_RUN_WORKER=0` keeps the LISTEN connection for SSE but no delivery worker), and
`tidings worker` runs it alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from tidings.config import Settings
from tidings.db.storage import Storage, open_storage
from tidings.events.listener import listen_forever
from tidings.webhooks.worker import ATTEMPT_TIMEOUT, DeliveryWorker

LISTEN_READY_SECONDS = 10.0
log = logging.getLogger("tidings.webhooks")


@contextlib.asynccontextmanager
async def delivery_runtime(storage: Storage, settings: Settings, run_worker: bool) -> AsyncIterator[None]:
    tasks: list[asyncio.Task[None]] = []
    worker = DeliveryWorker(storage, settings) if run_worker else None
    if storage.dialect == "postgresql":
        listening = asyncio.Event()
        tasks.append(asyncio.create_task(listen_forever(settings.resolved_database_url, listening)))
        # Streams opened right after start-up must not miss a NOTIFY.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LISTEN_READY_SECONDS):
                await listening.wait()
    worker_task = asyncio.create_task(worker.run()) if worker is not None else None
    try:
        yield
    finally:
        if worker is not None and worker_task is not None:
            worker.stop()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(ATTEMPT_TIMEOUT + 2):
                    await worker_task
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def run_worker(settings: Settings) -> None:
    """`tidings worker`: deliver until SIGINT/SIGTERM, then let in-flight attempts finish.

    It listens on no interface, so unless `allow_private_webhooks` is set it refuses private
    destinations (whatever `TIDINGS_HOST` says: the server it works for may listen elsewhere)."""
    if settings.allow_private_webhooks is None:
        settings = settings.model_copy(update={"allow_private_webhooks": False})
        log.warning("private webhook destinations are refused; set TIDINGS_ALLOW_PRIVATE_WEBHOOKS=1 to allow them")
    storage = open_storage(settings.resolved_database_url, settings.statement_timeout_seconds)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        async with delivery_runtime(storage, settings, run_worker=True):
            await stopping.wait()
    finally:
        await storage.close()
