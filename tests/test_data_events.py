"""Data events: 202 on create, repeats dropped, listed and summarised per contact in every filter spelling."""

from __future__ import annotations

import json
import time

from intercom.unstable.data_events import LisDataEventsRequestFilterEmail, LisDataEventsRequestFilterUserId

from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Receiver
from tests.support.setup import assert_error, setup


def user(workspace: Workspace, external_id: str = "u-1", email: str = "frodo@example.com") -> dict:
    response = workspace.http.post("/contacts", json={"role": "user", "external_id": external_id, "email": email})
    assert response.status_code == 200, response.text
    return response.json()


def send(workspace: Workspace, **body: object) -> int:
    return workspace.http.post("/events", json=body).status_code


class TestCreate:
    def test_sdk_create_is_listed_with_the_contact(self, workspace: Workspace, client) -> None:
        contact = user(workspace)
        now = int(time.time())
        client.unstable.data_events.create_data_event(
            request={"event_name": "invited-friend", "created_at": now, "user_id": "u-1", "metadata": {"code": "X"}}
        )
        listed = client.unstable.data_events.lis_data_events(
            filter=LisDataEventsRequestFilterUserId(user_id="u-1"), type="user"
        )
        assert listed.intercom_user_id == contact["id"]
        assert listed.user_id == "u-1"
        assert listed.email == "frodo@example.com"
        raw = workspace.http.get("/events", params={"type": "user", "user_id": "u-1"}).json()
        assert raw["events"] == [
            {
                "type": "event",
                "id": raw["events"][0]["id"],
                "event_name": "invited-friend",
                "created_at": now,
                "intercom_user_id": contact["id"],
                "user_id": "u-1",
                "email": "frodo@example.com",
                "metadata": {"code": "X"},
            }
        ]

    def test_repeats_are_dropped_but_accepted(self, workspace: Workspace) -> None:
        user(workspace)
        now = int(time.time())
        for _ in range(3):
            assert send(workspace, event_name="paid", created_at=now, email="FRODO@example.com") == 202
        assert send(workspace, event_name="paid", created_at=now - 1, user_id="u-1") == 202
        events = workspace.http.get("/events", params={"type": "user", "user_id": "u-1"}).json()["events"]
        assert [e["created_at"] for e in events] == [now, now - 1]

    def test_unknown_user_and_bad_input(self, workspace: Workspace) -> None:
        lead = workspace.http.post("/contacts", json={"role": "lead", "email": "lead@example.com"}).json()
        now = int(time.time())
        assert_error(
            workspace.http.post("/events", json={"event_name": "x", "created_at": now, "user_id": "nobody"}),
            404,
            "not_found",
            "User Not Found",
        )
        # A lead is found by its Intercom id only.
        assert_error(
            workspace.http.post("/events", json={"event_name": "x", "created_at": now, "email": "lead@example.com"}),
            404,
            "not_found",
        )
        assert send(workspace, event_name="x", created_at=now, id=lead["id"]) == 202
        assert_error(
            workspace.http.post("/events", json={"created_at": now, "id": lead["id"]}), 400, "parameter_not_found"
        )
        assert_error(
            workspace.http.post("/events", json={"event_name": "x", "id": lead["id"]}), 400, "parameter_not_found"
        )
        nested = {"event_name": "x", "created_at": now, "id": lead["id"], "metadata": {"deep": {"a": {"b": 1}}}}
        assert_error(workspace.http.post("/events", json=nested), 400, "parameter_invalid")
        assert_error(
            workspace.http.post("/events", json={"event_name": "x", "created_at": "soon", "id": lead["id"]}),
            400,
            "parameter_invalid",
        )

    def test_metadata_keeps_ten_keys_and_typed_objects(self, workspace: Workspace) -> None:
        user(workspace)
        metadata = {f"k{i}": i for i in range(12)}
        metadata["k0"] = {"url": "https://example.com/o/1", "value": "Order 1"}
        metadata["k1"] = {"amount": 3499, "currency": "eur"}
        assert (
            send(workspace, event_name="ordered", created_at=int(time.time()), user_id="u-1", metadata=metadata) == 202
        )
        stored = workspace.http.get("/events", params={"type": "user", "user_id": "u-1"}).json()["events"][0][
            "metadata"
        ]
        assert list(stored) == [f"k{i}" for i in range(10)]
        assert stored["k0"] == {"url": "https://example.com/o/1", "value": "Order 1"}

    def test_event_created_webhook(self, server: LiveServer, workspace: Workspace) -> None:
        contact = user(workspace)
        with Receiver() as receiver:
            setup(
                server, workspace, "POST", "webhook_subscriptions", {"url": receiver.url, "topics": ["event.created"]}
            )
            assert send(workspace, event_name="upgraded", created_at=int(time.time()), user_id="u-1") == 202
            seen = receiver.wait_for(lambda got: any(r.json.get("topic") == "event.created" for r in got))
        item = next(r.json for r in seen if r.json.get("topic") == "event.created")["data"]["item"]
        assert item["type"] == "event"
        assert item["event_name"] == "upgraded"
        assert item["intercom_user_id"] == contact["id"]


