"""Webhook retries keep their schedule and count attempts contiguously (issue 18, defect 11).

The schedule is checked on the workspace's clock (the control plane's freeze/advance), which
fires each attempt at its due moment: the gaps are exactly what the worker scheduled, so no
assertion here depends on how loaded the machine is. TIDINGS_WEBHOOK_RETRY_SCHEDULE=1,2,4 in tests.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import scratch_database
from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Received, Receiver
from tests.test_webhooks import contact, in_workspace, subscribe, topic_requests
from tidings.config import Settings
from tidings.core import clock
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import open_storage
from tidings.events import outbox
from tidings.management.provisioning import create_workspace
from tidings.webhooks import worker as worker_module
from tidings.webhooks.worker import DeliveryWorker, claim_statement

TOPIC = "contact.user.created"
DELIVERIES = 10


def failing(request: Received, _: int) -> tuple[int, float]:
    return (200 if request.json["topic"] == "ping" else 500), 0


def attempts_by_number(receiver: Receiver) -> dict[int, int]:
    counts: dict[int, int] = {}
    for request in topic_requests(receiver.snapshot(), TOPIC):
        number = int(request.headers["x-tidings-delivery-attempt"])
        counts[number] = counts.get(number, 0) + 1
    return counts


def test_retries_fire_within_10_percent_of_their_schedule(server: LiveServer, workspace: Workspace) -> None:
    with Receiver(failing, check_items=False) as receiver:
        subscribe(server, workspace.id, receiver.url, [TOPIC])
        receiver.wait_for(lambda seen: len(seen) >= 1)
        workspace.control.freeze()
        # Through the API, so the events are dated by the workspace's (frozen) clock.
        for n in range(DELIVERIES):
            answer = workspace.http.post("/contacts", json={"email": f"retry{n}@example.com"})
            assert answer.status_code == 200, answer.text[:300]
        workspace.control.advance(0)
        receiver.wait_for(lambda seen: len(topic_requests(seen, TOPIC)) >= DELIVERIES)
        assert attempts_by_number(receiver) == {1: DELIVERIES}

        # Step 1 s: no retry before it, every retry by 1.1 s.
        workspace.control.advance(0.99)
        assert attempts_by_number(receiver) == {1: DELIVERIES}
        workspace.control.advance(0.11)
        assert attempts_by_number(receiver) == {1: DELIVERIES, 2: DELIVERIES}
        # Step 2 s after each second attempt (made between 1.0 and 1.1 s): none before 3.0 s, all by 3.3 s.
        workspace.control.advance(1.89)
        assert attempts_by_number(receiver) == {1: DELIVERIES, 2: DELIVERIES}
        workspace.control.advance(0.31)
        assert attempts_by_number(receiver) == {1: DELIVERIES, 2: DELIVERIES, 3: DELIVERIES}
        workspace.control.real_time()


def test_an_attempt_cut_off_before_sending_does_not_skip_a_number(server: LiveServer, workspace: Workspace) -> None:
    """A worker that claimed a delivery and died before sending it: the next worker's attempt is 1."""
    with Receiver(failing, check_items=False) as receiver:
        subscription = subscribe(server, workspace.id, receiver.url, [TOPIC])
        receiver.wait_for(lambda seen: len(seen) >= 1)

        async def enqueue_and_claim_then_die(uow: UnitOfWork) -> None:
            await outbox.enqueue_delivery(
                uow,
                url=receiver.url,
                secret=subscription["secret"],
                signer="hub",
                topic=TOPIC,
                payload=contact(200),
                envelope=True,
                subscription_id=int(subscription["id"]),
            )
            now_ms = clock.real_ms()
            # The claim's lease is already over, as if its worker died and the lease ran out.
            claimed = (await uow.execute(claim_statement(uow.dialect, now_ms, 10, now_ms - 1))).mappings().all()
            # The claim is the worker's, across workspaces: earlier tests' retries may be due too.
            assert [row["workspace_id"] for row in claimed].count(uow.workspace_id) == 1

        in_workspace(server, workspace.id, enqueue_and_claim_then_die)
        seen = receiver.wait_for(lambda seen: len(topic_requests(seen, TOPIC)) >= 3, timeout=30)
    attempts: list[Any] = topic_requests(seen, TOPIC)[:3]
    assert [r.headers["x-tidings-delivery-attempt"] for r in attempts] == ["1", "2", "3"]
    assert [r.json["delivery_attempts"] for r in attempts] == [1, 2, 3]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_worker_wakes_when_a_retry_falls_due_not_at_its_next_poll(
    dialect: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polling alone made a 1 s step up to 0.5 s late. With the poll pushed out to 10 minutes, the
    retry still comes: the worker wakes when it falls due (checked with a minute to spare, never
    for how soon)."""
    monkeypatch.setattr(worker_module, "POLL_SECONDS", 600.0)
    settings = Settings(webhook_retry_schedule="1", allow_private_webhooks=True)

    def fail_once(request: Received, seen_before: int) -> tuple[int, float]:
        return (500 if seen_before == 0 else 200), 0

    with scratch_database(dialect, tmp_path) as url, Receiver(fail_once, check_items=False) as receiver:

        async def run() -> None:
            storage = open_storage(url)
            worker = DeliveryWorker(storage, settings)
            task = asyncio.create_task(worker.run())
            try:
                tx = await storage.begin(write=True)
                uow = await create_workspace(tx, "retries")
                await tx.commit()
                await run_in_workspace(
                    storage,
                    uow.workspace_id,
                    lambda uow: outbox.enqueue_delivery(
                        uow, url=receiver.url, secret="s", signer="hub", topic=TOPIC, payload=contact(300)
                    ),
                )
                await asyncio.to_thread(receiver.wait_for, lambda seen: len(seen) >= 2, 60)
            finally:
                worker.stop()
                await asyncio.wait_for(task, 30)
                await storage.close()

        asyncio.run(run())
    attempts = receiver.snapshot()
    assert [r.headers["x-tidings-delivery-attempt"] for r in attempts] == ["1", "2"]
