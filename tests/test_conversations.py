"""Conversations and messages end to end through the official SDK, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from intercom.core.api_error import ApiError
from intercom.unstable.errors import BadRequestError, NotFoundError

from tests.support.live import LiveServer, Workspace, management_json
from tidings.config import normalise_database_url
from tidings.contacts.storage import insert_contact
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import open_storage
from tidings.events.storage import events


# Contacts have no API on this branch yet: tests write them straight into the server's database.
def _database_url(server: LiveServer) -> str:
    if server.dialect == "postgresql":
        return normalise_database_url(server.database_url)
    return f"sqlite:///{(server.data_dir / 'tidings.db').resolve()}"


def in_workspace(server: LiveServer, workspace: Workspace, work: Any) -> Any:
    async def run() -> Any:
        storage = open_storage(_database_url(server))
        try:
            return await run_in_workspace(storage, workspace.id, work)
        finally:
            await storage.close()

    return asyncio.run(run())


def seed_contact(server: LiveServer, workspace: Workspace, **fields: Any) -> str:
    fields.setdefault("role", "user")

    async def insert(uow: UnitOfWork) -> str:
        return await insert_contact(uow, **fields)

    return in_workspace(server, workspace, insert)


def topics(server: LiveServer, workspace: Workspace, subject_id: str) -> list[str]:
    async def read(uow: UnitOfWork) -> list[str]:
        rows = await uow.all(
            uow.select(events, events.c.topic).where(events.c.subject_id == subject_id).order_by(events.c.id)
        )
        return [r["topic"] for r in rows]

    return in_workspace(server, workspace, read)


def new_admin(server: LiveServer, workspace: Workspace, name: str = "Ada") -> str:
    created = management_json(
        server, "POST", f"/workspaces/{workspace.id}/admins", json={"name": name, "email": f"{name.lower()}@x.io"}
    )
    return str(created["id"])


def open_conversation(client, contact_id: str, body: str = "Hello there", **kwargs: Any) -> str:  # type: ignore[no-untyped-def]
    message = client.unstable.conversations.create_conversation(
        from_={"type": "user", "id": contact_id}, body=body, **kwargs
    )
    return message.conversation_id


@pytest.fixture
def me(client) -> str:  # type: ignore[no-untyped-def]
    return client.unstable.admins.identify_admin().id


@pytest.fixture
def contact(server: LiveServer, workspace: Workspace) -> str:
    return seed_contact(server, workspace, email="jo@example.com", name="Jo", external_id="ext-jo")


class TestScenario:
    def test_open_assign_reply_snooze_contact_wakes_close(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        """A contact opens, an admin is assigned, replies, snoozes; the contact's reply wakes it; it is closed."""
        conversations = client.unstable.conversations
        opened_at = int(time.time()) - 600
        conversation_id = open_conversation(client, contact, "<p>My order never arrived</p>", created_at=opened_at)

        fresh = conversations.retrieve_conversation(id=int(conversation_id))
        assert (fresh.state, fresh.open, fresh.read) == ("open", True, False)
        assert fresh.waiting_since == opened_at
        assert fresh.source.delivered_as == "customer_initiated"
        assert fresh.source.author.type == "user"
        assert fresh.source.author.id == contact
        assert fresh.first_contact_reply.created_at == opened_at
        assert fresh.statistics.first_contact_reply_at == opened_at
        assert fresh.statistics.count_conversation_parts == 0

        conversations.manage_conversation(
            id=conversation_id,
            request={"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": me},
        )
        replied = conversations.reply_conversation(
            id=conversation_id,
            request={"message_type": "comment", "type": "admin", "admin_id": me, "body": "<p>Looking into it</p>"},
        )
        assert replied.waiting_since is None
        snooze_until = int(time.time()) + 3600
        snoozed = conversations.manage_conversation(
            id=conversation_id, request={"message_type": "snoozed", "admin_id": me, "snoozed_until": snooze_until}
        )
        assert (snoozed.state, snoozed.open, snoozed.snoozed_until) == ("snoozed", True, snooze_until)

        woken = conversations.reply_conversation(
            id=conversation_id,
            request={"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Any news?"},
        )
        assert (woken.state, woken.open, woken.snoozed_until, woken.read) == ("open", True, None, False)
        assert woken.waiting_since is not None
        assert woken.waiting_since >= snooze_until - 3600

        closed = conversations.manage_conversation(
            id=conversation_id,
            request={"message_type": "close", "type": "admin", "admin_id": me, "body": "Refund sent"},
        )
        assert (closed.state, closed.open, closed.snoozed_until) == ("closed", False, None)
        assert closed.admin_assignee_id == int(me)

        final = conversations.retrieve_conversation(id=int(conversation_id))
        parts = final.conversation_parts.conversation_parts
        assert [(p.part_type, p.author.type, p.state) for p in parts] == [
            ("assignment", "admin", "open"),
            ("comment", "admin", "open"),
            ("snoozed", "admin", "snoozed"),
            # The contact's comment that wakes the conversation is recorded as an `open` part.
            ("open", "user", "open"),
            ("close", "admin", "closed"),
        ]
        assert parts[0].assigned_to.type == "admin"
        assert parts[0].assigned_to.id == me
        assert [p.body for p in parts] == [None, "<p>Looking into it</p>", None, "Any news?", "Refund sent"]
        assert final.conversation_parts.total_count == 5
        assert [t.id for t in final.teammates.teammates] == [me]

        stats = final.statistics
        assert stats.first_contact_reply_at == opened_at
        assert stats.count_assignments == 1
        assert stats.count_conversation_parts == 5
        assert stats.count_reopens == 0
        assert stats.last_closed_by_id == me
        assert stats.first_close_at == stats.last_close_at == parts[4].created_at
        assert stats.first_assignment_at == stats.last_assignment_at == parts[0].created_at
        assert stats.first_admin_reply_at == stats.last_admin_reply_at == parts[1].created_at
        assert stats.last_assignment_admin_reply_at == parts[1].created_at
        assert stats.last_contact_reply_at == parts[3].created_at
        assert 600 <= stats.time_to_admin_reply <= 630
        assert 600 <= stats.time_to_assignment <= 630
        assert stats.time_to_first_close == stats.time_to_last_close == parts[4].created_at - opened_at
        assert stats.median_time_to_reply == stats.time_to_admin_reply

        assert topics(server, workspace, conversation_id) == [
            "conversation.user.created",
            "conversation.admin.assigned",
            "conversation.admin.replied",
            "conversation.admin.snoozed",
            "conversation.user.replied",
            "conversation.admin.closed",
        ]