class TestList:
    def test_three_filter_spellings(self, workspace: Workspace) -> None:
        contact = user(workspace)
        assert send(workspace, event_name="a", created_at=int(time.time()), user_id="u-1") == 202
        spellings = [
            {"user_id": "u-1"},
            {"filter[user_id]": "u-1"},
            {"filter": json.dumps({"user_id": "u-1"})},
            {"intercom_user_id": contact["id"]},
            {"filter[email]": "frodo@example.com"},
            {"filter": json.dumps({"intercom_user_id": contact["id"]})},
        ]
        for params in spellings:
            body = workspace.http.get("/events", params={"type": "user", **params}).json()
            assert [e["event_name"] for e in body["events"]] == ["a"], params
        assert_error(
            workspace.http.get("/events", params={"type": "company", "user_id": "u-1"}), 400, "parameter_invalid"
        )
        assert_error(workspace.http.get("/events", params={"type": "user"}), 400, "parameter_invalid")
        assert_error(workspace.http.get("/events", params={"type": "user", "user_id": "ghost"}), 404, "not_found")

    def test_pages_follow_next_links_and_skip_old_events(self, workspace: Workspace) -> None:
        user(workspace)
        now = int(time.time())
        for offset in range(5):
            assert send(workspace, event_name="tick", created_at=now - offset, user_id="u-1") == 202
        assert send(workspace, event_name="tick", created_at=now - 91 * 86_400, user_id="u-1") == 202
        seen, url = [], "/events?type=user&user_id=u-1&per_page=2"
        while url:
            body = workspace.http.get(url).json()
            seen += [e["created_at"] for e in body["events"]]
            assert "since=" in body["pages"]["since"]
            url = body["pages"].get("next")
        assert seen == [now - offset for offset in range(5)]

    def test_summary_counts_events_and_merged_summaries(self, workspace: Workspace, client) -> None:
        user(workspace)
        now = int(time.time())
        for offset in (0, 10):
            assert send(workspace, event_name="paid", created_at=now - offset, user_id="u-1") == 202
        client.unstable.data_events.data_event_summaries(
            user_id="u-1", event_summaries={"event_name": "paid", "count": 5, "first": now - 1000, "last": now - 500}
        )
        client.unstable.data_events.data_event_summaries(
            user_id="u-1",
            event_summaries={"event_name": "logged-in", "count": 2, "first": 1389913941, "last": 1389913941},
        )
        summary = client.unstable.data_events.lis_data_events(
            filter=LisDataEventsRequestFilterEmail(email="frodo@example.com"), type="user", summary=True
        )
        assert summary.type == "event.summary"
        raw = workspace.http.get("/events", params={"type": "user", "user_id": "u-1", "summary": "true"}).json()
        by_name = {e["name"]: e for e in raw["events"]}
        assert by_name["paid"]["count"] == 7
        assert by_name["logged-in"] == {
            "name": "logged-in",
            "first": "2014-01-16T23:12:21.000+00:00",
            "last": "2014-01-16T23:12:21.000+00:00",
            "count": 2,
            "description": "",
        }
        # Summaries create no individual events.
        assert [
            e["event_name"]
            for e in workspace.http.get("/events", params={"type": "user", "user_id": "u-1"}).json()["events"]
        ] == ["paid", "paid"]
        assert_error(
            workspace.http.post(
                "/events/summaries", json={"user_id": "ghost", "event_summaries": {"event_name": "x", "first": 1}}
            ),
            404,
            "not_found",
        )
        assert_error(workspace.http.post("/events/summaries", json={"user_id": "u-1"}), 400, "parameter_not_found")
