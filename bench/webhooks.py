"""Webhook delivery: sustained deliveries per second and commit-to-receipt lag.

    python bench/webhooks.py [--events 4000] [--rate 200] [--seconds 5] [--postgres postgresql://postgres@127.0.0.1/postgres]

The pipeline runs as inside one `tidings serve` process: events are recorded with `record_event`
in committed units of work (their after-commit hook wakes the worker), one `DeliveryWorker`
delivers them, Developer Hub envelope and X-Hub-Signature included. The receiver is a separate
process (a minimal keep-alive HTTP server) on a loopback port, pinned to core 1; the producer
and worker are pinned to core 0.

- Throughput: `--events` events recorded in transactions of 100 (events/s recorded, each with
  its delivery), then the worker starts; deliveries/s is the count over the time from its start
  to the last receipt.
- Lag: one event per transaction at `--rate` per second for `--seconds`; lag is receipt time
  minus commit time; p50 and p95 are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tidings.config import Settings, normalise_database_url
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db import migrate
from tidings.db.storage import Storage, open_storage
from tidings.events.record import record_event
from tidings.management.provisioning import create_workspace
from tidings.webhooks.schemas import CreateSubscription
from tidings.webhooks.service import create_subscription
from tidings.webhooks.worker import DeliveryWorker

RECEIVER = r"""
import asyncio, json, sys, time
received = {}

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            first, _, rest = head.partition(b"\r\n")
            length = 0
            for line in rest.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            now = time.time()
            if first.startswith(b"GET /stats"):
                answer = json.dumps(received).encode()
            else:
                item = json.loads(body)["data"]["item"]
                if "seq" in item:
                    received.setdefault(str(item["seq"]), now)
                answer = b"{}"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(answer)).encode() + b"\r\n\r\n" + answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=512)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"""


SCRATCH_DATABASE = f"tidings_webhooks_bench_{os.getpid()}"


async def admin_sql(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def scratch_postgres(server_url: str) -> str:
    asyncio.run(admin_sql(server_url, f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
    return normalise_database_url(server_url.rsplit("/", 1)[0] + "/" + SCRATCH_DATABASE)


def item(seq: int) -> dict[str, Any]:
    return {"type": "contact", "id": f"bench{seq:019d}", "role": "user", "seq": seq}


async def produce_batch(storage: Storage, workspace_id: str, seqs: range) -> float:
    async def work(uow: UnitOfWork) -> None:
        for seq in seqs:
            await record_event(uow, "contact.user.created", item(seq))

    await run_in_workspace(storage, workspace_id, work)
    return time.time()


def received(port: int) -> dict[int, float]:
    answer = httpx.get(f"http://127.0.0.1:{port}/stats", timeout=30).json()
    return {int(seq): at for seq, at in answer.items()}


async def wait_for(port: int, wanted: set[int], timeout: float) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    while True:
        got = await asyncio.to_thread(received, port)
        if wanted <= got.keys() or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(args: argparse.Namespace, url: str, port: int) -> None:
    storage = open_storage(url)
    settings = Settings(database_url=url, webhook_retry_schedule="1,2,4")
    tx = await storage.begin(write=True)
    uow = await create_workspace(tx, "bench")
    await create_subscription(
        uow, CreateSubscription(url=f"http://127.0.0.1:{port}/hook", topics=["contact.user.created"]), settings
    )
    await tx.commit()
    start = time.time()
    for first in range(0, args.events, 100):
        await produce_batch(storage, uow.workspace_id, range(first, min(first + 100, args.events)))
    recording = args.events / (time.time() - start)
    worker = DeliveryWorker(storage, settings)
    start = time.time()
    worker_task = asyncio.create_task(worker.run())
    try:
        got = await wait_for(port, set(range(args.events)), timeout=300)
        throughput = args.events / (max(got[s] for s in range(args.events)) - start)

        committed: dict[int, float] = {}
        interval = 1 / args.rate
        next_at = time.monotonic()
        base = args.events
        for seq in range(base, base + int(args.rate * args.seconds)):
            committed[seq] = await produce_batch(storage, uow.workspace_id, range(seq, seq + 1))
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        got = await wait_for(port, set(committed), timeout=120)
        lags = [(got[seq] - at) * 1000 for seq, at in committed.items() if seq in got]
    finally:
        worker.stop()
        await worker_task
        await storage.close()
    print(f"database: {storage.dialect}; receiver on core 1, producer + worker on core 0")
    print(f"recording: {args.events} events in transactions of 100 -> {recording:,.0f} events/s")
    print(f"draining the {args.events} queued deliveries -> {throughput:,.0f} deliveries/s")
    print(
        f"lag at {args.rate}/s for {args.seconds}s ({len(lags)} events): "
        f"p50 {statistics.median(lags):.1f} ms, p95 {percentile(lags, 0.95):.1f} ms, max {max(lags):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument(
        "--postgres", default="", help="PostgreSQL server URL; a scratch database is made there. Default: SQLite"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tidings-webhooks-bench-"))
    url = scratch_postgres(args.postgres) if args.postgres else f"sqlite:///{work / 'bench.db'}"
    migrate.upgrade(url)
    port = 8951
    taskset = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    receiver = subprocess.Popen([*taskset, sys.executable, "-c", RECEIVER, str(port)])
    if taskset:
        os.sched_setaffinity(0, {0})
    try:
        for _ in range(100):
            try:
                received(port)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        asyncio.run(run(args, url, port))
    finally:
        receiver.terminate()
        receiver.wait()
        shutil.rmtree(work, ignore_errors=True)
        if args.postgres:
            asyncio.run(admin_sql(args.postgres, f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
