"""The control plane (docs/control-plane.md): clock, seeded ids, snapshots, request log, faults."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.live import LiveServer, Workspace, management_json
from tests.support.receiver import Received, Receiver
from tidings.testing.control import ControlError

T0 = 1_900_000_000  # 2030-03-17, well away from real time


def me(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.unstable.admins.identify_admin().id)


def new_conversation(client, email: str = "clock@example.com") -> str:  # type: ignore[no-untyped-def]
    contact = client.unstable.contacts.create_contact(request={"email": email})
    made = client.unstable.conversations.create_conversation(
        from_={"type": "user", "id": contact.id}, body="Hello, is anyone there?"
    )
    return str(made.conversation_id)


def delivery_log(server: LiveServer, workspace: Workspace, **params: Any) -> list[dict[str, Any]]:
    return management_json(server, "GET", f"/workspaces/{workspace.id}/webhook_deliveries", params=params)["data"]


# The clock.
def test_a_frozen_clock_dates_everything_and_advancing_moves_it(client, workspace: Workspace) -> None:
    frozen = workspace.control.freeze(at=T0)
    assert (frozen["type"], frozen["now"], frozen["frozen"]) == ("clock", T0, True)
    contact = client.unstable.contacts.create_contact(request={"email": "frozen@example.com"})
    assert (contact.created_at, contact.updated_at) == (T0, T0)
    moved = workspace.control.advance(90)
    assert (moved["now"], moved["frozen"]) == (T0 + 90, True)
    updated = client.unstable.contacts.update_contact(id=contact.id, name="Later")
    assert (updated.created_at, updated.updated_at) == (T0, T0 + 90)
    assert workspace.control.clock()["now"] == T0 + 90
    real = workspace.control.real_time()
    assert real["frozen"] is False
    assert real["offset_ms"] == 0
    assert abs(real["now"] - time.time()) < 60


def test_a_clock_is_the_workspaces_own(server: LiveServer, workspace: Workspace) -> None:
    other = server.new_workspace()
    workspace.control.freeze(at=T0)
    assert abs(other.control.now() - time.time()) < 60
    made = other.client.unstable.contacts.create_contact(request={"email": "real@example.com"})
    assert abs(made.created_at - time.time()) < 60


def test_a_running_clock_advanced_keeps_running_ahead(client, workspace: Workspace) -> None:
    moved = workspace.control.advance(86400)
    assert moved["frozen"] is False
    assert 86400 * 1000 <= moved["offset_ms"] < 86400 * 1000 + 1000
    contact = client.unstable.contacts.create_contact(request={"email": "ahead@example.com"})
    assert abs(contact.created_at - (time.time() + 86400)) < 60


def test_clock_calls_are_checked(server: LiveServer, workspace: Workspace) -> None:
    with pytest.raises(ControlError, match="400"):
        workspace.control.call("POST", "/clock/advance", json={"seconds": -1})
    with pytest.raises(ControlError, match="400"):
        workspace.control.call("POST", "/clock/advance", json={})
    with pytest.raises(ControlError, match="400"):
        workspace.control.call("POST", "/clock/freeze", json={"at": "soon"})
    with server.management() as mgmt:
        assert mgmt.get("/workspaces/nosuchws/clock").status_code == 404
        assert (
            mgmt.get(f"/workspaces/{workspace.id}/clock", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        token = mgmt.get(f"/workspaces/{workspace.id}/clock", headers={"Authorization": f"Bearer {workspace.token}"})
        assert token.status_code == 401


def test_a_snooze_ends_when_the_clock_is_advanced(client, workspace: Workspace) -> None:
    workspace.control.freeze(at=T0)
    conversation_id = new_conversation(client)
    conversations = client.unstable.conversations
    conversations.manage_conversation(
        id=conversation_id, request={"message_type": "snoozed", "admin_id": me(client), "snoozed_until": T0 + 3600}
    )
    workspace.control.advance(3599)
    assert conversations.retrieve_conversation(id=int(conversation_id)).state == "snoozed"
    workspace.control.advance(1)
    woke = conversations.retrieve_conversation(id=int(conversation_id))
    assert (woke.state, woke.snoozed_until) == ("open", None)
    last = woke.conversation_parts.conversation_parts[-1]
    # The wake-up was recorded by the advance itself (a part and its event), dated at the snooze's end.
    assert (last.part_type, last.created_at) == ("timer_unsnooze", T0 + 3600)
    assert woke.updated_at == T0 + 3600


def test_advancing_fires_a_snoozes_webhook_before_it_returns(server: LiveServer, client, workspace: Workspace) -> None:
    workspace.control.freeze(at=T0)
    conversation_id = new_conversation(client)
    with Receiver() as receiver:
        management_json(
            server,
            "POST",
            f"/workspaces/{workspace.id}/webhook_subscriptions",
            json={"url": receiver.url, "topics": ["conversation.admin.unsnoozed"]},
        )
        client.unstable.conversations.manage_conversation(
            id=conversation_id, request={"message_type": "snoozed", "admin_id": me(client), "snoozed_until": T0 + 60}
        )
        workspace.control.advance(120)
        unsnoozed = [r for r in receiver.snapshot() if r.json.get("topic") == "conversation.admin.unsnoozed"]
    assert len(unsnoozed) == 1
    assert unsnoozed[0].json["data"]["item"]["id"] == conversation_id
    assert unsnoozed[0].json["created_at"] == T0 + 60


def test_advancing_runs_the_retry_schedule_before_it_returns(server: LiveServer, client, workspace: Workspace) -> None:
    """TIDINGS_WEBHOOK_RETRY_SCHEDULE=1,2,4 in tests: on a frozen clock the retries wait for the clock."""
    workspace.control.freeze(at=T0)

    def fail_twice(request: Received, seen_before: int) -> tuple[int, float]:
        if request.json["topic"] == "ping":
            return 200, 0
        return (500 if seen_before < 2 else 200), 0

    with Receiver(fail_twice) as receiver:
        management_json(
            server,
            "POST",
            f"/workspaces/{workspace.id}/webhook_subscriptions",
            json={"url": receiver.url, "topics": ["contact.user.created"]},
        )
        client.unstable.contacts.create_contact(request={"email": "retried@example.com"})
        first = receiver.wait_for(lambda seen: any(r.json["topic"] == "contact.user.created" for r in seen))
        assert [r.json["delivery_attempts"] for r in first if r.json["topic"] == "contact.user.created"] == [1]
        workspace.control.advance(10)
        attempts = [r for r in receiver.snapshot() if r.json["topic"] == "contact.user.created"]
    assert [r.json["delivery_attempts"] for r in attempts] == [1, 2, 3]
    [logged] = delivery_log(server, workspace, topic="contact.user.created")
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("delivered", 3, 200)
    # Delivered at the clock's time of the third attempt: 1 s then 2 s later, plus up to 20% jitter.
    assert T0 + 3 <= logged["delivered_at"] <= T0 + 4


def test_advancing_runs_fins_inactivity_steps_before_it_returns(server: LiveServer, workspace: Workspace) -> None:
    from tests.test_fin import QUESTION, configure, load_content, start, verified

    load_content(workspace)
    with Receiver() as receiver:
        secret = configure(server, workspace, webhook_url=receiver.url, inactivity_message="Still there?")[
            "webhook_secret"
        ]

        def events() -> list[tuple[str, str]]:
            unique = {r.delivery_id: verified(r, secret) for r in receiver.snapshot()}
            ordered = sorted(unique.values(), key=lambda e: e["created_at_ms"])
            return [(e["event_name"], e["status"]) for e in ordered if e["conversation_id"] == "ext-idle"]

        workspace.control.freeze(at=T0)
        start(workspace, "ext-idle", QUESTION)
        workspace.control.advance(0)  # Fin's turn has run and its events are delivered
        answered = [("fin_replied", "replying"), ("fin_status_updated", "awaiting_user_reply")]
        assert events() == answered
        workspace.control.advance(599)
        assert events() == answered
        workspace.control.advance(1)
        assert events() == answered * 2
        workspace.control.advance(600)
        assert events() == [*answered * 2, ("fin_status_updated", "complete")]


def test_one_advance_runs_both_inactivity_steps_in_order(server: LiveServer, workspace: Workspace) -> None:
    from tests.test_fin import QUESTION, configure, load_content, start, verified

    load_content(workspace)
    with Receiver() as receiver:
        secret = configure(server, workspace, webhook_url=receiver.url)["webhook_secret"]
        workspace.control.freeze(at=T0)
        start(workspace, "ext-gone", QUESTION)
        workspace.control.advance(3600)
        unique = {r.delivery_id: verified(r, secret) for r in receiver.snapshot()}
    ordered = sorted(unique.values(), key=lambda e: e["created_at_ms"])
    assert [(e["event_name"], e["status"]) for e in ordered] == [
        ("fin_replied", "replying"),
        ("fin_status_updated", "awaiting_user_reply"),
        ("fin_replied", "replying"),
        ("fin_status_updated", "awaiting_user_reply"),
        ("fin_status_updated", "complete"),
    ]
    # The nudge is dated when it fell due (600 s after the answer), not at the end of the move.
    assert ordered[2]["created_at_ms"].startswith("2030-03-17T")


# Seeded ids.
def scripted_calls(workspace: Workspace, me_id: str, n: int = 0) -> list[bytes]:
    """A fixed sequence of calls over many object kinds; every response body, as sent."""
    http = workspace.http
    bodies: list[bytes] = []

    def call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = http.request(method, path, json=body)
        assert response.status_code == 200, response.text
        bodies.append(response.content)
        return response.json()

    contact = call("POST", "/contacts", {"email": f"seeded{n}@example.com", "name": "Seeded"})
    call("PUT", f"/contacts/{contact['id']}", {"name": "Seeded Again"})
    company = call("POST", "/companies", {"company_id": f"acme{n}", "name": "Acme"})
    call("POST", f"/contacts/{contact['id']}/companies", {"id": company["id"]})
    tag = call("POST", "/tags", {"name": f"vip{n}"})
    call("POST", f"/contacts/{contact['id']}/tags", {"id": tag["id"]})
    call("POST", f"/contacts/{contact['id']}/notes", {"body": "Called them", "admin_id": me_id})
    message = call("POST", "/conversations", {"from": {"type": "user", "id": contact["id"]}, "body": "Help"})
    call(
        "POST",
        f"/conversations/{message['conversation_id']}/reply",
        {"message_type": "comment", "type": "admin", "admin_id": me_id, "body": "On it"},
    )
    call("GET", f"/conversations/{message['conversation_id']}")
    ticket_type = call("POST", "/ticket_types", {"name": f"Bug{n}", "category": "Customer"})
    call(
        "POST",
        "/tickets",
        {"ticket_type_id": ticket_type["id"], "contacts": [{"id": contact["id"]}], "ticket_attributes": {}},
    )
    call("POST", "/data_attributes", {"name": f"plan{n}", "model": "contact", "data_type": "string"})
    call("GET", "/contacts")
    return bodies


def test_two_runs_on_a_seeded_workspace_give_identical_bodies(server: LiveServer) -> None:
    with server.management() as mgmt:
        created = mgmt.post("/workspaces", json={"name": "seeded", "seed": "alpha"})
        assert created.status_code == 201, created.text
        assert created.json()["seed"] == "alpha"
        ws_id = created.json()["id"]
        # The workspace id comes from the seed, so a second one with that seed is refused.
        again = mgmt.post("/workspaces", json={"name": "seeded", "seed": "alpha"})
        assert again.status_code == 409
        assert again.json()["errors"][0]["code"] == "conflict"
        token = mgmt.post(f"/workspaces/{ws_id}/access_tokens", json={"name": "t"}).json()["token"]
    workspace = Workspace(id=ws_id, token=token, base_url=server.base_url, admin_key=server.admin_key)
    me_id = me(workspace.client)
    # Another workspace working at the same time does not disturb the sequence.
    bystander = server.new_workspace()
    runs = []
    for _ in range(2):
        workspace.control.freeze(at=T0)
        runs.append(scripted_calls(workspace, me_id))
        bystander.client.unstable.contacts.create_contact(request={"email": f"b{len(runs)}@example.com"})
        with server.management() as mgmt:
            assert mgmt.post(f"/workspaces/{ws_id}/reset").status_code == 200
    for first, second in zip(*runs, strict=True):
        assert first == second, (first, second)


def test_a_new_seed_gives_other_ids_and_no_seed_random_ones(server: LiveServer) -> None:
    with server.management() as mgmt:
        ws_id = mgmt.post("/workspaces", json={"name": "seeded", "seed": 12345}).json()["id"]
        token = mgmt.post(f"/workspaces/{ws_id}/access_tokens", json={"name": "t"}).json()["token"]
    workspace = Workspace(id=ws_id, token=token, base_url=server.base_url, admin_key=server.admin_key)
    workspace.control.freeze(at=T0)

    def ids_of_one_run() -> tuple[str, str]:
        contact = workspace.client.unstable.contacts.create_contact(request={"email": "x@example.com"})
        made = workspace.client.unstable.conversations.create_conversation(
            from_={"type": "user", "id": contact.id}, body="Hi"
        )
        return contact.id, str(made.conversation_id)

    def reset(body: dict[str, Any] | None) -> None:
        with server.management() as mgmt:
            assert mgmt.post(f"/workspaces/{ws_id}/reset", json=body).status_code == 200

    first = ids_of_one_run()
    reset(None)
    assert ids_of_one_run() == first
    reset({"seed": "another"})
    other = ids_of_one_run()
    assert other[0] != first[0]
    assert other[1] != first[1]
    assert other[0].startswith(f"{T0:08x}")


# Snapshots.
def inventory(workspace: Workspace) -> dict[str, Any]:
    """Every object kind the workspace has, as its list (or search) endpoint shows them."""
    http = workspace.http
    contacts = http.get("/contacts", params={"per_page": 150}).json()
    found = {
        "contacts": contacts,
        "companies": http.get("/companies", params={"per_page": 60}).json(),
        "tags": http.get("/tags").json(),
        "conversations": http.get("/conversations", params={"per_page": 150}).json(),
        "ticket_types": http.get("/ticket_types").json(),
        "data_attributes": http.get("/data_attributes").json(),
        "segments": http.get("/segments").json(),
        "admins": http.get("/admins").json(),
        "teams": http.get("/teams").json(),
        "subscription_types": http.get("/subscription_types").json(),
        "tickets": http.post(
            "/tickets/search", json={"query": {"field": "created_at", "operator": ">", "value": "0"}}
        ).json(),
    }
    for contact in contacts["data"]:
        found[f"notes of {contact['id']}"] = http.get(f"/contacts/{contact['id']}/notes").json()
    for conversation in found["conversations"]["conversations"]:
        found[f"conversation {conversation['id']}"] = http.get(f"/conversations/{conversation['id']}").json()
    return found


def test_a_restored_snapshot_gives_back_exactly_the_saved_state(client, workspace: Workspace) -> None:
    workspace.control.freeze(at=T0)
    me_id = me(client)
    scripted_calls(workspace, me_id)
    saved = workspace.control.save_snapshot("baseline")
    assert (saved["type"], saved["name"], saved["created_at"]) == ("snapshot", "baseline", T0)
    assert saved["objects"] > 10
    before = inventory(workspace)

    workspace.control.advance(60)
    scripted_calls(workspace, me_id, 1)
    contact_id = before["contacts"]["data"][0]["id"]
    assert workspace.http.put(f"/contacts/{contact_id}", json={"name": "Changed"}).status_code == 200
    assert workspace.http.delete(f"/contacts/{contact_id}").status_code == 200
    assert inventory(workspace) != before

    restored = workspace.control.restore_snapshot("baseline")
    assert restored["name"] == "baseline"
    assert inventory(workspace) == before
    # The token still works as before, and new objects get fresh ids.
    assert client.unstable.admins.identify_admin().id == me_id
    extra = client.unstable.contacts.create_contact(request={"email": "after@example.com"})
    assert extra.id not in {c["id"] for c in before["contacts"]["data"]}
    # A snapshot can be restored again and again.
    workspace.control.restore_snapshot("baseline")
    assert inventory(workspace) == before


def test_snapshots_are_listed_replaced_and_deleted(workspace: Workspace) -> None:
    control = workspace.control
    assert control.snapshots() == []
    control.save_snapshot("empty")
    workspace.client.unstable.contacts.create_contact(request={"email": "one@example.com"})
    control.save_snapshot("one")
    assert [s["name"] for s in control.snapshots()] == ["empty", "one"]
    control.save_snapshot("empty")
    assert sorted(s["name"] for s in control.snapshots()) == ["empty", "one"]
    control.restore_snapshot("empty")
    assert workspace.http.get("/contacts").json()["data"] != []
    control.delete_snapshot("one")
    assert [s["name"] for s in control.snapshots()] == ["empty"]
    with pytest.raises(ControlError, match="404"):
        control.restore_snapshot("one")
    with pytest.raises(ControlError, match="404"):
        control.delete_snapshot("one")
    with pytest.raises(ControlError, match="400"):
        control.save_snapshot("no spaces/or slashes")


def test_a_reset_keeps_snapshots(server: LiveServer, workspace: Workspace) -> None:
    workspace.client.unstable.contacts.create_contact(request={"email": "kept@example.com"})
    workspace.control.save_snapshot("kept")
    with server.management() as mgmt:
        assert mgmt.post(f"/workspaces/{workspace.id}/reset").status_code == 200
    assert workspace.http.get("/contacts").json()["data"] == []
    workspace.control.restore_snapshot("kept")
    assert [c["email"] for c in workspace.http.get("/contacts").json()["data"]] == ["kept@example.com"]


# The request log.
def test_the_request_log_shows_the_sdks_calls_with_masked_tokens(client, workspace: Workspace) -> None:
    workspace.control.freeze(at=T0)
    contact = client.unstable.contacts.create_contact(request={"email": "logged@example.com"})
    client.unstable.contacts.show_contact(id=contact.id)
    missing = workspace.http.get("/contacts/000000000000000000000000")
    assert missing.status_code == 404
    logged = workspace.control.requests()
    assert [(e["method"], e["path"], e["status"]) for e in logged] == [
        ("POST", "/contacts", 200),
        ("GET", f"/contacts/{contact.id}", 200),
        ("GET", "/contacts/000000000000000000000000", 404),
    ]
    created = logged[0]
    assert created["type"] == "request"
    assert created["at_ms"] == T0 * 1000
    assert '"email":"logged@example.com"' in created["body"].replace(" ", "")
    assert '"id":"' + contact.id + '"' in created["response_body"]
    assert created["duration_ms"] >= 0
    authorization = created["headers"]["authorization"]
    assert authorization == "Bearer ****" + workspace.token[-4:]
    assert workspace.token not in str(logged)
    assert logged[2]["request_id"] == missing.json()["request_id"]
    assert [e["path"] for e in workspace.control.requests(method="GET", path="/contacts/*")] == [
        f"/contacts/{contact.id}",
        "/contacts/000000000000000000000000",
    ]
    assert [e["status"] for e in workspace.control.requests(status=404)] == [404]
    assert len(workspace.control.requests(limit=1)) == 1
    workspace.control.clear_requests()
    assert workspace.control.requests() == []


def test_the_request_log_is_the_workspaces_own(server: LiveServer, workspace: Workspace) -> None:
    other = server.new_workspace()
    other.http.get("/contacts")
    workspace.http.get("/tags")
    assert [e["path"] for e in workspace.control.requests()] == ["/tags"]
    assert [e["path"] for e in other.control.requests()] == ["/contacts"]


# Faults.
def test_an_error_fault_is_the_sdks_error_and_changes_nothing(client, workspace: Workspace) -> None:
    from intercom.core.api_error import ApiError

    workspace.control.add_fault(method="POST", path="/contacts", status=404, times=1)
    with pytest.raises(ApiError) as raised:
        client.unstable.contacts.create_contact(request={"email": "fault@example.com"})
    assert raised.value.status_code == 404
    assert raised.value.body["type"] == "error.list"
    assert raised.value.body["errors"] == [{"code": "not_found", "message": "Resource Not Found"}]
    assert workspace.http.get("/contacts").json()["data"] == []
    # Used up: the next call goes through.
    client.unstable.contacts.create_contact(request={"email": "fault@example.com"})
    workspace.control.add_fault(operation_id="ListContacts", status=500, code="server_error", message="Boom")
    with pytest.raises(ApiError) as failed:
        client.unstable.contacts.list_contacts(request_options={"max_retries": 0})
    assert failed.value.status_code == 500
    assert failed.value.body["errors"] == [{"code": "server_error", "message": "Boom"}]
    rule = workspace.control.faults()[-1]
    assert (rule["type"], rule["kind"], rule["matched"], rule["operation_id"]) == ("fault", "error", 1, "ListContacts")
    workspace.control.clear_faults()
    assert workspace.control.faults() == []
    assert len(client.unstable.contacts.list_contacts().data) == 1


def test_a_scripted_429_carries_rate_limit_headers_and_the_sdk_retries_it(client, workspace: Workspace) -> None:
    from intercom.core.api_error import ApiError

    workspace.control.add_fault(path="/contacts", method="POST", status=429, times=1)
    with pytest.raises(ApiError) as raised:
        client.unstable.contacts.create_contact(request={"email": "a@example.com"}, request_options={"max_retries": 0})
    assert raised.value.status_code == 429
    assert raised.value.body["errors"][0]["code"] == "rate_limit_exceeded"
    assert raised.value.headers["x-ratelimit-remaining"] == "0"
    assert int(raised.value.headers["x-ratelimit-limit"]) > 0
    assert int(raised.value.headers["x-ratelimit-reset"]) > time.time() - 60
    # Told to retry (its count starts at 2), the SDK gets through one 429 after its Retry-After;
    # the log shows both attempts.
    workspace.control.add_fault(path="/contacts", method="POST", status=429, times=1)
    client.unstable.contacts.create_contact(request={"email": "b@example.com"}, request_options={"max_retries": 3})
    assert [e["status"] for e in workspace.control.requests(method="POST", path="/contacts")] == [429, 429, 200]


def test_latency_and_dropped_connections(client, workspace: Workspace) -> None:
    import httpx

    workspace.control.add_fault(kind="latency", latency_ms=1500, path="/tags", times=1)
    slow = httpx.Client(base_url=workspace.base_url, headers={"Authorization": f"Bearer {workspace.token}"})
    with pytest.raises(httpx.ReadTimeout):
        slow.get("/tags", timeout=0.5)
    assert slow.get("/tags").status_code == 200
    workspace.control.add_fault(kind="drop", path="/tags", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.unstable.tags.list_tags(request_options={"max_retries": 0})
    assert client.unstable.tags.list_tags().type == "list"
    [dropped] = workspace.control.requests(status=None, path="/tags")[-2:-1]
    assert dropped["dropped"] is True
    assert dropped["status"] is None


def test_a_fault_with_a_probability_fails_about_that_share(workspace: Workspace) -> None:
    workspace.control.add_fault(path="/tags", status=503, probability=0.5)
    statuses = [workspace.http.get("/tags").status_code for _ in range(60)]
    assert set(statuses) == {200, 503}


def test_fault_rules_are_checked(workspace: Workspace) -> None:
    for bad in ({"status": 200}, {"kind": "explode"}, {"probability": 2}, {"kind": "error"}, {"path": "contacts"}):
        with pytest.raises(ControlError, match="400"):
            workspace.control.add_fault(**bad)
    with pytest.raises(ControlError, match="404"):
        workspace.control.call("DELETE", "/faults/fault_0")


# The CLI.
def test_the_cli_drives_each_control(server: LiveServer, workspace: Workspace) -> None:
    import json

    from typer.testing import CliRunner

    from tidings.cli import app

    runner = CliRunner()
    where = ["--url", server.base_url, "--admin-key", server.admin_key]

    def run(*args: str) -> Any:
        result = runner.invoke(
            app,
            [*args[:2], workspace.id, *args[2:], *where]
            if args[0] != "requests"
            else [args[0], workspace.id, *args[1:], *where],
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.output) if result.output.strip() else None

    assert run("clock", "freeze", "--at", str(T0))["now"] == T0
    assert run("clock", "advance", "60")["now"] == T0 + 60
    workspace.http.get("/tags")
    assert [e["path"] for e in run("requests", "--path", "/tags")] == ["/tags"]
    assert run("faults", "add", "--path", "/tags", "--status", "503", "--times", "1")["status"] == 503
    assert workspace.http.get("/tags").status_code == 503
    assert [f["matched"] for f in run("faults", "list")] == [1]
    run("faults", "clear")
    assert run("faults", "list") == []
    assert run("snapshot", "save", "cli")["name"] == "cli"
    assert [s["name"] for s in run("snapshot", "list")] == ["cli"]
    assert run("snapshot", "restore", "cli")["name"] == "cli"
    run("snapshot", "delete", "cli")
    assert run("workspace", "reset", "--seed", "cli-seed")["status"] == "reset"
    assert run("clock", "real")["frozen"] is False
    failed = runner.invoke(app, ["snapshot", "restore", workspace.id, "missing", *where])
    assert failed.exit_code == 1
    assert "404" in failed.output
