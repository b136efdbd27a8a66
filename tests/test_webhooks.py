"""Webhook delivery end to end: a live server, a real receiver on a loopback port, SQLite and PostgreSQL.

Events are recorded the way every area records them (`record_event` in a unit of work), from this
test process on the server's database, so delivery is tested as the server sees any commit from
another process. On PostgreSQL the server runs two worker processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, Workspace, management_json
from tests.support.receiver import Received, Receiver
from tidings.config import normalise_database_url
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import open_storage
from tidings.events import signing
from tidings.events.outbox import enqueue_delivery
from tidings.events.record import record_event
from tidings.events.storage import events
from tidings.webhooks.sse import close_channel_streams, fin_channel, issue_sse_token


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def events_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workers = 2 if request.param == "postgresql" else 1
    live = start_server(request.param, tmp_path_factory.mktemp(f"webhooks-{request.param}"), workers=workers)
    yield live
    stop_server(live)


@pytest.fixture
def ws(events_server: LiveServer) -> Workspace:
    return events_server.new_workspace()


def database_url(server: LiveServer) -> str:
    if server.dialect == "postgresql":
        return normalise_database_url(server.database_url)
    return f"sqlite:///{(Path(server.data_dir) / 'tidings.db').resolve()}"


def in_workspace(server: LiveServer, workspace_id: str, work: Any) -> Any:
    """Run `work(uow)` in one committed transaction on the server's database."""

    async def run() -> Any:
        storage = open_storage(database_url(server))
        try:
            return await run_in_workspace(storage, workspace_id, work)
        finally:
            await storage.close()

    return asyncio.run(run())


def record(
    server: LiveServer, workspace_id: str, *events: tuple[str, dict[str, Any]], channel: str | None = None
) -> list[int]:
    async def work(uow: UnitOfWork) -> list[int]:
        return [await record_event(uow, topic, item, channel=channel) for topic, item in events]

    return in_workspace(server, workspace_id, work)


def subscribe(server: LiveServer, workspace_id: str, url: str, topics: list[str], secret: str | None = None) -> Any:
    body: dict[str, Any] = {"url": url, "topics": topics}
    if secret is not None:
        body["secret"] = secret
    return management_json(server, "POST", f"/workspaces/{workspace_id}/webhook_subscriptions", json=body)


def deliveries(server: LiveServer, workspace_id: str, **params: Any) -> list[dict[str, Any]]:
    return management_json(server, "GET", f"/workspaces/{workspace_id}/webhook_deliveries", params=params)["data"]


def topic_requests(seen: list[Received], topic: str) -> list[Received]:
    return [r for r in seen if r.json.get("topic") == topic]


def contact(n: int) -> dict[str, Any]:
    return {"type": "contact", "id": f"c{n:023d}", "role": "user", "email": f"user{n}@example.com"}


