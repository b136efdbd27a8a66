"""Fin Agent API end to end: /fin/start and /fin/reply on a live server, events received by a real
webhook receiver (signatures verified) and over SSE, hand-over through the Conversations API, the
generative mode against a local OpenAI-compatible stand-in, and a restart mid-thinking.

The SDK has no Fin Agent calls, so /fin/* goes through raw HTTP (`workspace.http`, validated
against the spec like every response); the hand-over is checked through the SDK's conversations.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import signal
import threading
import time
from base64 import b64encode
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, Workspace, management_json
from tests.support.receiver import Received, Receiver
from tidings.testing.control import WorkspaceControl

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PAGES = [
    (
        "Resetting your password",
        "<h2>Reset a forgotten password</h2><p>To reset your password, open Settings and choose Security. "
        "Click Reset password and follow the link we email you. The reset link expires after one hour.</p>",
    ),
    (
        "Downloading invoices",
        "<p>Invoices are on the Billing page. Choose an invoice and click Download to save it as a PDF. "
        "Invoices are issued on the first day of every month.</p>",
    ),
    (
        "Inviting teammates",
        "<p>Admins can invite teammates from the Team page. Enter their email address and pick a role; "
        "the invitation stays valid for seven days.</p>",
    ),
]
QUESTION = "How do I reset my password?"


# Set-up helpers.
def load_content(ws: Workspace) -> dict[str, str]:
    """The library: returns page url → title."""
    source = ws.http.post("/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://help.test"})
    assert source.status_code == 200, source.text
    urls = {}
    for index, (title, html) in enumerate(PAGES):
        url = f"https://help.test/articles/{index}"
        page = ws.http.post(
            "/ai/external_pages",
            json={
                "title": title,
                "html": html,
                "url": url,
                "locale": "en",
                "source_id": source.json()["id"],
                "external_id": f"article-{index}",
                "ai_agent_availability": True,
            },
        )
        assert page.status_code == 200, page.text
        urls[url] = title
    return urls


def configure(server: LiveServer, ws: Workspace, **settings: Any) -> dict[str, Any]:
    return management_json(server, "PUT", f"/workspaces/{ws.id}/fin_agent_settings", json=settings)


def message(body: str, timestamp: str | None = None) -> dict[str, str]:
    stamp = timestamp or time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time_ns() // 10**6 % 1000:03d}Z"
    return {"author": "user", "body": body, "timestamp": stamp}


def start(ws: Workspace, conversation_id: str, body: str, **extra: Any) -> dict[str, Any]:
    payload = {"conversation_id": conversation_id, "message": message(body), "user": {"id": "user-1"}} | extra
    response = ws.http.post("/fin/start", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def reply(ws: Workspace, conversation_id: str, body: str, **extra: Any) -> dict[str, Any]:
    payload = {"conversation_id": conversation_id, "message": message(body), "user": {"id": "user-1"}} | extra
    response = ws.http.post("/fin/reply", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def verified(request: Received, secret: str) -> dict[str, Any]:
    """The event JSON, after checking its signature as a receiver would (raw body, constant time)."""
    signature = request.headers["x-fin-agent-api-webhook-signature"]
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    return json.loads(request.body)


def events_of(
    receiver: Receiver, secret: str, conversation_id: str, count: int, control: WorkspaceControl
) -> list[dict[str, Any]]:
    """Exactly `count` events of the conversation (waits for them, then checks no more arrive: once
    the workspace has nothing left to run, every event it was going to send has been sent)."""

    def mine(seen: list[Received]) -> list[dict[str, Any]]:
        unique = {r.delivery_id: r for r in seen}
        events = [verified(r, secret) for r in unique.values()]
        return [e for e in events if e["conversation_id"] == conversation_id]

    receiver.wait_for(lambda seen: len(mine(seen)) >= count)
    control.advance(0)  # returns once Fin's turns and the deliveries due have run
    found = mine(receiver.snapshot())
    assert len(found) == count, [(e["event_name"], e.get("status")) for e in found]
    return found


def shape(events: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(e["event_name"], e["status"], e.get("reason")) for e in events]


@dataclass
class Fin:
    server: LiveServer
    ws: Workspace
    receiver: Receiver
    secret: str
    urls: dict[str, str]

    def events(self, conversation_id: str, count: int) -> list[dict[str, Any]]:
        return events_of(self.receiver, self.secret, conversation_id, count, self.ws.control)


@pytest.fixture
def fin(server: LiveServer) -> Iterator[Fin]:
    ws = server.new_workspace("fin")
    urls = load_content(ws)
    with Receiver() as receiver:
        settings = configure(server, ws, webhook_url=receiver.url)
        yield Fin(server, ws, receiver, settings["webhook_secret"], urls)


# Settings.
def test_settings_generate_a_secret_and_keep_it(server: LiveServer) -> None:
    ws = server.new_workspace()
    first = configure(server, ws, webhook_url="https://hooks.test/fin")
    assert first["type"] == "fin_agent_settings"
    assert re.fullmatch(r"[0-9a-f]{64}", first["webhook_secret"])
    assert first["sse_enabled"] is True
    assert first["streaming"] is False
    assert first["escalation_rules"] == []
    assert first["inactivity_timeout_seconds"] == 600
    assert first["inactivity_message"] == "Is there anything else I can help you with?"
    second = configure(server, ws, streaming=True)
    assert second["webhook_secret"] == first["webhook_secret"]
    assert second["webhook_url"] == "https://hooks.test/fin"
    assert second["streaming"] is True
    chosen = configure(server, ws, webhook_secret="s3cret")
    assert chosen["webhook_secret"] == "s3cret"
    with server.management() as mgmt:
        bad = mgmt.put(f"/workspaces/{ws.id}/fin_agent_settings", json={"webhook_url": "ftp://x"})
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["field"] == "webhook_url"
        bad_rule = mgmt.put(f"/workspaces/{ws.id}/fin_agent_settings", json={"escalation_rules": [{"name": "x"}]})
        assert bad_rule.status_code == 400
        negative = mgmt.put(f"/workspaces/{ws.id}/fin_agent_settings", json={"inactivity_timeout_seconds": -1})
        assert negative.status_code == 400
        assert negative.json()["errors"][0]["field"] == "inactivity_timeout_seconds"


# The lifecycle.
def test_answered_question_events(fin: Fin) -> None:
    started = start(fin.ws, "ext-answer", QUESTION, user={"id": "user-1", "name": "Ann", "email": "ann@x.test"})
    assert started["status"] == "thinking"
    assert started["conversation_id"] == "ext-answer"
    assert started["user_id"] == "user-1"
    assert ISO_MS.match(started["created_at_ms"])
    assert "channels=fin_agent_api" in started["sse_subscription_url"]
    assert "rewind=2m" in started["sse_subscription_url"]
    assert "errors" not in started

    events = fin.events("ext-answer", 2)
    assert shape(events) == [("fin_replied", "replying", None), ("fin_status_updated", "awaiting_user_reply", None)]
    answer = events[0]
    assert answer["user_id"] == "user-1"
    assert answer["message"]["author"] == "fin"
    assert "Settings" in answer["message"]["body"]
    assert "Security" in answer["message"]["body"]
    assert answer["message"]["body"].startswith("<p>")
    cited = re.findall(r'<a href="([^"]+)" target="_blank">', answer["message"]["body"])
    assert cited[0] == "https://help.test/articles/0"
    assert len(cited) <= 3
    assert "stream_id" not in answer
    for event in events:
        assert ISO_MS.match(event["created_at_ms"])
    assert ISO_MS.match(answer["message"]["timestamp_ms"])
    assert set(events[1]) == {"event_name", "conversation_id", "user_id", "status", "created_at_ms"}


def test_resolved_when_the_user_confirms(fin: Fin) -> None:
    start(fin.ws, "ext-resolve", QUESTION)
    fin.events("ext-resolve", 2)
    assert reply(fin.ws, "ext-resolve", "Thanks, that helped!")["status"] == "thinking"
    events = fin.events("ext-resolve", 4)
    assert shape(events[2:]) == [("fin_status_updated", "resolved", None), ("fin_status_updated", "complete", None)]
    closed = fin.ws.http.post(
        "/fin/reply", json={"conversation_id": "ext-resolve", "message": message("hi"), "user": {"id": "user-1"}}
    )
    assert closed.status_code == 400


def test_escalated_when_the_user_asks_for_a_human(fin: Fin) -> None:
    start(fin.ws, "ext-human", QUESTION)
    fin.events("ext-human", 2)
    reply(fin.ws, "ext-human", "Can I talk to a human please?")
    events = fin.events("ext-human", 4)
    assert shape(events[2:]) == [
        ("fin_status_updated", "escalated", "Escalation requested by user"),
        ("fin_status_updated", "complete", None),
    ]
    conversation = handed_over(fin, QUESTION)
    bodies = [part.body for part in conversation.conversation_parts.conversation_parts]
    assert any("Settings" in (body or "") for body in bodies)
    assert "Can I talk to a human please?" in bodies
    assert conversation.team_assignee_id is not None


def test_attachments_reach_the_team_at_hand_over(fin: Fin) -> None:
    screenshot = bytes(range(256)) * 4
    start(
        fin.ws,
        "ext-attach",
        QUESTION,
        attachments=[
            {
                "type": "file",
                "name": "error shot.png",
                "content_type": "image/png",
                "data": b64encode(screenshot).decode(),
            },
            {"type": "url", "url": "https://files.example.test/logs/console.txt"},
        ],
    )
    fin.events("ext-attach", 2)
    reply(
        fin.ws,
        "ext-attach",
        "I want to talk to a person",
        attachments=[{"type": "file", "name": "notes.txt", "content_type": "text/plain", "data": "aGVsbG8="}],
    )
    fin.events("ext-attach", 4)
    conversation = handed_over(fin, QUESTION)
    source = conversation.source.attachments
    assert [a.name for a in source] == ["error shot.png", "console.txt"]
    assert source[1].url == "https://files.example.test/logs/console.txt"
    download = httpx.get(source[0].url, timeout=10)
    assert download.status_code == 200
    assert download.content == screenshot
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    asked = next(
        p for p in conversation.conversation_parts.conversation_parts if p.body == "I want to talk to a person"
    )
    assert [a.name for a in asked.attachments] == ["notes.txt"]
    assert httpx.get(asked.attachments[0].url, timeout=10).content == b"hello"
    missing = httpx.get(source[0].url.replace("/_tidings/uploads/", "/_tidings/uploads/x"), timeout=10)
    assert missing.status_code == 404
    assert missing.json()["type"] == "error.list"


def test_bad_attachments_are_refused_and_change_nothing(fin: Fin) -> None:
    cases = [
        ({"type": "file", "name": "a.png", "content_type": "image/png", "data": "not base64!"}, "attachments[0].data"),
        ({"type": "url", "url": "ftp://files.example.test/a"}, "attachments[0].url"),
        ({"type": "file", "name": "a.png", "data": "aGVsbG8="}, "attachments[0].content_type"),
    ]
    for attachment, named in cases:
        body = {
            "conversation_id": "ext-bad-attach",
            "message": message(QUESTION),
            "user": {"id": "user-1"},
            "attachments": [attachment],
        }
        response = fin.ws.http.post("/fin/start", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == named
    unknown = fin.ws.http.post(
        "/fin/reply", json={"conversation_id": "ext-bad-attach", "message": message("hi"), "user": {"id": "user-1"}}
    )
    assert unknown.status_code == 404


def handed_over(fin: Fin, opening: str) -> Any:
    """The Intercom conversation a hand-over opened, read back through the SDK."""
    listed = fin.ws.client.conversations.list()
    found = [c for c in listed.items if opening in (c.source.body or "")]
    assert len(found) == 1
    return fin.ws.client.conversations.find(found[0].id)


def test_out_of_scope_question_is_escalated_not_guessed(fin: Fin) -> None:
    start(fin.ws, "ext-oos", "What is the airspeed velocity of an unladen swallow?")
    events = fin.events("ext-oos", 3)
    assert shape(events) == [
        ("fin_replied", "replying", None),
        ("fin_status_updated", "escalated", "Routed to team"),
        ("fin_status_updated", "complete", None),
    ]
    assert "couldn't find" in events[0]["message"]["body"]
    assert "<a " not in events[0]["message"]["body"]
    conversation = handed_over(fin, "airspeed velocity")
    teams = fin.ws.client.teams.list().teams
    assert str(conversation.team_assignee_id) == teams[0].id


def test_two_unhelpful_answers_escalate(fin: Fin) -> None:
    start(fin.ws, "ext-unhelpful", QUESTION)
    fin.events("ext-unhelpful", 2)
    reply(fin.ws, "ext-unhelpful", "No, that didn't help")
    events = fin.events("ext-unhelpful", 4)
    assert shape(events[2:]) == [("fin_replied", "replying", None), ("fin_status_updated", "awaiting_user_reply", None)]
    reply(fin.ws, "ext-unhelpful", "How do I download an invoice?")
    fin.events("ext-unhelpful", 6)
    reply(fin.ws, "ext-unhelpful", "nope, still not it")
    events = fin.events("ext-unhelpful", 8)
    assert shape(events[6:]) == [
        ("fin_status_updated", "escalated", "Conversation finished without resolution"),
        ("fin_status_updated", "complete", None),
    ]


def test_escalation_rules(fin: Fin) -> None:
    configure(
        fin.server,
        fin.ws,
        escalation_rules=[
            {"name": "Refunds", "keywords": ["refund", "money back"]},
            {"attribute": "plan", "operator": "equals", "value": "enterprise"},
        ],
    )
    start(fin.ws, "ext-keyword", "I want my money back for last month")
    assert shape(fin.events("ext-keyword", 2)) == [
        ("fin_status_updated", "escalated", "Escalation rule: Refunds"),
        ("fin_status_updated", "complete", None),
    ]
    start(fin.ws, "ext-attribute", QUESTION, user={"id": "vip-1", "attributes": {"plan": "Enterprise"}})
    assert shape(fin.events("ext-attribute", 2)) == [
        ("fin_status_updated", "escalated", "Escalation rule matched"),
        ("fin_status_updated", "complete", None),
    ]


def test_a_resent_message_is_answered_once(fin: Fin) -> None:
    same = message(QUESTION)
    body = {"conversation_id": "ext-dedupe", "message": same, "user": {"id": "user-1"}}
    assert fin.ws.http.post("/fin/start", json=body).status_code == 200
    fin.events("ext-dedupe", 2)
    again = fin.ws.http.post("/fin/reply", json=body)
    assert again.status_code == 200
    assert again.json()["status"] == "awaiting_user_reply"
    fin.events("ext-dedupe", 2)


def test_a_silent_user_is_asked_once_then_fin_completes(fin: Fin) -> None:
    configure(fin.server, fin.ws, inactivity_timeout_seconds=1, inactivity_message="Still there?")
    start(fin.ws, "ext-quiet", QUESTION)
    events = fin.events("ext-quiet", 5)
    assert shape(events) == [
        ("fin_replied", "replying", None),
        ("fin_status_updated", "awaiting_user_reply", None),
        ("fin_replied", "replying", None),
        ("fin_status_updated", "awaiting_user_reply", None),
        ("fin_status_updated", "complete", None),
    ]
    assert events[2]["message"]["body"] == "<p>Still there?</p>"
    assert events[2]["message"]["id"] != events[0]["message"]["id"]
    response = fin.ws.http.post(
        "/fin/reply", json={"conversation_id": "ext-quiet", "message": message("hello?"), "user": {"id": "user-1"}}
    )
    assert response.status_code == 400


def test_a_user_who_answers_in_time_is_not_nudged(fin: Fin) -> None:
    configure(fin.server, fin.ws, inactivity_timeout_seconds=2)
    start(fin.ws, "ext-chatty", QUESTION)
    fin.events("ext-chatty", 2)
    reply(fin.ws, "ext-chatty", "How do I download invoices?")
    fin.events("ext-chatty", 4)
    reply(fin.ws, "ext-chatty", "thanks, that worked")
    assert shape(fin.events("ext-chatty", 6))[4:] == [
        ("fin_status_updated", "resolved", None),
        ("fin_status_updated", "complete", None),
    ]
    fin.ws.control.advance(3)  # past the time-out: any inactivity step due has fired when this returns
    fin.events("ext-chatty", 6)


def test_concurrent_starts_make_one_conversation_and_one_answer(fin: Fin) -> None:
    """A client retrying /fin/start in parallel, for a user tidings has never seen: one user, one
    conversation, one answer, and every call succeeds."""
    body = {"conversation_id": "ext-race", "message": message(QUESTION), "user": {"id": "racer"}}
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: fin.ws.http.post("/fin/start", json=body), range(8)))
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses if r.status_code != 200]
    assert shape(fin.events("ext-race", 2)) == [
        ("fin_replied", "replying", None),
        ("fin_status_updated", "awaiting_user_reply", None),
    ]
    found = fin.ws.client.unstable.contacts.search_contacts(
        query={"field": "external_id", "operator": "=", "value": "racer"}
    )
    assert found.total_count == 1


def test_user_attributes_and_errors(fin: Fin) -> None:
    started = start(
        fin.ws,
        "ext-attrs",
        QUESTION,
        user={"id": "attr-user", "email": "old@x.test", "attributes": {"plan": "pro", "bad.name": 1, "tags": [1]}},
        conversation_metadata={
            "history": [{"author": "agent", "body": "Hello!", "timestamp": "2025-01-24T09:00:00.000Z"}],
            "attributes": {"priority_level": {"nested": True}, "department": "sales"},
        },
    )
    assert started["errors"] == {
        "user": {
            "attributes": {
                "bad.name": "User attribute 'bad.name' does not exist",
                "tags": "'[1]' is not a valid value for attribute 'tags' of type 'string'",
            }
        },
        "conversation": {
            "attributes": {
                "priority_level": (
                    "'{'nested': True}' is not a valid value for attribute 'priority_level' of type 'string'"
                )
            }
        },
    }
    fin.events("ext-attrs", 2)
    replied = reply(
        fin.ws, "ext-attrs", "thanks", user={"id": "attr-user", "email": "new@x.test", "attributes": {"seats": 5}}
    )
    assert "errors" not in replied
    # What escalation rules see is the stored user: attributes merged, email overwritten.
    configure(fin.server, fin.ws, escalation_rules=[{"name": "Email", "attribute": "email", "value": "new@x.test"}])
    start(fin.ws, "ext-attrs-email", QUESTION, user={"id": "attr-user"})
    assert shape(fin.events("ext-attrs-email", 2))[0][2] == "Escalation rule: Email"
    merged = [
        {"name": "Merged", "attribute": "plan", "value": "pro"},
        {"attribute": "seats", "operator": "less_than", "value": 3},
    ]
    configure(fin.server, fin.ws, escalation_rules=merged)
    start(fin.ws, "ext-attrs-merged", QUESTION, user={"id": "attr-user"})
    assert shape(fin.events("ext-attrs-merged", 2))[0][2] == "Escalation rule: Merged"


def test_bad_requests(fin: Fin) -> None:
    missing = fin.ws.http.post("/fin/start", json={"message": message("hi"), "user": {"id": "u"}})
    assert missing.status_code == 400
    assert missing.json()["errors"][0] == {
        "code": "parameter_invalid",
        "message": "conversation_id is required",
        "field": "conversation_id",
    }
    no_user = fin.ws.http.post("/fin/start", json={"conversation_id": "c", "message": message("hi"), "user": {}})
    assert no_user.status_code == 400
    assert no_user.json()["errors"][0]["message"] == "user.id is required"
    bad_time = fin.ws.http.post(
        "/fin/start",
        json={
            "conversation_id": "c",
            "message": {"author": "user", "body": "hi", "timestamp": "yesterday"},
            "user": {"id": "u"},
        },
    )
    assert bad_time.status_code == 400
    assert bad_time.json()["errors"][0]["field"] == "message.timestamp"
    unknown = fin.ws.http.post(
        "/fin/reply", json={"conversation_id": "nope", "message": message("hi"), "user": {"id": "u"}}
    )
    assert unknown.status_code == 404
    unauthorized = httpx.post(f"{fin.server.base_url}/fin/start", json={}, headers={"Authorization": "Bearer nope"})
    assert unauthorized.status_code == 401


# SSE.
def read_sse(url: str, final: str, timeout: float = 20) -> list[dict[str, Any]]:
    """Events of an SSE stream up to the `fin_status_updated` with status `final`."""
    events: list[dict[str, Any]] = []
    with httpx.stream("GET", url, timeout=timeout) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:].strip()))
                if events[-1]["event_name"] == "fin_status_updated" and events[-1]["status"] == final:
                    break
    return events


def test_sse_delivers_the_same_events(fin: Fin) -> None:
    started = start(fin.ws, "ext-sse", QUESTION)
    streamed = read_sse(started["sse_subscription_url"], "awaiting_user_reply")
    assert streamed == fin.events("ext-sse", 2)
    # At awaiting_user_reply the token was revoked: it opens no new live stream.
    live_only = started["sse_subscription_url"].replace("&rewind=2m", "")
    assert httpx.get(live_only, timeout=10).status_code == 401
    replied = reply(fin.ws, "ext-sse", "great, thanks")
    assert "rewind" not in replied["sse_subscription_url"]
    hooked = fin.events("ext-sse", 4)
    again = read_sse(replied["sse_subscription_url"] + "&rewind=2m", "complete")
    assert again == hooked


def test_streaming_sends_cumulative_chunks_over_sse_only(fin: Fin) -> None:
    configure(fin.server, fin.ws, streaming=True)
    started = start(fin.ws, "ext-stream", QUESTION)
    streamed = read_sse(started["sse_subscription_url"], "awaiting_user_reply")
    chunks = [e for e in streamed if e["event_name"] == "fin_reply_chunk"]
    final = [e for e in streamed if e["event_name"] == "fin_replied"]
    assert len(chunks) >= 2
    assert len(final) == 1
    assert [c["chunk_index"] for c in chunks] == list(range(len(chunks)))
    assert all(c["stream_id"] == final[0]["stream_id"] and c["status"] == "replying" for c in chunks)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after["chunk_text"].startswith(before["chunk_text"])
        assert len(after["chunk_text"]) > len(before["chunk_text"])
    assert "Reset password" in chunks[-1]["chunk_text"]
    assert "<" not in chunks[-1]["chunk_text"]
    hooked = fin.events("ext-stream", 2)
    assert [e["event_name"] for e in hooked] == ["fin_replied", "fin_status_updated"]
    assert hooked[0]["stream_id"] == final[0]["stream_id"]


def test_sse_disabled_means_no_url(fin: Fin) -> None:
    configure(fin.server, fin.ws, sse_enabled=False)
    assert "sse_subscription_url" not in start(fin.ws, "ext-nosse", QUESTION)


# Generative mode and restarts: a server of their own, pointed at a stand-in model.
@dataclass
class StandInModel:
    """A local OpenAI-compatible chat-completions server that streams a scripted answer."""

    answer: str = "Open Settings, choose Security and click Reset password."
    hold_first_seconds: float = 0.0
    # Set to let a held first request answer before hold_first_seconds have passed.
    release: threading.Event = field(default_factory=threading.Event)
    fail: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> StandInModel:
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if self.path.endswith("/embeddings"):
                    self.embeddings(body["input"])
                    return
                model.requests.append(body)
                if model.fail:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if len(model.requests) == 1 and model.hold_first_seconds:
                    model.release.wait(model.hold_first_seconds)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for word in model.answer.split(" "):
                    delta = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
                    self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.close_connection = True

            def embeddings(self, texts: list[str]) -> None:
                data = [{"index": i, "embedding": topic_vector(text)} for i, text in enumerate(texts)]
                answer = json.dumps({"object": "list", "data": data, "model": "stand-in-embed"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"


# The stand-in's embeddings: how much a text is about each of the library's topics, synonyms included,
# plus a small constant so a text about none of them is a vector too.
TOPICS = [
    {"password", "reset", "security", "forgot", "login", "credentials", "sign"},
    {"invoice", "invoices", "billing", "pdf", "receipt"},
    {"teammate", "teammates", "invite", "invitation", "colleague"},
]


def topic_vector(text: str) -> list[float]:
    words = re.findall(r"[a-z]+", text.lower())
    return [float(sum(word in topic for word in words)) for topic in TOPICS] + [0.1]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def model_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, StandInModel]]:
    with StandInModel() as model:
        env = {
            "TIDINGS_LLM_BASE_URL": model.base_url,
            "TIDINGS_LLM_MODEL": "stand-in",
            # Longer than any restart under load, so a held first request is never given up on.
            "TIDINGS_LLM_TIMEOUT_SECONDS": "30",
            # Short leases, so a job whose process was killed is taken over within seconds.
            "TIDINGS_FIN_LEASE_SECONDS": "3",
        }
        live = start_server(request.param, Path(tmp_path_factory.mktemp(f"fin-llm-{request.param}")), extra_env=env)
        try:
            yield live, model
        finally:
            stop_server(live)


@pytest.fixture
def generative(model_server: tuple[LiveServer, StandInModel]) -> Iterator[tuple[Fin, StandInModel]]:
    live, model = model_server
    model.requests.clear()
    model.fail, model.hold_first_seconds = False, 0.0
    model.release.clear()
    ws = live.new_workspace("fin-llm")
    urls = load_content(ws)
    with Receiver() as receiver:
        settings = configure(live, ws, webhook_url=receiver.url, streaming=True)
        yield Fin(live, ws, receiver, settings["webhook_secret"], urls), model


def test_generative_answer_is_grounded_and_streamed(generative: tuple[Fin, StandInModel]) -> None:
    fin, model = generative
    started = start(fin.ws, "ext-llm", QUESTION)
    streamed = read_sse(started["sse_subscription_url"], "awaiting_user_reply")
    chunks = [e["chunk_text"] for e in streamed if e["event_name"] == "fin_reply_chunk"]
    assert chunks[0] == "Open "
    assert chunks[-1].strip() == model.answer
    events = fin.events("ext-llm", 2)
    assert events[0]["message"]["body"].startswith(f"<p>{model.answer}</p>")
    assert 'href="https://help.test/articles/0"' in events[0]["message"]["body"]
    prompt = model.requests[0]["messages"]
    assert prompt[-1] == {"role": "user", "content": QUESTION}
    assert "Click Reset password" in prompt[0]["content"]
    assert model.requests[0]["model"] == "stand-in"


def test_generative_failure_falls_back_to_the_default_answerer(generative: tuple[Fin, StandInModel]) -> None:
    fin, model = generative
    model.fail = True
    start(fin.ws, "ext-fallback", QUESTION)
    events = fin.events("ext-fallback", 2)
    assert shape(events) == [("fin_replied", "replying", None), ("fin_status_updated", "awaiting_user_reply", None)]
    assert "Click Reset password" in events[0]["message"]["body"]
    assert len(model.requests) == 1


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_restart_mid_thinking_still_delivers_the_answer(
    generative: tuple[Fin, StandInModel], how: signal.Signals
) -> None:
    fin, model = generative
    # Held until the restart is over, however long it takes on a loaded machine: the first
    # process must not get its answer before it goes.
    model.hold_first_seconds = 25.0
    start(fin.ws, "ext-restart", QUESTION)
    deadline = time.monotonic() + 10
    while not model.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert model.requests, "Fin never started thinking"
    fin.server.restart(how)
    model.release.set()
    events = fin.events("ext-restart", 2)
    assert shape(events) == [("fin_replied", "replying", None), ("fin_status_updated", "awaiting_user_reply", None)]
    assert events[0]["message"]["body"].startswith(f"<p>{model.answer}</p>")
    assert len(model.requests) == 2


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def embedder_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, StandInModel]]:
    with StandInModel() as model:
        env = {"TIDINGS_EMBEDDER": "openai", "TIDINGS_EMBEDDER_URL": model.base_url, "TIDINGS_EMBEDDER_MODEL": "topics"}
        live = start_server(request.param, Path(tmp_path_factory.mktemp(f"fin-emb-{request.param}")), extra_env=env)
        try:
            yield live, model
        finally:
            stop_server(live)


def test_with_an_embedder_meaning_decides(embedder_server: tuple[LiveServer, StandInModel]) -> None:
    live, _ = embedder_server
    ws = live.new_workspace("fin-embedder")
    load_content(ws)
    with Receiver() as receiver:
        fin = Fin(live, ws, receiver, configure(live, ws, webhook_url=receiver.url)["webhook_secret"], {})
        # No word in common with the page, the same meaning: answered from the password page.
        start(ws, "ext-meaning", "I forgot my login credentials")
        answered = fin.events("ext-meaning", 2)
        assert shape(answered) == [
            ("fin_replied", "replying", None),
            ("fin_status_updated", "awaiting_user_reply", None),
        ]
        assert 'href="https://help.test/articles/0"' in answered[0]["message"]["body"]
        # Words of the library (the invoices page holds every one), about none of its topics: escalated.
        start(ws, "ext-off-topic", "Where do I click to choose the first day of every month?")
        assert shape(fin.events("ext-off-topic", 3))[1] == ("fin_status_updated", "escalated", "Routed to team")


def test_messages_of_other_authors_are_context(fin: Fin) -> None:
    agent_message = message("Hi, I'm Sam from support. What can I do for you?") | {"author": "agent"}
    body = {"conversation_id": "ext-context", "message": agent_message, "user": {"id": "user-1"}}
    started = fin.ws.http.post("/fin/start", json=body)
    assert started.status_code == 200
    assert started.json()["status"] == "awaiting_user_reply"
    assert reply(fin.ws, "ext-context", QUESTION)["status"] == "thinking"
    assert shape(fin.events("ext-context", 2)) == [
        ("fin_replied", "replying", None),
        ("fin_status_updated", "awaiting_user_reply", None),
    ]


# A small library: three pages, where statistics over the library (IDF over three passages) say
# little and meaning has to carry the answer.
QUIBBLEFLUX = [
    (
        "Billing and refunds",
        "<p>Quibbleflux bills every plan monthly, in advance. Refunds for the Quibbleflux plan are paid back "
        "within 11 business days to the original card. Receipts can be downloaded from the Billing page.</p>",
    ),
    (
        "Changing your plan",
        "<p>To upgrade or downgrade your Quibbleflux plan, open Account and choose Plan. The new price "
        "applies from your next billing date.</p>",
    ),
    (
        "Closing your account",
        "<p>To close your Quibbleflux account, open Account, choose Privacy and click Delete account. "
        "Your data is erased after thirty days.</p>",
    ),
]
REFUND_PAGE = "https://quibbleflux.test/help/0"


@pytest.fixture
def small_library(server: LiveServer) -> Iterator[Fin]:
    ws = server.new_workspace("fin-small")
    source = ws.http.post(
        "/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://quibbleflux.test"}
    )
    for index, (title, html) in enumerate(QUIBBLEFLUX):
        page = {
            "title": title,
            "html": html,
            "url": f"https://quibbleflux.test/help/{index}",
            "locale": "en",
            "source_id": source.json()["id"],
            "external_id": f"help-{index}",
            "ai_agent_availability": True,
        }
        assert ws.http.post("/ai/external_pages", json=page).status_code == 200
    with Receiver() as receiver:
        settings = configure(server, ws, webhook_url=receiver.url)
        yield Fin(server, ws, receiver, settings["webhook_secret"], {})


def assert_refund_answer(event: dict[str, Any]) -> None:
    body = event["message"]["body"]
    assert "paid back within 11 business days to the original card" in body
    assert re.findall(r'<a href="([^"]+)"', body)[0] == REFUND_PAGE


@pytest.mark.parametrize(
    "question", ["How many business days do Quibbleflux refunds take?", "How long do refunds take?"]
)
def test_a_small_library_answers_direct_and_paraphrased_questions(small_library: Fin, question: str) -> None:
    conversation = f"ext-small-{len(question)}"
    start(small_library.ws, conversation, question)
    events = small_library.events(conversation, 2)
    assert shape(events) == [("fin_replied", "replying", None), ("fin_status_updated", "awaiting_user_reply", None)]
    assert_refund_answer(events[0])


def test_a_small_library_answers_a_follow_up_and_escalates_what_it_does_not_cover(small_library: Fin) -> None:
    start(small_library.ws, "ext-small-follow", "How do I upgrade my Quibbleflux plan?")
    first = small_library.events("ext-small-follow", 2)
    assert shape(first)[1] == ("fin_status_updated", "awaiting_user_reply", None)
    assert "open Account and choose Plan" in first[0]["message"]["body"]
    reply(small_library.ws, "ext-small-follow", "And how many days do refunds take?")
    events = small_library.events("ext-small-follow", 4)
    assert shape(events[2:]) == [
        ("fin_replied", "replying", None),
        ("fin_status_updated", "awaiting_user_reply", None),
    ]
    assert_refund_answer(events[2])
    reply(small_library.ws, "ext-small-follow", "What will the weather be like in Lisbon tomorrow?")
    assert ("fin_status_updated", "escalated", "Routed to team") in shape(small_library.events("ext-small-follow", 7))