class TestConversations:
    def test_create_refuses_unknown_contact(self, client) -> None:
        with pytest.raises(NotFoundError) as err:
            client.unstable.conversations.create_conversation(
                from_={"type": "user", "id": "6762f0cd1bb69f9f2193bb7c"}, body="hi"
            )
        assert err.value.body["errors"][0]["message"] == "User Not Found"

    def test_create_returns_user_message(self, client, contact: str) -> None:
        message = client.unstable.conversations.create_conversation(
            from_={"type": "user", "id": contact}, body="Hello there"
        )
        assert message.type == "user_message"
        assert message.message_type == "inapp"
        assert message.body == "Hello there"
        conversation = client.unstable.conversations.retrieve_conversation(id=int(message.conversation_id))
        assert conversation.source.id == message.id
        assert [c.id for c in conversation.contacts.contacts] == [contact]
        assert conversation.contacts.contacts[0].external_id == "ext-jo"
        assert conversation.source.author.email == "jo@example.com"

    def test_list_pages_most_recently_updated_first(self, client, workspace: Workspace, contact: str, me: str) -> None:
        ids = [open_conversation(client, contact, f"message {i}") for i in range(3)]
        workspace.control.advance(1)  # updated_at has one-second resolution
        client.unstable.conversations.reply_conversation(
            id=ids[0], request={"message_type": "note", "type": "admin", "admin_id": me, "body": "bump"}
        )
        first = client.unstable.conversations.list_conversations(per_page=2)
        assert first.total_count == 3
        assert first.pages.total_pages == 2
        assert first.conversations[0].id == ids[0]
        rest = client.unstable.conversations.list_conversations(
            per_page=2, starting_after=first.pages.next.starting_after
        )
        seen = [c.id for c in first.conversations] + [c.id for c in rest.conversations]
        assert sorted(seen) == sorted(ids)
        assert rest.pages.next is None

    def test_update_title_read_custom_attributes(self, client, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        updated = client.unstable.conversations.update_conversation(
            id=int(conversation_id), read=True, title="Shipping", custom_attributes={"issue_type": "Billing"}
        )
        assert updated.read is True
        assert updated.title == "Shipping"
        assert updated.custom_attributes == {"issue_type": "Billing"}
        again = client.unstable.conversations.update_conversation(
            id=int(conversation_id), custom_attributes={"priority": "High"}
        )
        assert again.custom_attributes == {"issue_type": "Billing", "priority": "High"}
        parts = again.conversation_parts.conversation_parts
        assert [p.part_type for p in parts] == ["conversation_attribute_updated_by_admin"] * 2
        assert [(p.event_details.attribute.name, p.event_details.value.name) for p in parts] == [
            ("issue_type", "Billing"),
            ("priority", "High"),
        ]
        for refused in ({"order": ["21"]}, {"score": 9.5}, {"flag": True}):
            with pytest.raises(ApiError) as err:
                client.unstable.conversations.update_conversation(id=int(conversation_id), custom_attributes=refused)
            assert err.value.status_code == 400
        unchanged = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert unchanged.custom_attributes == {"issue_type": "Billing", "priority": "High"}

    def test_plaintext_display(self, client, contact: str) -> None:
        conversation_id = open_conversation(client, contact, "<p>Hi <b>there</b> &amp; hello</p>")
        plain = client.unstable.conversations.retrieve_conversation(id=int(conversation_id), display_as="plaintext")
        assert plain.source.body == "Hi there & hello"
        html = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert html.source.body == "<p>Hi <b>there</b> &amp; hello</p>"

    def test_delete_and_list_deleted_ids(self, client, server: LiveServer, workspace: Workspace, contact: str) -> None:
        ids = [open_conversation(client, contact) for _ in range(3)]
        for conversation_id in ids:
            deleted = client.unstable.conversations.delete_conversation(id=int(conversation_id))
            assert (deleted.id, deleted.object, deleted.deleted) == (conversation_id, "conversation", True)
        with pytest.raises(NotFoundError):
            client.unstable.conversations.retrieve_conversation(id=int(ids[0]))
        page = workspace.http.get("/conversations/deleted", params={"per_page": 2, "order": "asc"}).json()
        assert page["type"] == "conversations.list"
        assert page["total_count"] == 3
        assert [c["id"] for c in page["conversations"]] == ids[:2]
        assert page["conversations"][0]["metrics_retained"] is True
        assert page["pages"]["next"].endswith("/conversations/deleted?per_page=2&order=asc&page=2")
        last = workspace.http.get("/conversations/deleted", params={"per_page": 2, "order": "asc", "page": 2}).json()
        assert [c["id"] for c in last["conversations"]] == ids[2:]
        assert last["pages"]["next"] is None
        assert topics(server, workspace, ids[0])[-1] == "conversation.deleted"
        # A deleted conversation's id is never given to a new one.
        assert int(open_conversation(client, contact)) > int(ids[-1])

    def test_unknown_conversation(self, workspace: Workspace) -> None:
        for path in ("/conversations/999999", "/conversations/abc"):
            response = workspace.http.get(path)
            assert response.status_code == 404
            assert response.json()["errors"][0]["code"] == "not_found"


class TestReplies:
    def test_note_quick_reply_and_attachments(self, client, contact: str, me: str) -> None:
        conversation_id = open_conversation(client, contact)
        conversations = client.unstable.conversations
        conversations.reply_conversation(
            id=conversation_id, request={"message_type": "note", "type": "admin", "admin_id": me, "body": "internal"}
        )
        conversations.reply_conversation(
            id=conversation_id,
            request={
                "message_type": "quick_reply",
                "type": "admin",
                "admin_id": me,
                "reply_options": [{"text": "Yes", "uuid": "0b4ad5a5-5f3b-4a8c-9d3c-1f2a3b4c5d6e"}],
            },
        )
        result = conversations.reply_conversation(
            id=conversation_id,
            request={
                "message_type": "comment",
                "type": "admin",
                "admin_id": me,
                "body": "See attached",
                "attachment_urls": ["https://example.com/files/invoice.pdf"],
            },
        )
        parts = result.conversation_parts.conversation_parts
        assert [p.part_type for p in parts] == ["note", "quick_reply", "comment"]
        assert parts[1].metadata.quick_reply_options[0].text == "Yes"
        attachment = parts[2].attachments[0]
        assert (attachment.name, attachment.url, attachment.content_type) == (
            "invoice.pdf",
            "https://example.com/files/invoice.pdf",
            "application/pdf",
        )

    def test_contact_replies_by_email_external_id_and_last(self, client, workspace: Workspace, contact: str) -> None:
        first = open_conversation(client, contact, "first")
        latest = open_conversation(client, contact, "second")
        workspace.control.advance(1)  # updated_at has one-second resolution
        conversations = client.unstable.conversations
        by_email = conversations.reply_conversation(
            id=first, request={"message_type": "comment", "type": "user", "email": "jo@example.com", "body": "a"}
        )
        assert by_email.conversation_parts.conversation_parts[-1].author.id == contact
        by_external = conversations.reply_conversation(
            id=first, request={"message_type": "comment", "type": "user", "user_id": "ext-jo", "body": "b"}
        )
        assert [p.body for p in by_external.conversation_parts.conversation_parts] == ["a", "b"]
        # `first` is now the most recently updated conversation of the contact.
        to_last = conversations.reply_conversation(
            id="last", request={"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "c"}
        )
        assert to_last.id == first
        assert latest != first

    def test_bad_replies_write_nothing(self, workspace: Workspace, client, server: LiveServer, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        stranger = seed_contact(server, workspace, email="x@example.com")
        cases = [
            ({"message_type": "comment", "type": "admin", "admin_id": "424242", "body": "x"}, 404, "admin_not_found"),
            ({"message_type": "comment", "type": "admin", "body": "x"}, 400, "parameter_not_found"),
            ({"message_type": "close", "type": "admin", "admin_id": "1", "body": "x"}, 400, "parameter_invalid"),
            ({"message_type": "comment", "type": "user", "intercom_user_id": stranger, "body": "x"}, 400, None),
            ({"message_type": "comment", "type": "user", "email": "nobody@example.com", "body": "x"}, 404, None),
            ({"message_type": "comment", "type": "bot", "body": "x"}, 400, "parameter_invalid"),
        ]
        for body, status, code in cases:
            response = workspace.http.post(f"/conversations/{conversation_id}/reply", json=body)
            assert response.status_code == status, (body, response.text)
            if code:
                assert response.json()["errors"][0]["code"] == code
        parts = client.unstable.conversations.retrieve_conversation(id=int(conversation_id)).conversation_parts
        assert parts.total_count == 0


class TestManage:
    def test_reopen_counts_and_team_assignment(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        team = management_json(
            server, "POST", f"/workspaces/{workspace.id}/teams", json={"name": "Billing", "admin_ids": [int(me)]}
        )
        conversation_id = open_conversation(client, contact)
        manage = client.unstable.conversations.manage_conversation
        manage(id=conversation_id, request={"message_type": "close", "type": "admin", "admin_id": me})
        reopened = manage(id=conversation_id, request={"message_type": "open", "admin_id": me})
        assert (reopened.state, reopened.open) == ("open", True)
        assert reopened.statistics.count_reopens == 1
        to_team = manage(
            id=conversation_id,
            request={"message_type": "assignment", "type": "team", "admin_id": me, "assignee_id": team["id"]},
        )
        assert to_team.team_assignee_id == int(team["id"])
        assert to_team.admin_assignee_id is None
        assert to_team.conversation_parts.conversation_parts[-1].assigned_to.type == "team"
        unassigned = manage(
            id=conversation_id,
            request={"message_type": "assignment", "type": "team", "admin_id": me, "assignee_id": "0"},
        )
        assert unassigned.team_assignee_id is None
        assert topics(server, workspace, conversation_id)[1:] == [
            "conversation.admin.closed",
            "conversation.admin.opened",
            "conversation.admin.assigned",
            "conversation.admin.assigned",
        ]

    def test_assigning_or_contact_reply_reopens_closed(self, client, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        conversations = client.unstable.conversations
        close = {"message_type": "close", "type": "admin", "admin_id": me}
        conversations.manage_conversation(id=conversation_id, request=close)
        assigned = conversations.manage_conversation(
            id=conversation_id,
            request={"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": me},
        )
        assert (assigned.state, assigned.open) == ("open", True)
        last = assigned.conversation_parts.conversation_parts[-1]
        assert (last.part_type, last.state, last.assigned_to.id) == ("assign_and_reopen", "open", me)
        conversations.manage_conversation(id=conversation_id, request=close)
        replied = conversations.reply_conversation(
            id=conversation_id,
            request={"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Still broken"},
        )
        last = replied.conversation_parts.conversation_parts[-1]
        assert (last.part_type, last.body, last.author.id) == ("open", "Still broken", contact)
        assert (replied.state, replied.read) == ("open", False)
        assert replied.statistics.count_reopens == 2
        assert replied.statistics.count_assignments == 1
        assert replied.statistics.last_contact_reply_at == last.created_at
        assert replied.waiting_since == replied.created_at

    def test_admin_unsnoozes(self, client, server: LiveServer, workspace: Workspace, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        manage = client.unstable.conversations.manage_conversation
        until = int(time.time()) + 600
        manage(id=conversation_id, request={"message_type": "snoozed", "admin_id": me, "snoozed_until": until})
        opened = manage(id=conversation_id, request={"message_type": "open", "admin_id": me})
        assert (opened.state, opened.snoozed_until) == ("open", None)
        assert topics(server, workspace, conversation_id)[-1] == "conversation.admin.unsnoozed"

    def test_snooze_runs_out(self, client, server: LiveServer, workspace: Workspace, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        conversations = client.unstable.conversations
        # Far enough ahead that a loaded machine cannot reach it before the clock is advanced.
        until = workspace.control.now() + 60
        conversations.manage_conversation(
            id=conversation_id, request={"message_type": "snoozed", "admin_id": me, "snoozed_until": until}
        )
        snoozed = {"field": "state", "operator": "=", "value": "snoozed"}
        assert [c.id for c in conversations.search_conversations(query=snoozed).conversations] == [conversation_id]
        workspace.control.advance(until - workspace.control.now() + 1)
        woke = conversations.retrieve_conversation(id=int(conversation_id))
        assert (woke.state, woke.snoozed_until) == ("open", None)
        assert conversations.search_conversations(query=snoozed).conversations == []
        opened = {"field": "state", "operator": "=", "value": "open"}
        assert [c.id for c in conversations.search_conversations(query=opened).conversations] == [conversation_id]
        after = conversations.reply_conversation(
            id=conversation_id, request={"message_type": "note", "type": "admin", "admin_id": me, "body": "back"}
        )
        parts = after.conversation_parts.conversation_parts
        assert [(p.part_type, p.created_at if p.part_type == "timer_unsnooze" else None) for p in parts] == [
            ("snoozed", None),
            ("timer_unsnooze", until),
            ("note", None),
        ]
        assert topics(server, workspace, conversation_id)[-2:] == [
            "conversation.admin.unsnoozed",
            "conversation.admin.noted",
        ]

    def test_refusals(self, workspace: Workspace, client, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        cases = [
            ({"message_type": "snoozed", "admin_id": me, "snoozed_until": 1000}, 400, "parameter_invalid"),
            ({"message_type": "snoozed", "admin_id": me}, 400, "parameter_not_found"),
            ({"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": "4242"}, 404, None),
            ({"message_type": "assignment", "type": "team", "admin_id": me, "assignee_id": "4242"}, 404, None),
            ({"message_type": "close", "type": "admin", "admin_id": "4242"}, 404, "admin_not_found"),
            ({"message_type": "explode", "admin_id": me}, 400, "parameter_invalid"),
        ]
        for body, status, code in cases:
            response = workspace.http.post(f"/conversations/{conversation_id}/parts", json=body)
            assert response.status_code == status, (body, response.text)
            if code:
                assert response.json()["errors"][0]["code"] == code
        assert client.unstable.conversations.retrieve_conversation(id=int(conversation_id)).state == "open"

    def test_away_admin_hands_replies_back(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        away = new_admin(server, workspace, "Away")
        conversation_id = open_conversation(client, contact)
        client.unstable.conversations.manage_conversation(
            id=conversation_id,
            request={"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": away},
        )
        client.unstable.admins.set_away_admin(id=int(away), away_mode_enabled=True, away_mode_reassign=True)
        after = client.unstable.conversations.reply_conversation(
            id=conversation_id,
            request={"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "hello?"},
        )
        assert after.admin_assignee_id is None
        last = after.conversation_parts.conversation_parts[-1]
        assert last.part_type == "away_mode_assignment"
        assert last.assigned_to.type == "nobody_admin"


class TestParticipantsAndTags:
    def test_attach_detach_contacts(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        other = seed_contact(server, workspace, role="lead", email="lee@example.com")
        conversation_id = open_conversation(client, contact)
        client.unstable.conversations.attach_contact_to_conversation(
            id=conversation_id, admin_id=me, customer={"email": "lee@example.com"}
        )
        attached = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert [c.id for c in attached.contacts.contacts] == [contact, other]
        assert attached.conversation_parts.conversation_parts[-1].part_type == "participant_added"
        # Intercom answers with the participants, `{"customers": [...]}`, rather than the conversation.
        again = workspace.http.post(
            f"/conversations/{conversation_id}/customers",
            json={"admin_id": me, "customer": {"intercom_user_id": other}},
        )
        assert again.json() == {"customers": [{"type": "user", "id": contact}, {"type": "lead", "id": other}]}
        client.unstable.conversations.detach_contact_from_conversation(
            conversation_id=conversation_id, contact_id=contact, admin_id=me
        )
        detached = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert [c.id for c in detached.contacts.contacts] == [other]
        assert detached.conversation_parts.total_count == 2
        with pytest.raises(ApiError) as err:
            client.unstable.conversations.detach_contact_from_conversation(
                conversation_id=conversation_id, contact_id=other, admin_id=me
            )
        assert err.value.status_code == 422
        assert err.value.body["errors"][0]["message"] == "Removing the last customer is not allowed"
        with pytest.raises(NotFoundError):
            client.unstable.conversations.attach_contact_to_conversation(
                id=conversation_id, admin_id=me, customer={"intercom_user_id": "6762f0cd1bb69f9f2193bb7c"}
            )
        assert topics(server, workspace, conversation_id)[1:] == [
            "conversation.contact.attached",
            "conversation.contact.detached",
        ]

    def test_tags(self, client, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        tag = client.unstable.tags.create_tag(request={"name": "Refund"})
        applied = client.unstable.tags.attach_tag_to_conversation(
            conversation_id=conversation_id, id=tag.id, admin_id=me
        )
        assert (applied.id, applied.name, applied.applied_by.id) == (tag.id, "Refund", me)
        conversation = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert [t.name for t in conversation.tags.tags] == ["Refund"]
        removed = client.unstable.tags.detach_tag_from_conversation(
            conversation_id=conversation_id, id=tag.id, admin_id=me
        )
        assert removed.id == tag.id
        assert client.unstable.conversations.retrieve_conversation(id=int(conversation_id)).tags.tags == []
        with pytest.raises(NotFoundError):
            client.unstable.tags.attach_tag_to_conversation(conversation_id=conversation_id, id="999999", admin_id=me)


class TestSearch:
    def test_fields_and_groups(self, client, server: LiveServer, workspace: Workspace, me: str, contact: str) -> None:
        other = seed_contact(server, workspace, email="sam@example.com", name="Sam")
        support = open_conversation(client, contact, "<p>I need support</p>")
        billing = open_conversation(client, other, "Billing question")
        client.unstable.conversations.manage_conversation(
            id=billing, request={"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": me}
        )
        client.unstable.conversations.manage_conversation(
            id=billing, request={"message_type": "close", "type": "admin", "admin_id": me}
        )
        tag = client.unstable.tags.create_tag(request={"name": "Urgent"})
        client.unstable.tags.attach_tag_to_conversation(conversation_id=support, id=tag.id, admin_id=me)
        search = client.unstable.conversations.search_conversations

        def ids(query: dict[str, Any]) -> list[str]:
            return sorted(c.id for c in search(query=query).conversations)

        assert ids({"field": "source.body", "operator": "=", "value": "support"}) == [support]
        assert ids({"field": "source.body", "operator": "=", "value": "need support"}) == []
        assert ids({"field": "state", "operator": "=", "value": "closed"}) == [billing]
        assert ids({"field": "open", "operator": "=", "value": True}) == [support]
        assert ids({"field": "contact_ids", "operator": "=", "value": other}) == [billing]
        assert ids({"field": "contact_ids", "operator": "NIN", "value": [other]}) == [support]
        assert ids({"field": "tag_ids", "operator": "IN", "value": [tag.id]}) == [support]
        assert ids({"field": "teammate_ids", "operator": "=", "value": me}) == [billing]
        assert ids({"field": "admin_assignee_id", "operator": "=", "value": int(me)}) == [billing]
        assert ids({"field": "statistics.count_assignments", "operator": ">", "value": 1}) == [billing]
        assert ids({"field": "statistics.last_closed_by_id", "operator": "=", "value": me}) == [billing]
        assert ids({"field": "source.author.email", "operator": "~", "value": "sam@"}) == [billing]
        assert ids({"field": "id", "operator": "=", "value": support}) == [support]
        assert ids({"field": "created_at", "operator": ">", "value": "1306054154"}) == sorted([support, billing])
        assert ids({"field": "conversation_rating.score", "operator": "=", "value": None}) == sorted([support, billing])
        nested = {
            "operator": "OR",
            "value": [
                {
                    "operator": "AND",
                    "value": [
                        {"field": "state", "operator": "=", "value": "open"},
                        {"field": "source.subject", "operator": "=", "value": ""},
                    ],
                },
                {"field": "source.author.name", "operator": "^", "value": "Sa"},
            ],
        }
        assert ids(nested) == sorted([support, billing])

    def test_timestamps_ranges_and_words(self, client, workspace: Workspace, me: str, contact: str) -> None:
        first = open_conversation(client, contact, "<p>Supporting our printers</p>")
        workspace.control.advance(1)
        second = open_conversation(client, contact, "Printer jam")
        conversations = client.unstable.conversations
        created = {c: conversations.retrieve_conversation(id=int(c)).created_at for c in (first, second)}
        assert created[second] > created[first]
        tag = client.unstable.tags.create_tag(request={"name": "Hardware"})
        client.unstable.tags.attach_tag_to_conversation(conversation_id=second, id=tag.id, admin_id=me)

        def ids(query: dict[str, Any]) -> list[str]:
            return [c.id for c in conversations.search_conversations(query=query).conversations]

        # Timestamps compare to the second, and `<`/`>` include the bound.
        assert ids({"field": "created_at", "operator": "<", "value": created[first]}) == [first]
        assert ids({"field": "created_at", "operator": ">", "value": created[second]}) == [second]
        assert ids({"field": "created_at", "operator": "=", "value": created[second]}) == [second]
        # Most recently updated first.
        assert ids({"field": "source.author.id", "operator": "=", "value": contact}) == [second, first]
        # `source.body` by word: whole words, or within / at the start / at the end of one.
        assert ids({"field": "source.body", "operator": "=", "value": "Printers"}) == [first]
        assert ids({"field": "source.body", "operator": "^", "value": "print"}) == [second, first]
        assert ids({"field": "source.body", "operator": "$", "value": "ing"}) == [first]
        assert ids({"field": "source.body", "operator": "~", "value": "jam"}) == [second]
        assert ids({"field": "source.body", "operator": "!~", "value": "jam"}) == [first]
        assert ids({"field": "source.body", "operator": "NIN", "value": ["jam", "our"]}) == []
        # Related rows take every operator of their type; a negated one means none matches.
        assert ids({"field": "tag_ids", "operator": "!=", "value": tag.id}) == [first]
        assert ids({"field": "tag_ids", "operator": "=", "value": None}) == [first]
        assert ids({"field": "contact_ids", "operator": "^", "value": contact[:6]}) == [second, first]

    def test_pagination_and_refusals(self, client, workspace: Workspace, contact: str) -> None:
        created = [open_conversation(client, contact, f"n{i}") for i in range(3)]
        query = {"field": "source.author.id", "operator": "=", "value": contact}
        first = client.unstable.conversations.search_conversations(query=query, pagination={"per_page": 2})
        assert first.total_count == 3
        assert len(first.conversations) == 2
        second = client.unstable.conversations.search_conversations(
            query=query, pagination={"per_page": 2, "starting_after": first.pages.next.starting_after}
        )
        assert sorted([c.id for c in first.conversations + second.conversations]) == sorted(created)
        bad = [
            {"query": {"field": "nope", "operator": "=", "value": "x"}},
            {"query": {"field": "created_at", "operator": ">", "value": "yesterday"}},
            {"query": {"field": "state", "operator": ">", "value": "open"}},
            {"query": {"operator": "AND", "value": [{"field": "state", "operator": "=", "value": "open"}] * 16}},
        ]
        for body in bad:
            response = workspace.http.post("/conversations/search", json=body)
            assert response.status_code == 400, response.text
            assert response.json()["errors"][0]["code"] == "parameter_invalid"
        with pytest.raises(ApiError) as err:
            client.unstable.conversations.search_conversations(
                query={"field": "open", "operator": "=", "value": "maybe"}
            )
        assert err.value.status_code == 400


class TestPartsAndRedaction:
    def test_redact_part_and_source(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        conversation_id = open_conversation(client, contact, "my card is 4242 4242")
        replied = client.unstable.conversations.reply_conversation(
            id=conversation_id, request={"message_type": "comment", "type": "admin", "admin_id": me, "body": "secret"}
        )
        part_id = replied.conversation_parts.conversation_parts[0].id
        redacted = client.unstable.conversations.redact_conversation(
            request={"type": "conversation_part", "conversation_id": conversation_id, "conversation_part_id": part_id}
        )
        part = redacted.conversation_parts.conversation_parts[0]
        assert (part.redacted, part.body) == (True, "<p><i>This message was deleted</i></p>")
        source = client.unstable.conversations.redact_conversation(
            request={"type": "source", "conversation_id": conversation_id, "source_id": redacted.source.id}
        )
        assert (source.source.redacted, source.source.body) == (True, "<p><i>This message was deleted</i></p>")
        assert topics(server, workspace, conversation_id)[-2:] == ["conversation_part.redacted"] * 2
        with pytest.raises(NotFoundError):
            client.unstable.conversations.redact_conversation(
                request={"type": "conversation_part", "conversation_id": conversation_id, "conversation_part_id": "1"}
            )

    def test_update_part_send_state_and_seen(self, workspace: Workspace, client, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        replied = client.unstable.conversations.reply_conversation(
            id=conversation_id, request={"message_type": "comment", "type": "admin", "admin_id": me, "body": "hi"}
        )
        part_id = replied.conversation_parts.conversation_parts[0].id
        path = f"/conversations/{conversation_id}/conversation_parts/{part_id}"
        sent = workspace.http.put(path, json={"experimental": True, "secret": "s3cret", "send_state": "sent"})
        assert sent.status_code == 200, sent.text
        assert sent.json()["external_reply_send_state"] == "sent"
        seen = workspace.http.put(path, json={"experimental": True, "secret": "s3cret", "seen": True, "admin_id": me})
        assert seen.json()["seen_state"] == {"admin_seen": True}
        refused = workspace.http.put(path, json={"experimental": False, "secret": "s3cret", "seen": True})
        assert refused.status_code == 400
        missing_part = workspace.http.put(
            f"/conversations/{conversation_id}/conversation_parts/999999",
            json={"experimental": True, "secret": "s3cret", "seen": True},
        )
        assert missing_part.status_code == 404

    def test_handling_events_side_conversations_and_convert(self, client, workspace: Workspace, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        assert client.unstable.conversations.list_handling_events(id=conversation_id).handling_events == []
        side = workspace.http.get(f"/conversations/{conversation_id}/side_conversations").json()
        assert (side["type"], side["total_count"], side["side_conversations"]) == ("side_conversation.list", 0, [])
        with pytest.raises(BadRequestError) as err:
            client.unstable.conversations.convert_conversation_to_ticket(id=int(conversation_id), ticket_type_id="1")
        assert err.value.body["errors"][0]["message"] == "Ticket type not found"
        with pytest.raises(NotFoundError):
            client.unstable.conversations.list_handling_events(id="999999")


class TestMessages:
    def test_admin_in_app_message_with_and_without_conversation(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        plain = client.unstable.messages.create_message(
            request={
                "message_type": "in_app",
                "body": "Welcome!",
                "from": {"type": "admin", "id": int(me)},
                "to": {"type": "user", "id": contact},
            }
        )
        assert (plain.type, plain.message_type, plain.body) == ("admin_message", "inapp", "Welcome!")
        assert plain.conversation_id is None
        assert client.unstable.conversations.list_conversations().total_count == 0

        started = client.unstable.messages.create_message(
            request={
                "message_type": "email",
                "subject": "Your order",
                "body": "<p>It shipped</p>",
                "from": {"type": "admin", "id": int(me)},
                "to": {"type": "user", "id": contact},
                "create_conversation_without_contact_reply": True,
            }
        )
        assert started.message_type == "email"
        conversation = client.unstable.conversations.retrieve_conversation(id=int(started.conversation_id))
        assert conversation.source.type == "email"
        assert conversation.source.subject == "Your order"
        assert conversation.source.delivered_as == "admin_initiated"
        assert conversation.source.author.id == me
        assert conversation.source.id == started.id
        assert conversation.waiting_since is None
        assert topics(server, workspace, started.conversation_id) == ["conversation.admin.single.created"]

    def test_message_refusals(self, workspace: Workspace, me: str, contact: str) -> None:
        to = {"type": "user", "id": contact}
        sender = {"type": "admin", "id": int(me)}
        cases = [
            ({"message_type": "inapp", "from": sender, "to": to, "body": None}, 400, "parameter_invalid"),
            ({"message_type": "email", "from": sender, "to": to, "body": "hey"}, 422, "parameter_not_found"),
            ({"message_type": "inapp", "from": {"type": "admin", "id": 4242}, "to": to, "body": "x"}, 404, None),
            (
                {
                    "message_type": "inapp",
                    "from": sender,
                    "to": {"type": "user", "id": "6762f0cd1bb69f9f2193bb7c"},
                    "body": "x",
                },
                404,
                "not_found",
            ),
        ]
        for body, status, code in cases:
            response = workspace.http.post("/messages", json=body)
            assert response.status_code == status, (body, response.text)
            if code:
                assert response.json()["errors"][0]["code"] == code

    def test_contact_message_opens_conversation(self, client, contact: str) -> None:
        message = client.unstable.messages.create_message(
            request={"from": {"type": "user", "id": contact}, "body": "heyy"}
        )
        assert message.type == "user_message"
        conversation = client.unstable.conversations.retrieve_conversation(id=int(message.conversation_id))
        assert conversation.source.body == "heyy"

    def test_whatsapp_statuses(self, client, server: LiveServer, workspace: Workspace, me: str) -> None:
        sent = client.unstable.messages.create_message(
            request={
                "message_type": "whatsapp",
                "from": {"type": "admin", "id": int(me)},
                "to": {"phone": 5547999998888, "name": "John Doe"},
                "template": "keep_live",
                "components": [{"type": "BODY", "parameters": [{"type": "text", "text": "Username 123"}]}],
            }
        )
        assert sent.message_type == "whatsapp"
        statuses = client.unstable.messages.get_whats_app_message_status(ruleset_id=sent.id)
        assert statuses.total_count == 1
        event = statuses.events[0]
        assert (event.status, event.conversation_id, event.template_name) == ("sent", sent.conversation_id, "keep_live")
        one = workspace.http.get("/messages/whatsapp/status", params={"message_id": event.whatsapp_message_id}).json()
        assert (one["status"], one["conversation_id"], one["message_id"]) == (
            "sent",
            sent.conversation_id,
            event.whatsapp_message_id,
        )
        assert workspace.http.get("/messages/whatsapp/status", params={"message_id": "wamid.none"}).status_code == 404
        assert workspace.http.get("/messages/status").status_code == 400
        conversation = client.unstable.conversations.retrieve_conversation(id=int(sent.conversation_id))
        lead = client.unstable.contacts.show_contact(id=conversation.contacts.contacts[0].id)
        assert (lead.role, lead.phone, lead.name) == ("lead", "+5547999998888", "John Doe")
        # The recipient's new lead is announced as any new contact is.
        assert topics(server, workspace, lead.id) == ["contact.lead.created"]
        assert conversation.source.type == "whatsapp"


class TestSpecErrorsAndSearch:
    """Error codes and messages as the spec's examples give them, and custom attribute search (issue 15)."""

    @staticmethod
    def error(response: Any, status: int) -> dict[str, str]:
        assert response.status_code == status, response.text
        return response.json()["errors"][0]

    def test_tag_routes_name_what_is_missing(self, client, workspace: Workspace, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        unknown_tag = workspace.http.request(
            "DELETE", f"/conversations/{conversation_id}/tags/999999", json={"admin_id": me}
        )
        assert self.error(unknown_tag, 404) == {"code": "tag_not_found", "message": "Tag not found"}
        tag = client.unstable.tags.create_tag(request={"name": "Known"})
        no_conversation = workspace.http.post("/conversations/999999/tags", json={"id": tag.id, "admin_id": me})
        assert self.error(no_conversation, 404) == {"code": "not_found", "message": "Conversation not found"}
        detach = workspace.http.request("DELETE", f"/conversations/999999/tags/{tag.id}", json={"admin_id": me})
        assert self.error(detach, 404) == {"code": "not_found", "message": "Conversation not found"}

    def test_redacting_an_unknown_part(self, client, workspace: Workspace, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        body = {"type": "conversation_part", "conversation_id": conversation_id, "conversation_part_id": "999999"}
        assert self.error(workspace.http.post("/conversations/redact", json=body), 404) == {
            "code": "conversation_part_or_message_not_found",
            "message": "Conversation part or message not found",
        }

    def test_unknown_whatsapp_message(self, workspace: Workspace) -> None:
        response = workspace.http.get("/messages/whatsapp/status", params={"message_id": "wamid.unknown"})
        assert self.error(response, 404) == {
            "code": "whatsapp_message_not_found",
            "message": "Whatsapp message not found",
        }

    def test_search_on_a_conversation_custom_attribute(self, client, contact: str) -> None:
        billing = open_conversation(client, contact, "Money")
        other = open_conversation(client, contact, "Other")
        client.unstable.conversations.update_conversation(id=int(billing), custom_attributes={"issue_type": "Billing"})
        client.unstable.conversations.update_conversation(id=int(other), custom_attributes={"issue_type": "Bug"})
        found = client.unstable.conversations.search_conversations(
            query={"field": "custom_attributes.issue_type", "operator": "=", "value": "Billing"}
        )
        assert [c.id for c in found.conversations] == [billing]