def hub_signature(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def test_subscription_gets_a_signed_ping_in_intercoms_envelope(events_server: LiveServer, ws: Workspace) -> None:
    with Receiver(check_items=False) as receiver:
        created = subscribe(events_server, ws.id, receiver.url, ["contact.user.created"], secret="hub-secret")
        assert created["type"] == "webhook_subscription"
        assert created["topics"] == ["contact.user.created"]
        assert created["secret"] == "hub-secret"
        assert created["active"] is True
        ping = receiver.wait_for(lambda seen: len(seen) >= 1)[0]
    assert ping.headers["x-hub-signature"] == hub_signature("hub-secret", ping.body)
    assert ping.headers["user-agent"] == "intercom-parrot-service-client/1.0"
    assert ping.headers["content-type"] == "application/json"
    envelope = ping.json
    assert envelope["type"] == "notification_event"
    assert envelope["topic"] == "ping"
    assert envelope["app_id"] == ws.id
    assert envelope["data"]["type"] == "notification_event_data"
    assert envelope["data"]["item"]["type"] == "ping"
    assert envelope["delivery_attempts"] == 1
    assert envelope["links"] == {}
    assert envelope["self"] is None
    listed = management_json(events_server, "GET", f"/workspaces/{ws.id}/webhook_subscriptions")["data"]
    assert [s["id"] for s in listed] == [created["id"]]
    logged = deliveries(events_server, ws.id)
    assert [(d["topic"], d["status"], d["attempts"], d["last_status_code"]) for d in logged] == [
        ("ping", "delivered", 1, 200)
    ]
    assert logged[0]["url"] == receiver.url
    assert logged[0]["payload"]["data"]["item"] == envelope["data"]["item"]


def test_recorded_topics_reach_their_subscribers_only(events_server: LiveServer, ws: Workspace) -> None:
    with Receiver(check_items=False) as receiver:
        subscription = subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        record(
            events_server,
            ws.id,
            ("contact.user.created", contact(1)),
            ("ticket.created", {"type": "ticket", "id": "7"}),
            ("contact.user.created", contact(2)),
        )
        seen = receiver.wait_for(lambda seen: len(topic_requests(seen, "contact.user.created")) >= 2)
        time.sleep(0.5)
        seen = receiver.snapshot()
    created = topic_requests(seen, "contact.user.created")
    # Different contacts: no order between them (order is kept per subject).
    assert sorted((r.json["data"]["item"] for r in created), key=lambda i: i["id"]) == [contact(1), contact(2)]
    assert not topic_requests(seen, "ticket.created")
    for request in created:
        assert request.headers["x-hub-signature"] == hub_signature(subscription["secret"], request.body)
        assert request.json["id"].startswith("notif_")
        assert request.json["id"] == request.delivery_id
        assert request.json["delivery_status"] == "pending"
        assert isinstance(request.json["created_at"], int)
    logged = deliveries(events_server, ws.id, topic="contact.user.created")
    assert [d["status"] for d in logged] == ["delivered", "delivered"]
    assert sorted(d["payload"]["data"]["item"]["id"] for d in logged) == [contact(1)["id"], contact(2)["id"]]


def test_a_failing_receiver_gets_retries_until_it_answers(events_server: LiveServer, ws: Workspace) -> None:
    def fail_twice(request: Received, seen_before: int) -> tuple[int, float]:
        if request.json["topic"] == "ping":
            return 200, 0
        return (500 if seen_before < 2 else 200), 0

    with Receiver(fail_twice, check_items=False) as receiver:
        subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        record(events_server, ws.id, ("contact.user.created", contact(3)))
        attempts = receiver.wait_for(lambda seen: len(topic_requests(seen, "contact.user.created")) >= 3, timeout=30)
    attempts = topic_requests(attempts, "contact.user.created")
    assert len({r.delivery_id for r in attempts}) == 1
    assert [r.json["delivery_attempts"] for r in attempts] == [1, 2, 3]
    assert [r.headers["x-tidings-delivery-attempt"] for r in attempts] == ["1", "2", "3"]
    # TIDINGS_WEBHOOK_RETRY_SCHEDULE=1,2,4 in tests: waits of 1 s then 2 s, plus up to 20% jitter.
    assert 0.9 <= attempts[1].at - attempts[0].at < 2.5
    assert 1.9 <= attempts[2].at - attempts[1].at < 3.5
    first_sent = {r.json["first_sent_at"] for r in attempts}
    assert len(first_sent) == 1
    logged = deliveries(events_server, ws.id, topic="contact.user.created")[0]
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("delivered", 3, 200)


def test_a_delivery_fails_when_the_schedule_is_spent_and_can_be_redelivered(
    events_server: LiveServer, ws: Workspace
) -> None:
    answers = {"status": 503}

    def respond(request: Received, _: int) -> tuple[int, float]:
        return (200 if request.json["topic"] == "ping" else answers["status"]), 0

    with Receiver(respond, check_items=False) as receiver:
        subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        record(events_server, ws.id, ("contact.user.created", contact(4)))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            logged = deliveries(events_server, ws.id, topic="contact.user.created")
            if logged and logged[0]["status"] == "failed":
                break
            time.sleep(0.25)
        assert logged[0]["status"] == "failed"
        assert logged[0]["attempts"] == 4
        assert logged[0]["last_status_code"] == 503
        assert logged[0]["last_response"] == '{"ok":true}'
        assert len(topic_requests(receiver.snapshot(), "contact.user.created")) == 4
        assert deliveries(events_server, ws.id, status="failed")[0]["id"] == logged[0]["id"]

        answers["status"] = 200
        with events_server.management() as mgmt:
            redelivered = mgmt.post(f"/workspaces/{ws.id}/webhook_deliveries/{logged[0]['id']}/redeliver")
        assert redelivered.status_code == 202
        assert redelivered.json()["status"] == "pending"
        seen = receiver.wait_for(lambda seen: len(topic_requests(seen, "contact.user.created")) >= 5)
    assert topic_requests(seen, "contact.user.created")[-1].json["delivery_attempts"] == 1
    deadline = time.monotonic() + 10
    while deliveries(events_server, ws.id, topic="contact.user.created")[0]["status"] != "delivered":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_410_gone_disables_the_subscription(events_server: LiveServer, ws: Workspace) -> None:
    def gone(request: Received, _: int) -> tuple[int, float]:
        return (200 if request.json["topic"] == "ping" else 410), 0

    with Receiver(gone, check_items=False) as receiver:
        subscription = subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        receiver.wait_for(lambda seen: len(seen) >= 1)
        record(events_server, ws.id, ("contact.user.created", contact(5)))
        receiver.wait_for(lambda seen: len(topic_requests(seen, "contact.user.created")) >= 1)
        deadline = time.monotonic() + 10
        while True:
            listed = management_json(events_server, "GET", f"/workspaces/{ws.id}/webhook_subscriptions")["data"]
            if not listed[0]["active"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert listed[0]["id"] == subscription["id"]
        assert listed[0]["active"] is False
        assert "410" in listed[0]["disabled_reason"]
        record(events_server, ws.id, ("contact.user.created", contact(6)))
        time.sleep(1.5)
        assert len(topic_requests(receiver.snapshot(), "contact.user.created")) == 1
    logged = deliveries(events_server, ws.id, topic="contact.user.created")
    assert [(d["status"], d["last_status_code"]) for d in logged] == [("failed", 410)]


def test_deliveries_of_one_conversation_keep_their_order(events_server: LiveServer, ws: Workspace) -> None:
    def flaky(request: Received, seen_before: int) -> tuple[int, float]:
        item = request.json["data"]["item"]
        # Part 2 fails once: parts 3.. must wait for it rather than overtake it.
        if item.get("part") == 2 and seen_before == 0:
            return 500, 0
        return 200, 0.02

    conversation = {"type": "conversation", "id": "4242"}
    with Receiver(flaky, check_items=False) as receiver:
        subscribe(events_server, ws.id, receiver.url, ["conversation.user.replied"])
        record(
            events_server,
            ws.id,
            *[("conversation.user.replied", {**conversation, "part": n}) for n in range(1, 9)],
        )
        receiver.wait_for(lambda seen: len(topic_requests(seen, "conversation.user.replied")) >= 9, timeout=30)
        time.sleep(0.3)
        seen = topic_requests(receiver.snapshot(), "conversation.user.replied")
    parts = [r.json["data"]["item"]["part"] for r in seen]
    assert parts == [1, 2, 2, 3, 4, 5, 6, 7, 8]


def test_fin_and_custom_channel_signers_to_a_chosen_destination(events_server: LiveServer, ws: Workspace) -> None:
    fin_event = {
        "event_name": "fin_replied",
        "conversation_id": "ext-1",
        "user_id": "u1",
        "message": {"author": "fin", "body": "<p>Héllo</p>"},
        "status": "replying",
    }
    custom_event = {"event_id": "evt_1", "event_type": "new_message", "external_conversation_id": "conv_1"}

    with Receiver(check_items=False) as receiver:

        async def work(uow: UnitOfWork) -> None:
            await enqueue_delivery(
                uow,
                url=receiver.url,
                secret="fin-secret",
                signer=signing.FIN,
                topic="fin_replied",
                payload=fin_event,
                ordering_key="fin:ext-1",
            )
            await enqueue_delivery(
                uow,
                url=receiver.url,
                secret="cc-secret",
                signer=signing.CUSTOM_CHANNEL,
                topic="new_message",
                payload=custom_event,
                headers={"Authorization": "Bearer cc-token"},
            )

        in_workspace(events_server, ws.id, work)
        seen = receiver.wait_for(lambda seen: len(seen) >= 2)
    by_body = {r.json.get("event_name") or r.json.get("event_type"): r for r in seen}
    fin = by_body["fin_replied"]
    assert fin.json == fin_event
    expected = "sha256=" + hmac.new(b"fin-secret", fin.body, hashlib.sha256).hexdigest()
    assert fin.headers["x-fin-agent-api-webhook-signature"] == expected
    assert "x-hub-signature" not in fin.headers
    custom = by_body["new_message"]
    assert custom.json == custom_event
    assert custom.headers["authorization"] == "Bearer cc-token"
    assert signing.verify(signing.CUSTOM_CHANNEL, "cc-secret", custom.body, custom.headers)
    assert not signing.verify(signing.CUSTOM_CHANNEL, "other", custom.body, custom.headers)
    assert {d["topic"] for d in deliveries(events_server, ws.id)} == {"fin_replied", "new_message"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/hook", "http or https"),
        ("http://user:pw@127.0.0.1/hook", "credentials"),
        ("not-a-url", "http or https"),
    ],
)
def test_subscription_urls_are_validated(events_server: LiveServer, ws: Workspace, url: str, message: str) -> None:
    with events_server.management() as mgmt:
        answer = mgmt.post(f"/workspaces/{ws.id}/webhook_subscriptions", json={"url": url, "topics": ["ping"]})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "url"
    assert message in answer.json()["errors"][0]["message"]
    assert management_json(events_server, "GET", f"/workspaces/{ws.id}/webhook_subscriptions")["data"] == []


def test_subscription_needs_topics_and_unknown_ids_are_404(events_server: LiveServer, ws: Workspace) -> None:
    with events_server.management() as mgmt:
        empty = mgmt.post(
            f"/workspaces/{ws.id}/webhook_subscriptions", json={"url": "http://127.0.0.1:9/x", "topics": []}
        )
        assert empty.status_code == 400
        assert empty.json()["errors"][0]["field"] == "topics"
        assert mgmt.delete(f"/workspaces/{ws.id}/webhook_subscriptions/999999").status_code == 404
        assert mgmt.post(f"/workspaces/{ws.id}/webhook_deliveries/999999/redeliver").status_code == 404
        bad_status = mgmt.get(f"/workspaces/{ws.id}/webhook_deliveries", params={"status": "lost"})
        assert bad_status.status_code == 400


def test_deleting_a_subscription_stops_its_deliveries(events_server: LiveServer, ws: Workspace) -> None:
    with Receiver(check_items=False) as receiver:
        subscription = subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        receiver.wait_for(lambda seen: len(seen) >= 1)
        answer = management_json(
            events_server, "DELETE", f"/workspaces/{ws.id}/webhook_subscriptions/{subscription['id']}"
        )
        assert answer == {"status": "deleted"}
        record(events_server, ws.id, ("contact.user.created", contact(7)))
        time.sleep(1.0)
        assert topic_requests(receiver.snapshot(), "contact.user.created") == []
    assert management_json(events_server, "GET", f"/workspaces/{ws.id}/webhook_subscriptions")["data"] == []


def test_sigkill_mid_delivery_then_restart_delivers_every_event_once(events_server: LiveServer, ws: Workspace) -> None:
    conversations, parts = 4, 10
    count = conversations * parts

    answered = itertools.count(1)

    def slow(_: Received, __: int) -> tuple[int, float]:
        # Slower once the kill is due, so it lands mid-stream however loaded the machine is.
        return 200, 0.05 if next(answered) <= 8 else 0.5

    def reply(conversation: int, part: int) -> tuple[str, dict[str, Any]]:
        return "conversation.user.replied", {"type": "conversation", "id": str(conversation), "part": part}

    def replies(seen: list[Received]) -> list[Received]:
        return topic_requests(seen, "conversation.user.replied")

    with Receiver(slow, check_items=False) as receiver:
        subscribe(events_server, ws.id, receiver.url, ["conversation.user.replied"])
        for part in range(parts):
            record(events_server, ws.id, *[reply(c, part) for c in range(conversations)])
        receiver.wait_for(lambda seen: len(replies(seen)) >= 8)
        events_server.restart(signal.SIGKILL)
        assert len({r.delivery_id for r in replies(receiver.snapshot())}) < count
        receiver.wait_for(lambda seen: len({r.delivery_id for r in replies(seen)}) >= count, timeout=60)
        time.sleep(0.5)
        unique = [r.json["data"]["item"] for r in receiver.unique().values() if r.json["topic"] != "ping"]
    assert sorted((int(i["id"]), i["part"]) for i in unique) == [
        (c, p) for c in range(conversations) for p in range(parts)
    ]
    for conversation in range(conversations):
        assert [i["part"] for i in unique if i["id"] == str(conversation)] == list(range(parts))
    logged = deliveries(events_server, ws.id, topic="conversation.user.replied", limit=count)
    assert len(logged) == count
    assert {d["status"] for d in logged} == {"delivered"}


def test_cli_lists_deliveries(events_server: LiveServer, ws: Workspace) -> None:
    with Receiver(check_items=False) as receiver:
        subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        receiver.wait_for(lambda seen: len(seen) >= 1)
    env = events_server.env()
    out = subprocess.run(
        [sys.executable, "-m", "tidings", "deliveries", "--workspace", ws.id],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = out.strip().splitlines()
    assert lines[0].split()[:4] == ["id", "created", "status", "tries"]
    delivery_id = lines[1].split()[0]
    shown = subprocess.run(
        [sys.executable, "-m", "tidings", "deliveries", "--workspace", ws.id, "--show", delivery_id],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    detail = json.loads(shown)
    assert detail["id"] == delivery_id
    assert detail["payload"]["topic"] == "ping"
    assert detail["last_status_code"] == 200
    assert "ping" in lines[1]
    assert "delivered" in lines[1]
    assert receiver.url in lines[1]


class SseReader:
    """Reads (id, data) events from one open SSE response, across several calls."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()

    def read(self, wanted: int, timeout: float = 15) -> list[tuple[int, Any]]:
        events: list[tuple[int, Any]] = []
        current_id: int | None = None
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if line.startswith("id: "):
                current_id = int(line[4:])
            elif line.startswith("data: "):
                assert current_id is not None
                events.append((current_id, json.loads(line[6:])))
                if len(events) >= wanted:
                    return events
            assert time.monotonic() < deadline, f"only {len(events)} events within {timeout}s"
        return events


def open_stream(server: LiveServer, workspace_id: str, channel: str, token: str | None = None, **params: str) -> Any:
    token = token or issue_sse_token(workspace_id, channel, ttl=60, admin_key=server.admin_key)
    query = {"channels": channel, "accessToken": token, **params}
    headers = {}
    if "last_event_id" in query:
        headers["Last-Event-ID"] = query.pop("last_event_id")
    return httpx.stream("GET", f"{server.base_url}/_tidings/event-stream", params=query, headers=headers, timeout=20)


def fin_event(n: int) -> dict[str, Any]:
    return {"event_name": "fin_replied", "conversation_id": "ext-9", "n": n}


def test_sse_streams_events_committed_by_any_process(events_server: LiveServer, ws: Workspace) -> None:
    channel = fin_channel(ws.id, "ext-9")
    # Several connections: on PostgreSQL they land on both worker processes; the events are
    # committed by yet another process (this one), so every stream depends on LISTEN/NOTIFY.
    streams = [open_stream(events_server, ws.id, channel) for _ in range(4)]
    responses = [stream.__enter__() for stream in streams]
    try:
        assert all(r.status_code == 200 for r in responses)
        assert responses[0].headers["content-type"].startswith("text/event-stream")
        time.sleep(0.3)
        ids = record(events_server, ws.id, *[("fin_replied", fin_event(n)) for n in range(3)], channel=channel)
        record(events_server, ws.id, ("fin_replied", {"other": True}), channel=fin_channel(ws.id, "ext-other"))
        for response in responses:
            assert SseReader(response).read(3) == [(i, fin_event(n)) for n, i in enumerate(ids)]
    finally:
        for stream in streams:
            stream.__exit__(None, None, None)


def test_sse_reconnect_with_last_event_id_misses_nothing(events_server: LiveServer, ws: Workspace) -> None:
    channel = fin_channel(ws.id, "ext-9")
    first = record(events_server, ws.id, ("fin_replied", fin_event(0)), ("fin_replied", fin_event(1)), channel=channel)
    with open_stream(events_server, ws.id, channel, rewind="2m") as response:
        assert SseReader(response).read(2) == [(first[0], fin_event(0)), (first[1], fin_event(1))]
    # Events committed while the client is away, then a reconnect from the first event seen.
    later = record(events_server, ws.id, ("fin_replied", fin_event(2)), ("fin_replied", fin_event(3)), channel=channel)
    with open_stream(events_server, ws.id, channel, last_event_id=str(first[0])) as response:
        reader = SseReader(response)
        got = reader.read(3)
        assert got == [(first[1], fin_event(1)), (later[0], fin_event(2)), (later[1], fin_event(3))]
        live = record(events_server, ws.id, ("fin_replied", fin_event(4)), channel=channel)
        assert reader.read(1) == [(live[0], fin_event(4))]


def test_sse_needs_a_valid_token_for_the_channel(events_server: LiveServer, ws: Workspace) -> None:
    channel = fin_channel(ws.id, "ext-9")
    token = issue_sse_token(ws.id, channel, ttl=60, admin_key=events_server.admin_key)
    url = f"{events_server.base_url}/_tidings/event-stream"
    other_channel = httpx.get(url, params={"channels": fin_channel(ws.id, "ext-x"), "accessToken": token})
    assert other_channel.status_code == 401
    assert other_channel.json()["type"] == "error.list"
    forged = issue_sse_token(ws.id, channel, ttl=60, admin_key="not-the-key")
    assert httpx.get(url, params={"channels": channel, "accessToken": forged}).status_code == 401
    expired = issue_sse_token(ws.id, channel, ttl=-1, admin_key=events_server.admin_key)
    answer = httpx.get(url, params={"channels": channel, "accessToken": expired})
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "token_expired"


def test_429_holds_back_the_whole_subscription(events_server: LiveServer, ws: Workspace) -> None:
    throttled = threading.Event()

    def busy_once(request: Received, seen_before: int) -> tuple[int, float]:
        if request.json["topic"] == "ping" or throttled.is_set():
            return 200, 0
        throttled.set()
        return 429, 0

    with Receiver(busy_once, check_items=False) as receiver:
        subscribe(events_server, ws.id, receiver.url, ["contact.user.created"])
        receiver.wait_for(lambda seen: len(seen) >= 1)
        record(events_server, ws.id, ("contact.user.created", contact(8)))
        assert throttled.wait(10)
        refused_at = time.time()
        deadline = time.monotonic() + 5
        while deliveries(events_server, ws.id, topic="contact.user.created")[0]["last_status_code"] != 429:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        # Recorded after the 429: it waits for the subscription's back-off too.
        record(events_server, ws.id, ("contact.user.created", contact(9)))
        seen = receiver.wait_for(lambda seen: len(topic_requests(seen, "contact.user.created")) >= 3, timeout=20)
    created = topic_requests(seen, "contact.user.created")
    assert created[0].json["data"]["item"]["id"] == contact(8)["id"]
    assert all(r.at - refused_at >= 0.9 for r in created[1:])
    assert sorted(r.json["data"]["item"]["id"] for r in created[1:]) == [contact(8)["id"], contact(9)["id"]]


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server listening on every interface: private webhook destinations are refused."""
    live = start_server("sqlite", tmp_path_factory.mktemp("webhooks-public"), extra_env={"TIDINGS_HOST": "0.0.0.0"})
    yield live
    stop_server(live)


def test_a_public_server_refuses_private_destinations(public_server: LiveServer) -> None:
    ws = public_server.new_workspace()
    path = f"/workspaces/{ws.id}/webhook_subscriptions"
    with public_server.management() as mgmt:
        for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://[::1]/x"):
            answer = mgmt.post(path, json={"url": url, "topics": ["ping"]})
            assert answer.status_code == 400, url
            assert answer.json()["errors"][0]["field"] == "url"
            assert "private" in answer.json()["errors"][0]["message"]
    with Receiver(check_items=False) as receiver:
        # A name that resolves to loopback is caught before each attempt, and the delivery fails.
        hostname_url = receiver.url.replace("127.0.0.1", "localhost")

        async def work(uow: UnitOfWork) -> None:
            await enqueue_delivery(
                uow, url=hostname_url, secret="s", signer=signing.FIN, topic="fin_replied", payload={}
            )

        in_workspace(public_server, ws.id, work)
        deadline = time.monotonic() + 10
        while (logged := deliveries(public_server, ws.id))[0]["status"] == "pending":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert receiver.snapshot() == []
    assert logged[0]["status"] == "failed"
    assert "private address" in logged[0]["last_error"]


def test_private_destinations_can_be_allowed_on_a_public_server(tmp_path: Path) -> None:
    live = start_server(
        "sqlite", tmp_path, extra_env={"TIDINGS_HOST": "0.0.0.0", "TIDINGS_ALLOW_PRIVATE_WEBHOOKS": "1"}
    )
    try:
        ws = live.new_workspace()
        with Receiver(check_items=False) as receiver:
            subscribe(live, ws.id, receiver.url, ["contact.user.created"])
            assert receiver.wait_for(lambda seen: len(seen) >= 1)[0].json["topic"] == "ping"
    finally:
        stop_server(live)


def test_tidings_worker_delivers_for_a_server_that_runs_none(tmp_path: Path) -> None:
    live = start_server("sqlite", tmp_path, extra_env={"TIDINGS_RUN_WORKER": "0"})
    worker = None
    try:
        ws = live.new_workspace()
        with Receiver(check_items=False) as receiver:
            subscribe(live, ws.id, receiver.url, ["contact.user.created"])
            time.sleep(1.0)
            assert receiver.snapshot() == []
            # A worker on its own cannot tell the server listens on loopback: it is told.
            worker = subprocess.Popen(
                [sys.executable, "-m", "tidings", "worker"],
                env={**live.env(), "TIDINGS_ALLOW_PRIVATE_WEBHOOKS": "1"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            record(live, ws.id, ("contact.user.created", contact(10)))
            seen = receiver.wait_for(lambda seen: len(seen) >= 2, timeout=20)
        assert sorted(r.json["topic"] for r in seen) == ["contact.user.created", "ping"]
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=15) == 0
        stop_server(live)


def test_closing_a_channel_ends_its_streams(events_server: LiveServer, ws: Workspace) -> None:
    channel = fin_channel(ws.id, "ext-close")

    async def close(uow: UnitOfWork) -> None:
        await close_channel_streams(uow, channel)

    token = issue_sse_token(ws.id, channel, ttl=60, admin_key=events_server.admin_key)
    with open_stream(events_server, ws.id, channel, token) as response:
        reader = SseReader(response)
        time.sleep(0.3)
        (first,) = record(events_server, ws.id, ("fin_replied", fin_event(0)), channel=channel)
        assert reader.read(1) == [(first, fin_event(0))]
        in_workspace(events_server, ws.id, close)
        # The stream ends: no frame for the close marker, just the end of the body.
        assert reader.read(1, timeout=10) == []
    # The close revoked the token: no new live stream with it...
    with open_stream(events_server, ws.id, channel, token) as response:
        assert response.status_code == 401
        response.read()
        assert response.json()["errors"][0]["code"] == "unauthorized"
    # ...but it still replays what came before the close (resumed or rewound), then ends: a client
    # that connects after Fin already answered loses nothing.
    with open_stream(events_server, ws.id, channel, token, last_event_id=str(first - 1)) as response:
        assert SseReader(response).read(2, timeout=10) == [(first, fin_event(0))]
    with open_stream(events_server, ws.id, channel, token, rewind="2m") as response:
        assert SseReader(response).read(2, timeout=10) == [(first, fin_event(0))]
    # A token made after the close (the next /fin/reply's) replays the channel and stays open.
    with open_stream(events_server, ws.id, channel, rewind="2m") as response:
        reader = SseReader(response)
        assert reader.read(1) == [(first, fin_event(0))]
        (later,) = record(events_server, ws.id, ("fin_replied", fin_event(1)), channel=channel)
        assert reader.read(1) == [(later, fin_event(1))]


def test_topic_items_are_their_objects_get_shape(events_server: LiveServer, ws: Workspace) -> None:
    """Items made by the API (not recorded by hand) are checked by the receiver against their GET
    operation's example, and are the GET body; the stored event knows its subject's type."""
    topics = ["company.created", "contact.user.created", "conversation.user.created"]
    with Receiver() as receiver:
        subscribe(events_server, ws.id, receiver.url, topics)
        sdk = ws.client.unstable
        company = sdk.companies.create_or_update_company(request={"company_id": "hooked"})
        person = sdk.contacts.create_contact(request={"email": "hooked@example.com"})
        message = sdk.conversations.create_conversation(from_={"type": "user", "id": person.id}, body="Hello")
        seen = receiver.wait_for(lambda seen: all(topic_requests(seen, t) for t in topics))
    items = {t: topic_requests(seen, t)[0].json["data"]["item"] for t in topics}
    assert items["company.created"] == ws.http.get(f"/companies/{company.id}").json()
    conversation = ws.http.get(f"/conversations/{message.conversation_id}").json()
    assert items["conversation.user.created"].keys() == conversation.keys()
    assert items["contact.user.created"].keys() == ws.http.get(f"/contacts/{person.id}").json().keys()

    async def subjects(uow: UnitOfWork) -> dict[str, str]:
        rows = await uow.all(uow.select(events).where(events.c.topic.in_(topics)))
        return {row["topic"]: row["subject_type"] for row in rows}

    assert in_workspace(events_server, ws.id, subjects) == {
        "company.created": "company",
        "contact.user.created": "contact",
        "conversation.user.created": "conversation",
    }


def test_a_subscriber_gets_the_contact_as_it_was_at_each_event(events_server: LiveServer, ws: Workspace) -> None:
    """Contact events are rendered only when wanted: a subscriber still receives, for each event, the
    contact exactly as the API answered at that moment (the render is not deferred to delivery)."""
    with Receiver() as receiver:
        subscribe(events_server, ws.id, receiver.url, ["contact.user.created", "contact.user.updated"])
        receiver.wait_for(lambda seen: len(seen) >= 1)
        created = ws.http.post("/contacts", json={"email": "watched@example.com", "name": "First"}).json()
        updated = ws.http.put(f"/contacts/{created['id']}", json={"name": "Second"}).json()
        ws.http.put(f"/contacts/{created['id']}", json={"name": "Third"}).raise_for_status()
        seen = receiver.wait_for(lambda seen: len(topic_requests(seen, "contact.user.updated")) >= 2)
    assert [r.json["data"]["item"] for r in topic_requests(seen, "contact.user.created")] == [created]
    items = [r.json["data"]["item"] for r in topic_requests(seen, "contact.user.updated")]
    assert updated in items
    assert sorted(i["name"] for i in items) == ["Second", "Third"]
