"""Custom channel end to end: an integrator's platform talking to tidings through the official SDK
(`client.unstable.custom_channel_events`), with a callback receiver on a loopback port.

Inbound: contact and conversation mapping, idempotent event ids, the error envelope. Outbound:
signed events for admin replies, quick replies and closes; Fin in the loop (answer, quick replies,
attribute collection, hand-over).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from intercom.unstable.errors import BadRequestError, NotFoundError, UnprocessableEntityError
from intercom.unstable.types import CustomChannelAttribute, CustomChannelContact

from tests.support.contract import check_response
from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Received, Receiver

GUIDE = """
<h1>Resetting your password</h1>
<p>To reset your password, open Settings, choose Security, and click Reset password. We email you a
reset link that stays valid for 24 hours.</p>
<h2>Changing your billing address</h2>
<p>Your billing address is under Settings, Billing. Invoices show the address saved on the day they
are issued.</p>
"""
COVERED = "How do I reset my password?"
NOT_COVERED = "Can I bring my parrot to the zoo on Tuesday?"
SIGNATURE = "x-custom-channel-signature"
_ids = itertools.count(1)


def event_id() -> str:
    return f"evt_{next(_ids)}"


def user(external_id: str = "user_001", email: str = "jane@example.com") -> CustomChannelContact:
    return CustomChannelContact(type="user", external_id=external_id, name="Jane Doe", email=email)


def lead(external_id: str = "lead_001") -> CustomChannelContact:
    return CustomChannelContact(type="lead", external_id=external_id)


def settings(server: LiveServer, workspace: Workspace, **body: Any) -> httpx.Response:
    with server.management() as mgmt:
        return mgmt.put(f"/workspaces/{workspace.id}/custom_channel_settings", json=body)


def me(client: Any) -> str:
    return str(client.unstable.admins.identify_admin().id)


class Integrator:
    """The integrator's side: a callback receiver, the channel's settings, and event helpers."""

    def __init__(self, server: LiveServer, workspace: Workspace, receiver: Receiver, fin_enabled: bool) -> None:
        self.client = workspace.client
        self.receiver = receiver
        answer = settings(server, workspace, webhook_url=receiver.url, auth_token="cb-token", fin_enabled=fin_enabled)
        assert answer.status_code == 200, answer.text
        self.secret = answer.json()["webhook_secret"]

    @property
    def events(self) -> Any:
        return self.client.unstable.custom_channel_events

    def received(self, external_conversation_id: str) -> list[dict[str, Any]]:
        kept = self.receiver.unique().values()
        return [r.json for r in kept if r.json["external_conversation_id"] == external_conversation_id]

    def wait_for(self, external_conversation_id: str, event_type: str, count: int = 1) -> list[dict[str, Any]]:
        def arrived(_: list[Received]) -> bool:
            return sum(e["event_type"] == event_type for e in self.received(external_conversation_id)) >= count

        self.receiver.wait_for(arrived)
        return [e for e in self.received(external_conversation_id) if e["event_type"] == event_type]

    def types(self, external_conversation_id: str) -> list[str]:
        # Events of one conversation are delivered one at a time, in order: arrival order is theirs.
        return [e["event_type"] for e in self.received(external_conversation_id)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def integrator(server: LiveServer, workspace: Workspace, receiver: Receiver) -> Integrator:
    return Integrator(server, workspace, receiver, fin_enabled=False)


@pytest.fixture
def fin_integrator(server: LiveServer, workspace: Workspace, receiver: Receiver) -> Integrator:
    source = workspace.client.unstable.ai_content.create_content_import_source(url="https://help.example.com")
    workspace.client.unstable.ai_content.create_external_page(
        title="Account help",
        html=GUIDE,
        url="https://help.example.com/account",
        source_id=int(source.id),
        external_id="account",
        ai_agent_availability=True,
    )
    return Integrator(server, workspace, receiver, fin_enabled=True)


def error_of(exc: Any) -> dict[str, Any]:
    body = exc.value.body
    return body if isinstance(body, dict) else body.dict()


class TestSettings:
    def test_put_generates_a_secret_keeps_it_and_defaults_fin_on(
        self, server: LiveServer, workspace: Workspace
    ) -> None:
        first = settings(server, workspace, webhook_url="https://example.com/hook")
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["type"] == "custom_channel_settings"
        assert (body["webhook_url"], body["auth_token"], body["fin_enabled"]) == (
            "https://example.com/hook",
            None,
            True,
        )
        assert len(body["webhook_secret"]) == 40
        second = settings(server, workspace, auth_token="t0k", fin_enabled=False).json()
        assert second["webhook_secret"] == body["webhook_secret"]
        assert (second["webhook_url"], second["auth_token"], second["fin_enabled"]) == (
            "https://example.com/hook",
            "t0k",
            False,
        )
        chosen = settings(server, workspace, webhook_secret="my-secret", auth_token=None).json()
        assert (chosen["webhook_secret"], chosen["auth_token"]) == ("my-secret", None)
        with server.management() as mgmt:
            assert mgmt.get(f"/workspaces/{workspace.id}/custom_channel_settings").json() == chosen

    def test_bad_input_and_unknown_workspace(self, server: LiveServer, workspace: Workspace) -> None:
        missing_url = settings(server, workspace, fin_enabled=True)
        assert missing_url.status_code == 400
        assert missing_url.json()["errors"][0] == {
            "code": "parameter_not_found",
            "message": "webhook_url is a required parameter",
            "field": "webhook_url",
        }
        bad = settings(server, workspace, webhook_url="ftp://example.com/hook")
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["field"] == "webhook_url"
        with server.management() as mgmt:
            assert mgmt.get(f"/workspaces/{workspace.id}/custom_channel_settings").status_code == 404
            unknown = mgmt.put("/workspaces/nosuchws/custom_channel_settings", json={"webhook_url": "https://x.io"})
        assert unknown.status_code == 404
        token = httpx.put(
            f"{server.base_url}/_tidings/v1/workspaces/{workspace.id}/custom_channel_settings",
            json={"webhook_url": "https://example.com/hook"},
            headers={"Authorization": f"Bearer {workspace.token}"},
        )
        assert token.status_code == 401


class TestInbound:
    def test_without_settings_the_integration_is_not_found(self, client) -> None:
        with pytest.raises(NotFoundError) as exc:
            client.unstable.custom_channel_events.notify_new_conversation(
                event_id=event_id(), external_conversation_id="conv_1", contact=user()
            )
        assert error_of(exc)["errors"][0] == {"code": "data_invalid", "message": "Integration not found"}

    def test_new_conversation_maps_contact_and_conversation(self, integrator: Integrator) -> None:
        opened = integrator.events.notify_new_conversation(
            event_id=event_id(), external_conversation_id="conv_1", contact=user()
        )
        assert (opened.external_conversation_id, opened.external_contact_id) == ("conv_1", "user_001")
        assert opened.conversation_id.isdigit()
        assert len(opened.contact_id) == 24
        message = integrator.events.notify_new_message(
            event_id=event_id(), external_conversation_id="conv_1", contact=user(), body="Hello, I need help"
        )
        assert (message.conversation_id, message.contact_id) == (opened.conversation_id, opened.contact_id)
        conversation = integrator.client.unstable.conversations.retrieve_conversation(id=int(opened.conversation_id))
        assert [c.id for c in conversation.contacts.contacts] == [opened.contact_id]
        assert conversation.contacts.contacts[0].external_id == "user_001"
        parts = conversation.conversation_parts.conversation_parts
        assert [(p.part_type, p.body, p.author.type) for p in parts] == [("comment", "Hello, I need help", "user")]
        assert conversation.state == "open"
        # A second conversation of the same contact reuses the contact.
        other = integrator.events.notify_new_message(
            event_id=event_id(), external_conversation_id="conv_2", contact=user(), body="Another question"
        )
        assert other.contact_id == opened.contact_id
        assert other.conversation_id != opened.conversation_id
        source = integrator.client.unstable.conversations.retrieve_conversation(id=int(other.conversation_id)).source
        assert source.body == "Another question"

    def test_repeated_event_id_answers_the_same_and_changes_nothing(self, integrator: Integrator) -> None:
        opened = integrator.events.notify_new_conversation(
            event_id="evt_dup_open", external_conversation_id="conv_dup", contact=lead("lead_dup")
        )
        again = integrator.events.notify_new_conversation(
            event_id="evt_dup_open", external_conversation_id="conv_dup", contact=lead("lead_dup")
        )
        assert again == opened
        for _ in range(2):
            answer = integrator.events.notify_new_message(
                event_id="evt_dup_msg", external_conversation_id="conv_dup", contact=lead("lead_dup"), body="Hi"
            )
            assert answer.conversation_id == opened.conversation_id
        conversation = integrator.client.unstable.conversations.retrieve_conversation(id=int(opened.conversation_id))
        assert len(conversation.conversation_parts.conversation_parts) == 1
        with pytest.raises(UnprocessableEntityError) as exc:
            integrator.events.notify_new_message(
                event_id="evt_dup_msg", external_conversation_id="conv_dup", contact=lead("lead_dup"), body="Other"
            )
        assert error_of(exc)["errors"][0]["message"] == "Invalid or duplicated record reference"
        assert error_of(exc)["errors"][0]["code"] == "data_invalid"

    @staticmethod
    def the_one_conversation(integrator: Integrator, send: Callable[[int], Any]) -> Any:
        """Six `send(n)` at once must all answer with one conversation and contact: that conversation."""
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(send, range(6)))
        assert len({(a.conversation_id, a.contact_id) for a in answers}) == 1
        assert integrator.client.unstable.conversations.list_conversations().total_count == 1
        return integrator.client.unstable.conversations.retrieve_conversation(id=int(answers[0].conversation_id))

    def test_concurrent_repeats_of_one_event_change_things_once(self, integrator: Integrator) -> None:
        def send(_: int) -> Any:
            return integrator.events.notify_new_message(
                event_id="evt_race", external_conversation_id="conv_race", contact=lead("lead_race"), body="Hello?"
            )

        conversation = self.the_one_conversation(integrator, send)
        assert conversation.source.body == "Hello?"
        assert conversation.conversation_parts.conversation_parts == []

    def test_concurrent_first_messages_of_one_conversation_open_it_once(self, integrator: Integrator) -> None:
        """Distinct events racing for a conversation and contact nobody has seen: one contact, one
        conversation, every message in it (the first as its source)."""

        def send(n: int) -> Any:
            return integrator.events.notify_new_message(
                event_id=f"evt_first_{n}", external_conversation_id="conv_new", contact=lead("lead_new"), body=f"m{n}"
            )

        conversation = self.the_one_conversation(integrator, send)
        bodies = [conversation.source.body] + [p.body for p in conversation.conversation_parts.conversation_parts]
        assert sorted(bodies) == [f"m{n}" for n in range(6)]

    def test_duplicated_references(self, integrator: Integrator) -> None:
        integrator.events.notify_new_conversation(
            event_id=event_id(), external_conversation_id="conv_r", contact=user()
        )
        cases = [
            # The external conversation is already mapped.
            lambda: integrator.events.notify_new_conversation(
                event_id=event_id(), external_conversation_id="conv_r", contact=user()
            ),
            # It belongs to another contact.
            lambda: integrator.events.notify_new_message(
                event_id=event_id(), external_conversation_id="conv_r", contact=lead("someone_else"), body="Hi"
            ),
            # No such conversation, no such option.
            lambda: integrator.events.notify_quick_reply_selected(
                event_id=event_id(), external_conversation_id="conv_r", contact=user(), quick_reply_option_id="nope"
            ),
            lambda: integrator.events.notify_attribute_collected(
                event_id=event_id(),
                external_conversation_id="conv_unknown",
                contact=user(),
                attribute=CustomChannelAttribute(id="plan", value="pro"),
            ),
        ]
        for case in cases:
            with pytest.raises(UnprocessableEntityError) as exc:
                case()
            assert error_of(exc)["errors"][0]["code"] == "data_invalid"

    def test_contact_that_cannot_be_created(self, integrator: Integrator) -> None:
        bad_contacts = [
            CustomChannelContact(type="user", external_id="u_no_email", name="No Email"),
            CustomChannelContact(type="user", external_id="u_bad", name="Bad", email="not-an-email"),
            CustomChannelContact(type="lead", external_id=" "),
        ]
        for contact in bad_contacts:
            with pytest.raises(BadRequestError) as exc:
                integrator.events.notify_new_conversation(
                    event_id=event_id(), external_conversation_id=f"conv_{contact.external_id}", contact=contact
                )
            assert error_of(exc)["errors"][0] == {
                "code": "data_invalid",
                "message": "Contact not found or could not be created",
            }
        # A failed call stores nothing: its event_id can be sent again, fixed.
        fixed = integrator.events.notify_new_conversation(
            event_id="evt_retry_fixed",
            external_conversation_id="conv_fixed",
            contact=CustomChannelContact(type="lead", external_id="lead_fixed"),
        )
        with pytest.raises(BadRequestError):
            integrator.events.notify_new_conversation(
                event_id="evt_failed_first", external_conversation_id="conv_ok", contact=bad_contacts[0]
            )
        retried = integrator.events.notify_new_conversation(
            event_id="evt_failed_first", external_conversation_id="conv_ok", contact=lead("lead_ok")
        )
        assert retried.conversation_id != fixed.conversation_id
        integrator.events.notify_new_conversation(event_id=event_id(), external_conversation_id="c_a", contact=user())
        with pytest.raises(BadRequestError):
            # Another user already has this email.
            integrator.events.notify_new_conversation(
                event_id=event_id(), external_conversation_id="c_b", contact=user("user_other")
            )

    def test_invalid_bodies_get_the_envelope(self, integrator: Integrator, workspace: Workspace) -> None:
        missing_body = workspace.http.post(
            "/custom_channel_events/notify_new_message",
            json={"event_id": "e1", "external_conversation_id": "c1", "contact": {"type": "lead", "external_id": "l"}},
        )
        assert missing_body.status_code == 400
        assert missing_body.json()["errors"][0]["code"] == "parameter_not_found"
        bad_type = workspace.http.post(
            "/custom_channel_events/notify_new_conversation",
            json={"event_id": "e2", "external_conversation_id": "c1", "contact": {"type": "bot", "external_id": "l"}},
        )
        assert bad_type.status_code == 400
        assert bad_type.json()["errors"][0]["code"] == "parameter_invalid"

    def test_any_intercom_version_or_none(
        self, integrator: Integrator, server: LiveServer, workspace: Workspace
    ) -> None:
        path = "/custom_channel_events/notify_new_message"
        for number, version in enumerate(["2.14", "Preview", "preview", None]):
            headers = {"Authorization": f"Bearer {workspace.token}"}
            if version is not None:
                headers["Intercom-Version"] = version
            body = {
                "event_id": f"evt_version_{number}",
                "external_conversation_id": "conv_versions",
                "contact": {"type": "lead", "external_id": "lead_versions"},
                "body": f"message {number}",
            }
            response = httpx.post(server.base_url + path, json=body, headers=headers)
            check_response("POST", path, response.status_code, response.content)
            assert response.status_code == 200, (version, response.text)
        unauthorised = httpx.post(server.base_url + path, json=body, headers={"Authorization": "Bearer nope"})
        assert unauthorised.status_code == 401

    def test_a_reset_keeps_the_integration_and_forgets_conversations(
        self, integrator: Integrator, server: LiveServer, workspace: Workspace
    ) -> None:
        before = integrator.events.notify_new_conversation(
            event_id="evt_reset", external_conversation_id="conv_reset", contact=user()
        )
        with server.management() as mgmt:
            assert mgmt.post(f"/workspaces/{workspace.id}/reset").status_code == 200
            assert mgmt.get(f"/workspaces/{workspace.id}/custom_channel_settings").json()["webhook_url"] == (
                integrator.receiver.url
            )
        after = integrator.events.notify_new_conversation(
            event_id="evt_reset", external_conversation_id="conv_reset", contact=user()
        )
        assert after.conversation_id != before.conversation_id
        assert after.contact_id != before.contact_id

    def test_attributes_nobody_asked_for(self, integrator: Integrator) -> None:
        opened = integrator.events.notify_new_conversation(
            event_id=event_id(), external_conversation_id="conv_attr", contact=lead("lead_attr")
        )
        for attribute_id, value in (("conversation.order_ref", "A-42"), ("name", "Lee"), ("plan", "pro")):
            answer = integrator.events.notify_attribute_collected(
                event_id=event_id(),
                external_conversation_id="conv_attr",
                contact=lead("lead_attr"),
                attribute=CustomChannelAttribute(id=attribute_id, value=value),
            )
            assert answer.conversation_id == opened.conversation_id
        conversation = integrator.client.unstable.conversations.retrieve_conversation(id=int(opened.conversation_id))
        assert conversation.custom_attributes == {"order_ref": "A-42"}
        contact = conversation.contacts.contacts[0]
        assert contact.id == opened.contact_id


def verify(integrator: Integrator, received: Received) -> None:
    expected = "sha256=" + hmac.new(integrator.secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers[SIGNATURE] == expected
    assert received.headers["authorization"] == "Bearer cb-token"
    assert received.headers["content-type"] == "application/json"


class TestOutbound:
    def test_admin_reply_quick_reply_and_close_reach_the_callback(self, integrator: Integrator) -> None:
        opened = integrator.events.notify_new_message(
            event_id=event_id(), external_conversation_id="conv_out", contact=user(), body="Where is my order?"
        )
        admin_id = me(integrator.client)
        conversations = integrator.client.unstable.conversations
        conversations.reply_conversation(
            id=opened.conversation_id,
            request={"message_type": "comment", "type": "admin", "admin_id": admin_id, "body": "<p>On its way</p>"},
        )
        conversations.reply_conversation(
            id=opened.conversation_id,
            request={"message_type": "note", "type": "admin", "admin_id": admin_id, "body": "internal only"},
        )
        option = "0b4ad5a5-5f3b-4a8c-9d3c-1f2a3b4c5d6e"
        conversations.reply_conversation(
            id=opened.conversation_id,
            request={
                "message_type": "quick_reply",
                "type": "admin",
                "admin_id": admin_id,
                "reply_options": [{"text": "Track it", "uuid": option}],
            },
        )
        [message] = integrator.wait_for("conv_out", "new_message")
        assert message["conversation_id"] == opened.conversation_id
        assert message["contact"] == {
            "type": "user",
            "id": opened.contact_id,
            "external_id": "user_001",
            "name": "Jane Doe",
            "email": "jane@example.com",
        }
        assert message["payload"]["message"]["body"] == "<p>On its way</p>"
        assert message["payload"]["message"]["author"] == {"type": "admin", "id": admin_id, "name": "test Owner"}
        assert message["event_id"].startswith("ccevt_")
        [offer] = integrator.wait_for("conv_out", "quick_reply_options")
        assert offer["payload"]["options"] == [{"id": option, "text": "Track it"}]
        for received in integrator.receiver.unique().values():
            verify(integrator, received)

        selected = integrator.events.notify_quick_reply_selected(
            event_id=event_id(), external_conversation_id="conv_out", contact=user(), quick_reply_option_id=option
        )
        assert selected.conversation_id == opened.conversation_id
        conversations.manage_conversation(
            id=opened.conversation_id,
            request={"message_type": "close", "type": "admin", "admin_id": admin_id, "body": "Delivered, closing"},
        )
        [closed] = integrator.wait_for("conv_out", "conversation_closed")
        assert closed["payload"]["closed_by"]["id"] == admin_id
        assert closed["payload"]["message"]["body"] == "Delivered, closing"
        conversation = conversations.retrieve_conversation(id=int(opened.conversation_id))
        chosen = conversation.conversation_parts.conversation_parts[-2]
        assert (chosen.part_type, chosen.body, chosen.author.type) == ("quick_reply", "Track it", "user")
        assert chosen.metadata.quick_reply_uuid == option
        # The note stayed internal; Fin is off, so nothing else was sent.
        assert integrator.types("conv_out") == ["new_message", "quick_reply_options", "conversation_closed"]
        # An option is chosen once.
        with pytest.raises(UnprocessableEntityError):
            integrator.events.notify_quick_reply_selected(
                event_id=event_id(), external_conversation_id="conv_out", contact=user(), quick_reply_option_id=option
            )

    def test_other_conversations_send_nothing(self, integrator: Integrator, client) -> None:
        contact_less = client.unstable.conversations.list_conversations()
        assert contact_less.total_count == 0
        integrator.events.notify_new_conversation(event_id=event_id(), external_conversation_id="c_x", contact=user())
        assert integrator.receiver.snapshot() == []


class TestFinInTheLoop:
    """The scripted integrator of the issue's "done when"."""

    def test_answer_quick_reply_resolves(self, fin_integrator: Integrator) -> None:
        it = fin_integrator
        opened = it.events.notify_new_conversation(
            event_id=event_id(), external_conversation_id="fin_1", contact=user()
        )
        it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_1", contact=user(), body=COVERED
        )
        [reply] = it.wait_for("fin_1", "new_message")
        assert reply["payload"]["message"]["author"] == {"type": "bot", "id": "fin", "name": "Fin"}
        assert "Reset password" in reply["payload"]["message"]["body"]
        [offer] = it.wait_for("fin_1", "quick_reply_options")
        assert [o["text"] for o in offer["payload"]["options"]] == ["Yes, thanks", "No, talk to a person"]
        assert it.types("fin_1") == ["typing", "new_message", "quick_reply_options"]
        yes = offer["payload"]["options"][0]["id"]
        it.events.notify_quick_reply_selected(
            event_id=event_id(), external_conversation_id="fin_1", contact=user(), quick_reply_option_id=yes
        )
        it.wait_for("fin_1", "conversation_closed")
        assert it.types("fin_1")[3:] == ["new_message", "conversation_closed"]
        conversation = it.client.unstable.conversations.retrieve_conversation(id=int(opened.conversation_id))
        assert conversation.state == "closed"
        assert conversation.ai_agent_participated is True
        for received in it.receiver.unique().values():
            verify(it, received)

    def test_a_follow_up_is_answered_in_the_conversations_context(self, fin_integrator: Integrator) -> None:
        it = fin_integrator
        it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_follow", contact=user(), body=COVERED
        )
        it.wait_for("fin_follow", "quick_reply_options")
        it.events.notify_new_message(
            event_id=event_id(),
            external_conversation_id="fin_follow",
            contact=user(),
            body="And how long does the link stay valid?",
        )
        it.wait_for("fin_follow", "quick_reply_options", count=2)
        answers = it.wait_for("fin_follow", "new_message", count=2)
        assert "24 hours" in answers[1]["payload"]["message"]["body"]
        assert "handover" not in it.types("fin_follow")

    def test_unanswered_question_hands_over_and_an_admin_reply_arrives(self, fin_integrator: Integrator) -> None:
        it = fin_integrator
        opened = it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_2", contact=user(), body=NOT_COVERED
        )
        [handover] = it.wait_for("fin_2", "handover")
        assert handover["payload"]["reason"] == "Routed to team"
        assert handover["payload"]["assignee"] == {"type": "nobody_admin"}
        assert it.types("fin_2") == ["typing", "new_message", "handover"]
        [said] = it.wait_for("fin_2", "new_message")
        assert "couldn't find an answer" in said["payload"]["message"]["body"]
        # The team has it now: Fin stays quiet, and a human answers.
        it.events.notify_new_message(event_id=event_id(), external_conversation_id="fin_2", contact=user(), body="Hi?")
        admin_id = me(it.client)
        it.client.unstable.conversations.reply_conversation(
            id=opened.conversation_id,
            request={"message_type": "comment", "type": "admin", "admin_id": admin_id, "body": "<p>Yes you can</p>"},
        )
        messages = it.wait_for("fin_2", "new_message", count=2)
        assert messages[-1]["payload"]["message"]["body"] == "<p>Yes you can</p>"
        assert messages[-1]["payload"]["message"]["author"]["type"] == "admin"
        assert it.types("fin_2") == ["typing", "new_message", "handover", "new_message"]
        conversation = it.client.unstable.conversations.retrieve_conversation(id=int(opened.conversation_id))
        assert conversation.state == "open"

    def test_more_help_collects_an_email_then_hands_over(self, fin_integrator: Integrator) -> None:
        it = fin_integrator
        visitor = lead("lead_fin")
        it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_3", contact=visitor, body=COVERED
        )
        [offer] = it.wait_for("fin_3", "quick_reply_options")
        more_help = offer["payload"]["options"][1]["id"]
        it.events.notify_quick_reply_selected(
            event_id=event_id(), external_conversation_id="fin_3", contact=visitor, quick_reply_option_id=more_help
        )
        [request] = it.wait_for("fin_3", "attribute_collection_request")
        assert request["payload"]["attribute"] == {"id": "email", "type": "email", "label": "Email"}
        assert "email" in request["payload"]["message"]["body"]
        assert "handover" not in it.types("fin_3")
        it.events.notify_attribute_collected(
            event_id=event_id(),
            external_conversation_id="fin_3",
            contact=visitor,
            attribute=CustomChannelAttribute(id="email", value="lee@example.com"),
        )
        [handover] = it.wait_for("fin_3", "handover")
        assert handover["payload"]["reason"] == "Escalation requested by user"
        assert handover["contact"]["email"] == "lee@example.com"
        assert it.types("fin_3") == [
            "typing",
            "new_message",
            "quick_reply_options",
            "attribute_collection_request",
            "new_message",
            "handover",
        ]

    def test_asking_for_a_person_hands_over_at_once(
        self, fin_integrator: Integrator, server: LiveServer, workspace: Workspace
    ) -> None:
        it = fin_integrator
        it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_4", contact=user(), body="I want to talk to a human"
        )
        [handover] = it.wait_for("fin_4", "handover")
        assert handover["payload"]["reason"] == "Escalation requested by user"
        assert it.types("fin_4") == ["new_message", "handover"]
        with server.management() as mgmt:
            for _ in range(100):
                listed = mgmt.get(f"/workspaces/{workspace.id}/webhook_deliveries", params={"topic": "handover"})
                if listed.json()["data"][0]["status"] == "delivered":
                    break
                time.sleep(0.1)
        assert [d["payload"]["event_id"] for d in listed.json()["data"]] == [handover["event_id"]]
        assert listed.json()["data"][0]["status"] == "delivered"

    def test_a_teammate_reply_takes_the_conversation_from_fin(self, fin_integrator: Integrator) -> None:
        it = fin_integrator
        opened = it.events.notify_new_conversation(
            event_id=event_id(), external_conversation_id="fin_5", contact=user()
        )
        admin_id = me(it.client)
        conversations = it.client.unstable.conversations
        conversations.reply_conversation(
            id=opened.conversation_id,
            request={"message_type": "note", "type": "admin", "admin_id": admin_id, "body": "Fin can start"},
        )
        it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_5", contact=user(), body=COVERED
        )
        it.wait_for("fin_5", "quick_reply_options")
        conversations.reply_conversation(
            id=opened.conversation_id,
            request={"message_type": "comment", "type": "admin", "admin_id": admin_id, "body": "I'll take it"},
        )
        it.wait_for("fin_5", "new_message", count=2)
        it.events.notify_new_message(
            event_id=event_id(), external_conversation_id="fin_5", contact=user(), body=COVERED
        )
        conversation = conversations.retrieve_conversation(id=int(opened.conversation_id))
        authors = [p.author.type for p in conversation.conversation_parts.conversation_parts]
        assert authors == ["admin", "user", "bot", "bot", "admin", "user"]
        assert it.types("fin_5") == ["typing", "new_message", "quick_reply_options", "new_message"]

    def test_events_are_delivered_again_until_the_receiver_takes_them(
        self, server: LiveServer, workspace: Workspace
    ) -> None:
        def fail_first(_: Received, seen: int) -> tuple[int, float]:
            return (500 if seen == 0 else 200), 0.0

        with Receiver(respond=fail_first) as flaky:
            it = Integrator(server, workspace, flaky, fin_enabled=False)
            opened = it.events.notify_new_message(
                event_id=event_id(), external_conversation_id="retry", contact=user(), body="Hi"
            )
            it.client.unstable.conversations.reply_conversation(
                id=opened.conversation_id,
                request={"message_type": "comment", "type": "admin", "admin_id": me(it.client), "body": "Hello"},
            )
            flaky.wait_for(lambda seen: len(seen) >= 2)
            first, second = flaky.snapshot()[:2]
            assert first.body == second.body
            assert json.loads(second.body)["event_type"] == "new_message"
