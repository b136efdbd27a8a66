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
