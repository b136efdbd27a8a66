"""Conversations with tickets and custom objects, end to end through the official SDK (SQLite and PostgreSQL).

Converting a conversation to a ticket, linking a new ticket to a conversation (now or as a job),
cross-posting notes, and custom object references on conversations. Besides the API's answers,
the tests read the links and references straight from the server's database.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from intercom.core.api_error import ApiError
from intercom.unstable.errors import BadRequestError

from tests.support.custom_objects import create_orders
from tests.support.live import LiveServer, Workspace
from tests.test_conversations import in_workspace, open_conversation, seed_contact
from tests.test_tickets import assert_error, create_ticket, new_type, recorded_events, states_by_category
from tidings.core.uow import UnitOfWork
from tidings.custom_objects.storage import custom_object_references
from tidings.tickets.storage import ticket_links


@pytest.fixture
def me(client) -> str:  # type: ignore[no-untyped-def]
    return client.unstable.admins.identify_admin().id


@pytest.fixture
def contact(server: LiveServer, workspace: Workspace) -> str:
    return seed_contact(server, workspace, email="jo@example.com", name="Jo", external_id="ext-jo")


def stored_links(server: LiveServer, workspace: Workspace) -> list[tuple[str, str, str]]:
    """(ticket id, conversation id, kind) of every link row, oldest first."""

    async def read(uow: UnitOfWork) -> list[tuple[str, str, str]]:
        rows = await uow.all(uow.select(ticket_links).order_by(ticket_links.c.id))
        return [(str(r["ticket_id"]), str(r["conversation_id"]), r["kind"]) for r in rows]

    return in_workspace(server, workspace, read)


def stored_references(server: LiveServer, workspace: Workspace) -> list[tuple[str, str, str, str]]:
    """(owner type, owner id, attribute, instance id) of every custom object reference."""

    async def read(uow: UnitOfWork) -> list[tuple[str, str, str, str]]:
        rows = await uow.all(uow.select(custom_object_references).order_by(custom_object_references.c.id))
        return [(r["owner_type"], r["owner_id"], r["attribute"], str(r["instance_id"])) for r in rows]

    return in_workspace(server, workspace, read)


def linked(objects) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    return [(o.type, o.id, o.category) for o in objects.data]


def ticket_count(client) -> int:  # type: ignore[no-untyped-def]
    return client.unstable.tickets.search_tickets(query={"field": "open", "operator": "=", "value": True}).total_count


def wait_for_job(client, job_id: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = client.unstable.jobs.status(job_id)
        if job.status != "pending":
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still pending")


class TestConvert:
    def test_a_conversation_becomes_a_linked_customer_ticket_with_its_history(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        conversation_id = open_conversation(client, contact, "<p>My order is late</p>")
        replies = client.unstable.conversations
        replies.reply_conversation(
            id=conversation_id, request={"message_type": "comment", "type": "admin", "admin_id": me, "body": "On it"}
        )
        replies.reply_conversation(
            id=conversation_id,
            request={"message_type": "note", "type": "admin", "admin_id": me, "body": "<p>Courier delay</p>"},
        )
        options = [{"text": "Yes", "uuid": "0df48b85-9a93-4c66-a167-753eff0baaec"}]
        replies.reply_conversation(
            id=conversation_id,
            request={"message_type": "quick_reply", "type": "admin", "admin_id": me, "reply_options": options},
        )
        replies.manage_conversation(id=conversation_id, request={"message_type": "close", "admin_id": me})
        # The contact's reply reopens the conversation: Intercom keeps it as an `open` part with its body.
        replies.reply_conversation(
            id=conversation_id,
            request={"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Thanks"},
        )
        conversation = replies.retrieve_conversation(id=int(conversation_id))
        assert [p.part_type for p in conversation.conversation_parts.conversation_parts][-2:] == ["close", "open"]
        bug = new_type(client, "Order issue")

        ticket = replies.convert_conversation_to_ticket(
            id=int(conversation_id), ticket_type_id=bug.id, attributes={"_default_title_": "Late order"}
        )

        assert (ticket.type, ticket.category, ticket.is_shared, ticket.open) == ("ticket", "Customer", True, True)
        assert ticket.ticket_type.id == bug.id
        assert ticket.ticket_state.category == "submitted"
        assert ticket.previous_ticket_state_id is None
        assert ticket.ticket_attributes == {"_default_title_": "Late order", "_default_description_": None}
        assert [(c.id, c.external_id) for c in ticket.contacts.contacts] == [(contact, "ext-jo")]
        assert ticket.created_at == conversation.created_at
        parts = ticket.ticket_parts.ticket_parts
        assert [(p.part_type, p.author.type, p.author.id, p.body) for p in parts] == [
            ("comment", "user", contact, "<p>My order is late</p>"),
            ("comment", "admin", me, "On it"),
            ("note", "admin", me, "<p>Courier delay</p>"),
            ("quick_reply", "admin", me, None),
            ("comment", "user", contact, "Thanks"),
            ("ticket_state_updated_by_admin", "admin", me, None),
        ]
        assert (parts[-1].previous_ticket_state, parts[-1].ticket_state) == ("submitted", "submitted")
        assert parts[0].created_at == conversation.created_at
        assert linked(ticket.linked_objects) == [("conversation", conversation_id, None)]
        assert (ticket.linked_objects.total_count, ticket.linked_objects.has_more) == (1, False)

        again = replies.retrieve_conversation(id=int(conversation_id))
        assert linked(again.linked_objects) == [("ticket", ticket.id, "Customer")]
        assert again.linked_objects.total_count == 1
        # The conversation itself carries on as it was.
        assert again.conversation_parts.total_count == conversation.conversation_parts.total_count
        fetched = client.unstable.tickets.get_ticket(ticket.id)
        assert linked(fetched.linked_objects) == [("conversation", conversation_id, None)]
        assert fetched.ticket_parts.total_count == 6

        assert stored_links(server, workspace) == [(ticket.id, conversation_id, "converted")]
        events = recorded_events(server, workspace.id)
        assert [(t, item["id"]) for t, item in events if t.startswith("ticket.")] == [("ticket.created", ticket.id)]
        created_item = next(item for t, item in events if t == "ticket.created")
        assert created_item["linked_objects"]["data"] == [
            {"type": "conversation", "id": conversation_id, "category": None}
        ]

    def test_state_assignee_and_an_admin_opened_conversation(self, client, me: str, contact: str) -> None:
        message = client.unstable.messages.create_message(
            request={
                "message_type": "in_app",
                "body": "Your refund is ready",
                "from": {"type": "admin", "id": int(me)},
                "to": {"type": "user", "id": contact},
                "create_conversation_without_contact_reply": True,
            }
        )
        conversation_id = message.conversation_id
        assignment = {"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": me}
        client.unstable.conversations.manage_conversation(id=conversation_id, request=assignment)
        bug = new_type(client, "Refunds")
        states = states_by_category(bug)

        ticket = client.unstable.conversations.convert_conversation_to_ticket(
            id=int(conversation_id),
            ticket_type_id=bug.id,
            request_options={"additional_body_parameters": {"ticket_state_id": states["in_progress"]}},
        )

        assert (ticket.ticket_state.id, ticket.ticket_state.category) == (states["in_progress"], "in_progress")
        assert ticket.previous_ticket_state_id == states["submitted"]
        assert (ticket.admin_assignee_id, ticket.team_assignee_id) == (me, "0")
        assert [c.id for c in ticket.contacts.contacts] == [contact]
        parts = ticket.ticket_parts.ticket_parts
        assert [(p.part_type, p.author.type, p.body) for p in parts] == [
            ("comment", "admin", "Your refund is ready"),
            ("ticket_state_updated_by_admin", "admin", None),
        ]
        assert (parts[-1].previous_ticket_state, parts[-1].ticket_state) == ("submitted", "in_progress")

    def test_refusals_write_nothing(self, client, server: LiveServer, workspace: Workspace, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        task = new_type(client, "Chore", "Back-office")
        tracker = new_type(client, "Outage", "Tracker")
        bug = new_type(client, "Bug")
        convert = client.unstable.conversations.convert_conversation_to_ticket
        for other in (task, tracker):
            with pytest.raises(BadRequestError) as err:
                convert(id=int(conversation_id), ticket_type_id=other.id)
            assert err.value.body["errors"][0] == {
                "code": "parameter_invalid",
                "message": "Ticket type is not a customer ticket type",
                "field": "ticket_type_id",
            }
        path = f"/conversations/{conversation_id}/convert"
        error = assert_error(workspace.http.post(path, json={"ticket_type_id": "999999"}), 400, "parameter_invalid")
        assert error["message"] == "Ticket type not found"
        bad_state = {"ticket_type_id": bug.id, "ticket_state_id": "999999"}
        assert_error(workspace.http.post(path, json=bad_state), 400, "ticket_state_id_invalid")
        bad_attribute = {"ticket_type_id": bug.id, "attributes": {"Nope": "x"}}
        assert_error(workspace.http.post(path, json=bad_attribute), 400, "parameter_invalid")
        assert_error(workspace.http.post(path, json={}), 400, "parameter_not_found")
        # The SDK knows no 404 for this operation (the spec documents none): a plain ApiError.
        with pytest.raises(ApiError) as missing:
            convert(id=999999, ticket_type_id=bug.id)
        assert missing.value.status_code == 404
        assert ticket_count(client) == 0
        assert stored_links(server, workspace) == []

        ticket = convert(id=int(conversation_id), ticket_type_id=bug.id)
        error = assert_error(workspace.http.post(path, json={"ticket_type_id": bug.id}), 400, "parameter_invalid")
        assert error["message"] == "This conversation has already been converted to a ticket"
        assert ticket_count(client) == 1
        assert stored_links(server, workspace) == [(ticket.id, conversation_id, "converted")]


class TestLinkOnCreate:
    def test_back_office_and_tracker_tickets_link_a_conversation(
        self, client, server: LiveServer, workspace: Workspace, contact: str
    ) -> None:
        conversation_id = open_conversation(client, contact)
        task = new_type(client, "Chore", "Back-office")
        tracker = new_type(client, "Outage", "Tracker")

        chore = create_ticket(client, task.id, {"id": contact}, conversation_to_link_id=conversation_id)
        outage = create_ticket(client, tracker.id, {"id": contact}, conversation_to_link_id=conversation_id)

        assert linked(chore.linked_objects) == [("conversation", conversation_id, None)]
        assert chore.is_shared is False
        assert linked(outage.linked_objects) == [("conversation", conversation_id, None)]
        conversation = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert linked(conversation.linked_objects) == [
            ("ticket", chore.id, "Back-office"),
            ("ticket", outage.id, "Tracker"),
        ]
        assert (conversation.linked_objects.total_count, conversation.linked_objects.has_more) == (2, False)
        listed = client.unstable.conversations.list_conversations()
        assert linked(next(c for c in listed.conversations if c.id == conversation_id).linked_objects) == [
            ("ticket", chore.id, "Back-office"),
            ("ticket", outage.id, "Tracker"),
        ]
        assert stored_links(server, workspace) == [
            (chore.id, conversation_id, "linked"),
            (outage.id, conversation_id, "linked"),
        ]
        created = [item for t, item in recorded_events(server, workspace.id) if t == "ticket.created"]
        assert [item["linked_objects"]["total_count"] for item in created] == [1, 1]

    def test_refusals_write_nothing(self, client, server: LiveServer, workspace: Workspace, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        bug = new_type(client, "Bug")
        task = new_type(client, "Chore", "Back-office")
        for body, message in (
            (
                {"ticket_type_id": bug.id, "conversation_to_link_id": conversation_id},
                "A conversation can be linked to a back-office or tracker ticket, not to a Customer ticket",
            ),
            ({"ticket_type_id": task.id, "conversation_to_link_id": "999999"}, "Conversation to link not found"),
            ({"ticket_type_id": task.id, "conversation_to_link_id": "abc"}, "Conversation to link not found"),
        ):
            for path in ("/tickets", "/tickets/enqueue"):
                response = workspace.http.post(path, json={**body, "contacts": [{"id": contact}]})
                error = assert_error(response, 400, "parameter_invalid")
                assert (error["message"], error["field"]) == (message, "conversation_to_link_id")
        assert ticket_count(client) == 0
        assert stored_links(server, workspace) == []

    def test_an_enqueued_ticket_is_linked_when_its_job_runs(
        self, client, server: LiveServer, workspace: Workspace, contact: str
    ) -> None:
        conversation_id = open_conversation(client, contact)
        task = new_type(client, "Chore", "Back-office")
        job = client.unstable.tickets.enqueue_create_ticket(
            ticket_type_id=task.id, contacts=[{"id": contact}], conversation_to_link_id=conversation_id
        )
        done = wait_for_job(client, job.id)
        assert done.status == "success"
        ticket = client.unstable.tickets.get_ticket(done.resource_id)
        assert linked(ticket.linked_objects) == [("conversation", conversation_id, None)]
        conversation = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert linked(conversation.linked_objects) == [("ticket", ticket.id, "Back-office")]
        assert stored_links(server, workspace) == [(ticket.id, conversation_id, "linked")]

    def test_deleting_either_side_drops_the_link(
        self, client, server: LiveServer, workspace: Workspace, contact: str
    ) -> None:
        first = open_conversation(client, contact)
        second = open_conversation(client, contact)
        task = new_type(client, "Chore", "Back-office")
        kept = create_ticket(client, task.id, {"id": contact}, conversation_to_link_id=first)
        dropped = create_ticket(client, task.id, {"id": contact}, conversation_to_link_id=second)

        client.unstable.tickets.delete_ticket(dropped.id)
        assert client.unstable.conversations.retrieve_conversation(id=int(second)).linked_objects.total_count == 0
        client.unstable.conversations.delete_conversation(id=int(first))
        ticket = client.unstable.tickets.get_ticket(kept.id)
        assert (ticket.linked_objects.data, ticket.linked_objects.total_count) == ([], 0)
        assert stored_links(server, workspace) == []


class TestCrossPost:
    def note(self, client, ticket_id: str, admin_id: str, body: str, **extra: Any):  # type: ignore[no-untyped-def]
        return client.unstable.tickets.reply_ticket(
            ticket_id,
            request={"message_type": "note", "type": "admin", "admin_id": admin_id, "body": body},
            request_options={"additional_body_parameters": extra},
        )

    def test_a_back_office_note_is_copied_to_the_linked_conversation(
        self, client, server: LiveServer, workspace: Workspace, me: str, contact: str
    ) -> None:
        conversation_id = open_conversation(client, contact)
        task = new_type(client, "Chore", "Back-office")
        chore = create_ticket(client, task.id, {"id": contact}, conversation_to_link_id=conversation_id)

        posted = self.note(client, chore.id, me, "Refund approved", cross_post=True)
        self.note(client, chore.id, me, "Internal only")
        client.unstable.tickets.reply_ticket(
            chore.id,
            request={"message_type": "comment", "type": "admin", "admin_id": me, "body": "Not a note"},
            request_options={"additional_body_parameters": {"cross_post": True}},
        )

        assert (posted.part_type, posted.body) == ("note", "<p>Refund approved</p>")
        conversation = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        parts = conversation.conversation_parts.conversation_parts
        assert [(p.part_type, p.author.type, p.author.id, p.body) for p in parts] == [
            ("note", "admin", me, "<p>Refund approved</p>")
        ]
        assert parts[0].created_at == posted.created_at
        noted = [item for t, item in recorded_events(server, workspace.id) if t == "conversation.admin.noted"]
        assert [item["id"] for item in noted] == [conversation_id]

    def test_no_copy_from_customer_or_tracker_tickets(self, client, me: str, contact: str) -> None:
        conversation_id = open_conversation(client, contact)
        tracker = new_type(client, "Outage", "Tracker")
        outage = create_ticket(client, tracker.id, {"id": contact}, conversation_to_link_id=conversation_id)
        bug = new_type(client, "Bug")
        converted = client.unstable.conversations.convert_conversation_to_ticket(
            id=int(conversation_id), ticket_type_id=bug.id
        )
        self.note(client, outage.id, me, "Tracker note", cross_post=True)
        self.note(client, converted.id, me, "Customer note", cross_post=True)
        conversation = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert conversation.conversation_parts.total_count == 0


class TestCustomObjectReferences:
    @pytest.fixture
    def orders(self, client, server: LiveServer, workspace: Workspace) -> list[str]:  # type: ignore[no-untyped-def]
        return create_orders(client, server, workspace, "conversation")

    def test_set_show_clear(self, client, server: LiveServer, workspace: Workspace, contact: str, orders) -> None:  # type: ignore[no-untyped-def]
        conversation_id = open_conversation(client, contact)
        api = client.unstable.conversations

        updated = api.update_conversation(
            id=int(conversation_id), custom_attributes={"orders": [orders[1], orders[0]], "issue_type": "Billing"}
        )

        expanded = updated.custom_attributes["orders"]
        assert expanded.type == "Order.list"
        assert [(i.id, i.external_id, i.custom_attributes) for i in expanded.instances] == [
            (orders[1], "ext-B2", {"order_number": "B2"}),
            (orders[0], "ext-A1", {"order_number": "A1"}),
        ]
        assert updated.custom_attributes["issue_type"] == "Billing"
        raw = workspace.http.get(f"/conversations/{conversation_id}").json()["custom_attributes"]
        assert raw["issue_type"] == "Billing"
        assert raw["orders"]["type"] == "Order.list"
        assert [(i["type"], i["id"]) for i in raw["orders"]["instances"]] == [
            ("Order", orders[1]),
            ("Order", orders[0]),
        ]
        listed = next(c for c in api.list_conversations().conversations if c.id == conversation_id)
        assert [i.id for i in listed.custom_attributes["orders"].instances] == [orders[1], orders[0]]
        assert stored_references(server, workspace) == [
            ("conversation", conversation_id, "orders", orders[1]),
            ("conversation", conversation_id, "orders", orders[0]),
        ]
        # Only the plain attribute leaves an attribute-update part.
        parts = updated.conversation_parts.conversation_parts
        assert [p.event_details.attribute.name for p in parts] == ["issue_type"]

        # Deleting an instance drops it from the conversation.
        client.unstable.custom_object_instances.delete_custom_object_instances_by_external_id("Order", orders[1])
        after = api.retrieve_conversation(id=int(conversation_id))
        assert [i.id for i in after.custom_attributes["orders"].instances] == [orders[0]]

        cleared = api.update_conversation(id=int(conversation_id), custom_attributes={"orders": []})
        assert cleared.custom_attributes == {"issue_type": "Billing"}
        assert stored_references(server, workspace) == []

    def test_bad_references_write_nothing(
        self, client, server: LiveServer, workspace: Workspace, contact: str, orders: list[str]
    ) -> None:
        conversation_id = open_conversation(client, contact)
        path = f"/conversations/{conversation_id}"
        for value in (["999999"], "A1", [orders[0], "x"]):
            response = workspace.http.put(path, json={"custom_attributes": {"orders": value, "issue_type": "Billing"}})
            error = assert_error(response, 400, "parameter_invalid")
            assert error["field"] == "custom_attributes.orders"
        conversation = client.unstable.conversations.retrieve_conversation(id=int(conversation_id))
        assert conversation.custom_attributes == {}
        assert conversation.conversation_parts.total_count == 0
        assert stored_references(server, workspace) == []

    def test_deleting_the_conversation_clears_its_references(
        self, client, server: LiveServer, workspace: Workspace, contact: str, orders: list[str]
    ) -> None:
        kept = open_conversation(client, contact)
        deleted = open_conversation(client, contact)
        for conversation_id in (kept, deleted):
            client.unstable.conversations.update_conversation(
                id=int(conversation_id), custom_attributes={"orders": [orders[0]]}
            )
        client.unstable.conversations.delete_conversation(id=int(deleted))
        assert stored_references(server, workspace) == [("conversation", kept, "orders", orders[0])]
        remaining = client.unstable.conversations.retrieve_conversation(id=int(kept))
        assert [i.id for i in remaining.custom_attributes["orders"].instances] == [orders[0]]
