"""The support bot's tests, against tidings through the official SDK."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError
from support_bot import create_contact_with_backoff, open_ticket_conversation, snooze_until_tomorrow

T0 = 1_900_000_000


def test_a_question_opens_a_conversation_for_the_contact(tidings_client, tidings_workspace) -> None:
    conversation_id = open_ticket_conversation(tidings_client, "ada@example.com", "Where is my invoice?")
    conversation = tidings_client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
    assert conversation.source.body == "Where is my invoice?"
    # The request log shows what the bot sent, with the token masked.
    sent = [(r["method"], r["path"]) for r in tidings_workspace.control.requests(method="POST")]
    assert sent == [("POST", "/contacts/search"), ("POST", "/contacts"), ("POST", "/conversations")]
    assert tidings_workspace.token not in str(tidings_workspace.control.requests())


def test_a_snoozed_conversation_comes_back_the_next_day(tidings_client, tidings_workspace) -> None:
    tidings_workspace.control.freeze(at=T0)
    conversation_id = open_ticket_conversation(tidings_client, "bob@example.com", "Call me tomorrow")
    admin_id = tidings_client.unstable.admins.identify_admin().id
    snooze_until_tomorrow(tidings_client, conversation_id, admin_id, now=T0)
    assert tidings_client.unstable.conversations.retrieve_conversation(id=int(conversation_id)).state == "snoozed"
    tidings_workspace.control.advance(86400)  # a day passes in no time
    assert tidings_client.unstable.conversations.retrieve_conversation(id=int(conversation_id)).state == "open"


def test_the_bot_waits_out_a_rate_limit(tidings_client, tidings_workspace) -> None:
    tidings_workspace.control.add_fault(method="POST", path="/contacts", status=429, times=1)
    create_contact_with_backoff(tidings_client, "cy@example.com")
    statuses = [r["status"] for r in tidings_workspace.control.requests(path="/contacts")]
    assert statuses == [429, 200]


def test_the_bot_gives_up_when_intercom_keeps_failing(tidings_client, tidings_workspace) -> None:
    tidings_workspace.control.add_fault(method="POST", path="/contacts", status=503)
    with pytest.raises(ApiError) as raised:
        create_contact_with_backoff(tidings_client, "dee@example.com")
    assert raised.value.status_code == 503


def test_every_test_starts_from_a_saved_state(tidings_client, tidings_workspace) -> None:
    open_ticket_conversation(tidings_client, "eve@example.com", "Hello")
    tidings_workspace.control.save_snapshot("one-conversation")
    open_ticket_conversation(tidings_client, "eve@example.com", "Hello again")
    tidings_workspace.control.restore_snapshot("one-conversation")
    assert len(tidings_client.unstable.conversations.list_conversations().conversations) == 1
