"""Tickets end to end: ticket types, attributes, states, tickets, parts, tags, search, enqueue jobs.

Through the official SDK (`client.unstable.*`); the top-level client where the unstable namespace
lacks a call (ticket creation, ticket type update); raw httpx only for change_type, which no SDK has.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from typing import Any

import httpx
import pytest
from intercom.core.api_error import ApiError
from intercom.unstable.errors import NotFoundError

from tests.support.live import LiveServer, Workspace, management_json
from tests.support.receiver import Receiver


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error.list"
    assert body["errors"][0]["code"] == code, body
    return body["errors"][0]


def new_type(client, name: str = "Bug", category: str = "Customer", **extra: Any):  # type: ignore[no-untyped-def]
    return client.unstable.ticket_types.create_ticket_type(
        request={"name": name, "description": f"{name} reports", "category": category, **extra}
    )


def states_by_category(ticket_type) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s.category: s.id for s in ticket_type.ticket_states.data}


def create_ticket(client, ticket_type_id: str, contact: dict[str, str], attributes: dict[str, Any] | None = None, **kw):  # type: ignore[no-untyped-def]
    """Ticket creation through the top-level client (the unstable namespace has none); it lacks
    `ticket_attributes` in its signature, so they travel as additional body parameters."""
    return client.tickets.create(
        ticket_type_id=ticket_type_id,
        contacts=[contact],
        request_options={"additional_body_parameters": {"ticket_attributes": attributes or {}}},
        **kw,
    )


def recorded_events(server: LiveServer, workspace_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(topic, item) of the workspace's outbox events, oldest first, read from the server's database."""
    query = "SELECT topic, payload FROM events WHERE workspace_id = {} ORDER BY id"
    if server.dialect == "sqlite":
        with sqlite3.connect(server.data_dir / "tidings.db") as db:
            rows = db.execute(query.format("?"), (workspace_id,)).fetchall()
        return [(topic, json.loads(payload)) for topic, payload in rows]

    async def fetch() -> list[Any]:
        import asyncpg

        conn = await asyncpg.connect(server.database_url)
        try:
            return await conn.fetch(query.format("$1"), workspace_id)
        finally:
            await conn.close()

    return [(row["topic"], json.loads(row["payload"])) for row in asyncio.run(fetch())]


def me(client) -> str:  # type: ignore[no-untyped-def]
    return client.unstable.admins.identify_admin().id


class TestTicketStates:
    def test_a_workspace_starts_with_intercoms_default_states(self, client) -> None:
        states = client.unstable.ticket_states.list_ticket_states()
        assert states.type == "list"
        assert [(s.category, s.internal_label, s.external_label) for s in states.data] == [
            ("submitted", "Submitted", "Submitted"),
            ("in_progress", "In progress", "In progress"),
            ("waiting_on_customer", "Waiting on customer", "Waiting on you"),
            ("resolved", "Resolved", "Resolved"),
        ]
        assert all(s.archived is False and s.ticket_types.data == [] for s in states.data)

    def test_each_type_carries_the_states(self, client) -> None:
        bug = new_type(client, "Bug")
        task = new_type(client, "Chore", "Back-office")
        states = client.unstable.ticket_states.list_ticket_states()
        assert [s.id for s in states.data] == [s.id for s in bug.ticket_states.data]
        assert [s.id for s in bug.ticket_states.data] == [s.id for s in task.ticket_states.data]
        for state in states.data:
            assert [t.name for t in state.ticket_types.data] == ["Bug", "Chore"]
            assert [t.category for t in state.ticket_types.data] == ["Customer", "Back-office"]


class TestTicketTypes:
    def test_create_has_default_attributes_and_states(self, client, workspace: Workspace) -> None:
        created = new_type(client, "Customer Issue", icon="🐞")
        assert created.type == "ticket_type"
        assert (created.name, created.description, created.icon) == ("Customer Issue", "Customer Issue reports", "🐞")
        assert (created.category, created.archived, created.is_internal) == ("Customer", False, False)
        assert created.workspace_id == workspace.id
        attributes = created.ticket_type_attributes.ticket_type_attributes
        assert [(a.name, a.order, a.default, a.input_options) for a in attributes] == [
            ("_default_title_", 0, True, {"multiline": False}),
            ("_default_description_", 1, True, {"multiline": True}),
        ]
        assert all(a.ticket_type_id == int(created.id) and a.data_type == "string" for a in attributes)
        # Intercom's own `{type: list, data}` shape is sent as well.
        raw = workspace.http.get(f"/ticket_types/{created.id}").json()
        assert [a["name"] for a in raw["ticket_type_attributes"]["data"]] == [
            "_default_title_",
            "_default_description_",
        ]
        assert list(states_by_category(created)) == ["submitted", "in_progress", "waiting_on_customer", "resolved"]

    def test_defaults(self, client) -> None:
        created = client.unstable.ticket_types.create_ticket_type(request={"name": "Plain"})
        assert (created.icon, created.category, created.description) == ("🎟️", "Customer", "")

    def test_list_get_update_archive(self, client) -> None:
        bug = new_type(client, "Bug")
        new_type(client, "Feature", "Tracker")
        assert [t.name for t in client.unstable.ticket_types.list_ticket_types().data] == ["Bug", "Feature"]
        assert client.unstable.ticket_types.get_ticket_type(id=bug.id).name == "Bug"
        updated = client.ticket_types.update(bug.id, name="Bug Report 2", icon="🦁", is_internal=True)
        assert (updated.name, updated.icon, updated.is_internal) == ("Bug Report 2", "🦁", True)
        archived = client.ticket_types.update(bug.id, archived=True)
        assert archived.archived is True
        assert client.unstable.ticket_types.get_ticket_type(id=bug.id).archived is True

    def test_unknown_type_is_404(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.ticket_types.get_ticket_type(id="987654")
        assert err.value.status_code == 404

    def test_name_is_required_and_unique(self, workspace: Workspace) -> None:
        assert_error(workspace.http.post("/ticket_types", json={"description": "x"}), 400, "parameter_not_found")
        workspace.http.post("/ticket_types", json={"name": "Bug"})
        assert_error(workspace.http.post("/ticket_types", json={"name": "bug"}), 400, "parameter_invalid")
        assert_error(
            workspace.http.post("/ticket_types", json={"name": "X", "category": "Other"}), 400, "parameter_invalid"
        )
        assert len(workspace.http.get("/ticket_types").json()["data"]) == 1


class TestTicketTypeAttributes:
    @pytest.mark.parametrize(
        ("data_type", "options", "input_options"),
        [
            ("string", {"multiline": True}, {"multiline": True}),
            ("string", {}, {"multiline": False}),
            ("integer", {}, None),
            ("decimal", {}, None),
            ("boolean", {}, None),
            ("datetime", {}, None),
            ("files", {"allow_multiple_values": True}, {"allow_multiple_values": True}),
        ],
    )
    def test_every_data_type(self, client, data_type: str, options: dict[str, Any], input_options: Any) -> None:
        bug = new_type(client)
        attribute = client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Field", description="A field", data_type=data_type, **options
        )
        assert attribute.type == "ticket_type_attribute"
        assert (attribute.name, attribute.description, attribute.data_type) == ("Field", "A field", data_type)
        assert attribute.input_options == input_options
        assert (attribute.order, attribute.default, attribute.archived) == (2, False, False)
        assert attribute.ticket_type_id == int(bug.id)

    def test_list_with_options_flags_and_update(self, client) -> None:
        bug = new_type(client)
        priority = client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id,
            name="Priority",
            description="How urgent",
            data_type="list",
            list_items="Low,Medium,High",
            required_to_create=True,
            visible_to_contacts=False,
        )
        options = priority.input_options["list_options"]
        assert [o["label"] for o in options] == ["Low", "Medium", "High"]
        assert (priority.required_to_create, priority.required_to_create_for_contacts) == (True, False)
        assert (priority.visible_on_create, priority.visible_to_contacts) == (True, False)
        updated = client.unstable.ticket_type_attributes.update_ticket_type_attribute(
            bug.id, priority.id, description="Urgency", list_items="Low,High,Critical", required_to_create=False
        )
        assert updated.description == "Urgency"
        assert updated.required_to_create is False
        new_options = updated.input_options["list_options"]
        assert [o["label"] for o in new_options] == ["Low", "High", "Critical"]
        # Options that stay keep their ids (tickets refer to them).
        assert new_options[0]["id"] == options[0]["id"]
        assert new_options[1]["id"] == options[2]["id"]
        archived = client.unstable.ticket_type_attributes.update_ticket_type_attribute(
            bug.id, priority.id, archived=True
        )
        assert archived.archived is True
        listed = client.unstable.ticket_types.get_ticket_type(id=bug.id).ticket_type_attributes.ticket_type_attributes
        assert [(a.name, a.order) for a in listed] == [
            ("_default_title_", 0),
            ("_default_description_", 1),
            ("Priority", 2),
        ]

    def test_bad_attributes_are_refused(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        path = f"/ticket_types/{bug.id}/attributes"
        assert_error(workspace.http.post(path, json={"name": "X", "description": "d"}), 400, "parameter_not_found")
        bad_type = {"name": "X", "description": "d", "data_type": "colour"}
        assert_error(workspace.http.post(path, json=bad_type), 400, "parameter_invalid")
        no_items = {"name": "X", "description": "d", "data_type": "list"}
        assert_error(workspace.http.post(path, json=no_items), 400, "parameter_not_found")
        clash = {"name": "_default_title_", "description": "d", "data_type": "string"}
        assert_error(workspace.http.post(path, json=clash), 400, "parameter_invalid")
        assert_error(workspace.http.post("/ticket_types/999999/attributes", json=clash), 404, "not_found")
        attributes = client.unstable.ticket_types.get_ticket_type(
            id=bug.id
        ).ticket_type_attributes.ticket_type_attributes
        assert len(attributes) == 2


class TestTickets:
    def test_create_by_email_creates_the_contact(self, client, server: LiveServer, workspace: Workspace) -> None:
        # Another workspace's ticket first: `id` is global, `ticket_id` (the inbox number) counts per workspace.
        elsewhere = server.new_workspace("elsewhere").client
        create_ticket(elsewhere, new_type(elsewhere).id, {"email": "ada@example.com"})
        bug = new_type(client)
        # Someone listens for new contacts: an event nobody wants is recorded without its object.
        with Receiver() as receiver:
            subscription = {"url": receiver.url, "topics": ["contact.user.created"]}
            management_json(server, "POST", f"/workspaces/{workspace.id}/webhook_subscriptions", json=subscription)
            ticket = create_ticket(
                client,
                bug.id,
                {"email": "ada@example.com"},
                {"_default_title_": "Broken", "_default_description_": "It is"},
            )
            receiver.wait_for(lambda seen: any(r.json.get("topic") == "contact.user.created" for r in seen))
        assert ticket.type == "ticket"
        assert ticket.id != ticket.ticket_id
        assert ticket.ticket_id == "1"
        assert ticket.ticket_attributes == {"_default_title_": "Broken", "_default_description_": "It is"}
        assert (ticket.ticket_state.category, ticket.ticket_state.internal_label) == ("submitted", "Submitted")
        assert ticket.ticket_type.id == bug.id
        assert (ticket.category, ticket.open, ticket.is_shared) == ("Customer", True, True)
        assert (ticket.admin_assignee_id, ticket.team_assignee_id) == ("0", "0")
        assert ticket.previous_ticket_state_id is None
        assert ticket.snoozed_until is None
        contact_id = ticket.contacts.contacts[0].id
        assert len(contact_id) == 24
        # The new contact is announced as the Contacts API shows it.
        shown = client.unstable.contacts.show_contact(id=contact_id)
        created = [item for topic, item in recorded_events(server, workspace.id) if topic == "contact.user.created"]
        assert [(c["type"], c["id"], c["role"], c["email"], c["created_at"]) for c in created] == [
            ("contact", contact_id, "user", "ada@example.com", shown.created_at)
        ]
        assert (created[0]["tags"]["url"], created[0]["tags"]["total_count"]) == (f"/contacts/{contact_id}/tags", 0)
        # The same email finds the same contact, announced once.
        again = create_ticket(client, bug.id, {"email": "ADA@example.com"})
        assert again.contacts.contacts[0].id == contact_id
        assert [t for t, _ in recorded_events(server, workspace.id)].count("contact.user.created") == 1
        assert again.ticket_id == "2"
        assert again.ticket_attributes == {"_default_title_": None, "_default_description_": None}
        parts = ticket.ticket_parts
        assert parts.total_count == 1
        first = parts.ticket_parts[0]
        assert (first.part_type, first.previous_ticket_state, first.ticket_state) == (
            "ticket_state_updated_by_admin",
            "submitted",
            "submitted",
        )
        assert first.author.type == "admin"
        assert first.author.id == me(client)
        raw = workspace.http.get(f"/tickets/{ticket.id}").json()
        assert "snoozed_until" not in raw
        assert raw["linked_objects"] == {"type": "list", "data": [], "total_count": 0, "has_more": False}

    def test_create_by_id_and_external_id_with_backdating_and_assignment(
        self, client, server: LiveServer, workspace: Workspace
    ) -> None:
        task = new_type(client, "Chore", "Back-office")
        first = create_ticket(client, task.id, {"email": "bo@example.com"})
        contact_id = first.contacts.contacts[0].id
        admin_id = me(client)
        team = management_json(server, "POST", f"/workspaces/{workspace.id}/teams", json={"name": "Ops"})
        ticket = create_ticket(
            client,
            task.id,
            {"id": contact_id},
            created_at=1590000000,
            company_id="acme",
            skip_notifications=True,
            assignment={"admin_assignee_id": admin_id, "team_assignee_id": team["id"]},
        )
        assert ticket.created_at == 1590000000
        assert ticket.updated_at >= int(time.time()) - 60
        assert (ticket.admin_assignee_id, ticket.team_assignee_id) == (admin_id, team["id"])
        assert (ticket.category, ticket.is_shared) == ("Back-office", False)
        assigned = [(p.part_type, p.assigned_to.type, p.assigned_to.id) for p in ticket.ticket_parts.ticket_parts[1:]]
        assert assigned == [("assignment", "admin", admin_id), ("assignment", "team", team["id"])]
        assert ticket.ticket_parts.ticket_parts[0].created_at == 1590000000
        unknown = workspace.http.post(
            "/tickets", json={"ticket_type_id": task.id, "contacts": [{"external_id": "nobody"}]}
        )
        assert_error(unknown, 400, "parameter_invalid")

    def test_bad_create_requests_write_nothing(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        cases = [
            ({"contacts": [{"email": "a@example.com"}]}, 400, "parameter_not_found"),
            ({"ticket_type_id": bug.id, "contacts": []}, 400, "parameter_invalid"),
            ({"ticket_type_id": "999999", "contacts": [{"email": "a@example.com"}]}, 400, "parameter_invalid"),
            (
                {"ticket_type_id": bug.id, "contacts": [{"email": "a@example.com"}], "conversation_to_link_id": "1"},
                400,
                "parameter_invalid",
            ),
            (
                {"ticket_type_id": bug.id, "contacts": [{"email": "a@example.com"}], "ticket_attributes": {"Nope": 1}},
                400,
                "parameter_invalid",
            ),
            (
                {
                    "ticket_type_id": bug.id,
                    "contacts": [{"email": "a@example.com"}],
                    "assignment": {"admin_assignee_id": "424242"},
                },
                404,
                "assignee_not_found",
            ),
        ]
        for body, status, code in cases:
            assert_error(workspace.http.post("/tickets", json=body), status, code)
        search = {"query": {"field": "open", "operator": "=", "value": True}}
        assert client.unstable.tickets.search_tickets(**search).total_count == 0

    def test_required_attribute_missing_refuses_creation_and_writes_nothing(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Severity", description="How bad", data_type="integer", required_to_create=True
        )
        with pytest.raises(ApiError) as err:
            create_ticket(client, bug.id, {"email": "new@example.com"}, {"_default_title_": "x"})
        assert err.value.status_code == 400
        error = err.value.body["errors"][0]
        assert (error["code"], error["message"], error["field"]) == (
            "parameter_invalid",
            "Missing required ticket attributes",
            "Severity",
        )
        # Nothing was written: no ticket, and the inbox number was not used up.
        assert (
            client.unstable.tickets.search_tickets(query={"field": "open", "operator": "=", "value": True}).tickets
            == []
        )
        ticket = create_ticket(client, bug.id, {"email": "new@example.com"}, {"Severity": 3})
        assert ticket.ticket_id == "1"
        assert ticket.ticket_attributes["Severity"] == 3

    @pytest.mark.parametrize(
        ("data_type", "extra", "good", "shown", "bad"),
        [
            ("string", {}, "text", "text", 5),
            ("integer", {}, 7, 7, "seven"),
            ("decimal", {}, 2.5, 2.5, "2.5"),
            ("boolean", {}, True, True, "yes"),
            ("datetime", {}, 1700000000, 1700000000, "not a date"),
            ("datetime", {}, "2023-11-14T22:13:20Z", 1700000000, True),
            ("list", {"list_items": "Low,High"}, "High", "High", "Medium"),
        ],
    )
    def test_attribute_values_are_checked_against_the_type(
        self, client, workspace: Workspace, data_type: str, extra: dict[str, Any], good: Any, shown: Any, bad: Any
    ) -> None:
        bug = new_type(client)
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Field", description="d", data_type=data_type, **extra
        )
        body = {"ticket_type_id": bug.id, "contacts": [{"email": "v@example.com"}]}
        refused = assert_error(
            workspace.http.post("/tickets", json={**body, "ticket_attributes": {"Field": bad}}),
            400,
            "parameter_invalid",
        )
        assert refused["field"] == "Field"
        assert "Field" in refused["message"]
        ticket = create_ticket(client, bug.id, {"email": "v@example.com"}, {"Field": good})
        assert ticket.ticket_attributes["Field"] == shown

    def test_list_values_by_option_id_and_files(self, client) -> None:
        bug = new_type(client)
        priority = client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Priority", description="d", data_type="list", list_items="Low,High"
        )
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Screens", description="d", data_type="files", allow_multiple_values=True
        )
        high = priority.input_options["list_options"][1]["id"]
        ticket = create_ticket(
            client,
            bug.id,
            {"email": "f@example.com"},
            {"Priority": high, "Screens": ["https://example.com/a.png", "https://example.com/b.pdf"]},
        )
        assert ticket.ticket_attributes["Priority"] == "High"
        files = ticket.ticket_attributes["Screens"]
        assert [(f["type"], f["name"], f["content_type"]) for f in files] == [
            ("upload", "a.png", "image/png"),
            ("upload", "b.pdf", "application/pdf"),
        ]

    def test_update_keeps_history_in_parts(self, client, server: LiveServer, workspace: Workspace) -> None:
        bug = new_type(client)
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Progress", description="d", data_type="list", list_items="Slow,Fast"
        )
        states = states_by_category(bug)
        ticket = create_ticket(client, bug.id, {"email": "u@example.com"}, {"_default_title_": "Old"})
        other = management_json(
            server, "POST", f"/workspaces/{workspace.id}/admins", json={"name": "Bo", "email": "bo@example.com"}
        )
        updated = client.unstable.tickets.update_ticket(
            ticket.id,
            ticket_attributes={"_default_title_": "New", "Progress": "Fast"},
            ticket_state_id=states["in_progress"],
            assignee_id=other["id"],
            snoozed_until=1900000000,
            is_shared=False,
            admin_id=int(me(client)),
        )
        assert updated.ticket_attributes["_default_title_"] == "New"
        assert updated.ticket_attributes["Progress"] == "Fast"
        assert updated.ticket_state.category == "in_progress"
        assert updated.previous_ticket_state_id == states["submitted"]
        assert updated.admin_assignee_id == other["id"]
        assert (updated.snoozed_until, updated.is_shared, updated.open) == (1900000000, False, True)
        parts = updated.ticket_parts.ticket_parts
        assert [p.part_type for p in parts] == [
            "ticket_state_updated_by_admin",
            "ticket_attribute_updated_by_admin",
            "ticket_attribute_updated_by_admin",
            "ticket_state_updated_by_admin",
            "assignment",
            "snoozed",
        ]
        assert updated.ticket_parts.total_count == 6
        title_part, progress_part = parts[1], parts[2]
        assert title_part.updated_attribute_data.attribute.label == "_default_title_"
        assert (title_part.updated_attribute_data.value.id, title_part.updated_attribute_data.value.label) == (
            "New",
            "New",
        )
        assert progress_part.updated_attribute_data.value.label == "Fast"
        assert (parts[3].previous_ticket_state, parts[3].ticket_state) == ("submitted", "in_progress")
        assert parts[4].assigned_to.id == other["id"]
        assert len({p.id for p in parts}) == 6
        assert [int(p.id) for p in parts] == sorted(int(p.id) for p in parts)

        closed = client.unstable.tickets.update_ticket(ticket.id, open=False, assignee_id="0")
        assert (closed.open, closed.snoozed_until, closed.admin_assignee_id) == (False, None, "0")
        assert closed.ticket_parts.ticket_parts[-1].part_type == "close"
        reread = client.unstable.tickets.get_ticket(ticket.id)
        assert reread.ticket_parts.total_count == closed.ticket_parts.total_count

    def test_update_refusals(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        other = new_type(client, "Other")
        ticket = create_ticket(client, bug.id, {"email": "r@example.com"})
        foreign_state = other.ticket_states.data[0].id
        path = f"/tickets/{ticket.id}"
        # States are shared by the types here; an id that is no state of the type is refused.
        assert_error(workspace.http.put(path, json={"ticket_state_id": "999999"}), 400, "ticket_state_id_invalid")
        assert foreign_state in states_by_category(bug).values()
        assert_error(workspace.http.put(path, json={"assignee_id": "424242"}), 404, "assignee_not_found")
        assert_error(workspace.http.put(path, json={"ticket_attributes": {"Nope": "x"}}), 400, "parameter_invalid")
        assert_error(workspace.http.put("/tickets/999999", json={"open": False}), 404, "ticket_not_found")
        unchanged = client.unstable.tickets.get_ticket(ticket.id)
        assert unchanged.ticket_parts.total_count == 1
        assert unchanged.admin_assignee_id == "0"

    def test_delete_then_retrieve_is_404(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        ticket = create_ticket(client, bug.id, {"email": "d@example.com"}, {"_default_title_": "bye"})
        deleted = client.unstable.tickets.delete_ticket(ticket.id)
        assert (deleted.id, deleted.object, deleted.deleted) == (ticket.id, "ticket", True)
        with pytest.raises(ApiError) as err:
            client.unstable.tickets.get_ticket(ticket.id)
        assert err.value.status_code == 404
        assert_error(workspace.http.get(f"/tickets/{ticket.id}"), 404, "ticket_not_found")
        assert_error(workspace.http.delete(f"/tickets/{ticket.id}"), 404, "ticket_not_found")

    def test_tickets_are_isolated_by_workspace(self, client, server: LiveServer) -> None:
        bug = new_type(client)
        ticket = create_ticket(client, bug.id, {"email": "i@example.com"})
        other = server.new_workspace("other")
        assert_error(other.http.get(f"/tickets/{ticket.id}"), 404, "ticket_not_found")
        assert other.http.get("/ticket_types").json()["data"] == []


class TestEvents:
    def test_ticket_changes_are_recorded_as_events(self, client, server: LiveServer, workspace: Workspace) -> None:
        bug = new_type(client)
        states = states_by_category(bug)
        admin_id = me(client)
        ticket = create_ticket(client, bug.id, {"email": "e@example.com"}, {"_default_title_": "Hi"})
        contact_id = ticket.contacts.contacts[0].id
        client.unstable.tickets.update_ticket(ticket.id, ticket_state_id=states["in_progress"], assignee_id=admin_id)
        client.unstable.tickets.update_ticket(ticket.id, ticket_attributes={"_default_title_": "Hello"})
        for message_type in ("comment", "note"):
            client.unstable.tickets.reply_ticket(
                ticket.id, request={"message_type": message_type, "type": "admin", "admin_id": admin_id, "body": "x"}
            )
        client.unstable.tickets.reply_ticket(
            ticket.id, request={"message_type": "comment", "type": "user", "intercom_user_id": contact_id, "body": "y"}
        )
        client.unstable.tickets.update_ticket(ticket.id, ticket_state_id=states["resolved"])
        client.unstable.tickets.update_ticket(ticket.id, open=False)
        announced, *events = recorded_events(server, workspace.id)
        # The ticket's unknown email made a contact, announced first.
        assert (announced[0], announced[1]["id"]) == ("contact.user.created", contact_id)
        assert [topic for topic, _ in events] == [
            "ticket.created",
            "ticket.state.updated",
            "ticket.admin.assigned",
            "ticket.attribute.updated",
            "ticket.admin.replied",
            "ticket.note.created",
            "ticket.contact.replied",
            "ticket.state.updated",
            "ticket.resolved",
            "ticket.closed",
        ]
        # Each event carries the ticket as the API shows it at that moment.
        assert all(item["type"] == "ticket" and item["id"] == ticket.id for _, item in events)
        assert events[0][1]["ticket_attributes"]["_default_title_"] == "Hi"
        assert events[3][1]["ticket_attributes"]["_default_title_"] == "Hello"
        assert events[8][1]["ticket_state"]["category"] == "resolved"
        assert events[9][1]["open"] is False


class TestReset:
    def test_reset_removes_tickets_and_types_and_states_come_back(
        self, client, server: LiveServer, workspace: Workspace
    ) -> None:
        bug = new_type(client)
        create_ticket(client, bug.id, {"email": "z@example.com"})
        management_json(server, "POST", f"/workspaces/{workspace.id}/reset")
        assert client.unstable.ticket_types.list_ticket_types().data == []
        assert len(client.unstable.ticket_states.list_ticket_states().data) == 4
        again = new_type(client)
        assert create_ticket(client, again.id, {"email": "z@example.com"}).ticket_id == "1"


class TestReplies:
    def test_admin_comment_note_quick_reply_and_contact_comment(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        ticket = create_ticket(client, bug.id, {"email": "c@example.com"})
        contact_id = ticket.contacts.contacts[0].id
        admin_id = me(client)
        comment = client.unstable.tickets.reply_ticket(
            ticket.id,
            request={
                "message_type": "comment",
                "type": "admin",
                "admin_id": admin_id,
                "body": "Hello there!",
                "attachment_urls": ["https://example.com/shot.png"],
            },
        )
        assert (comment.type, comment.part_type, comment.body) == ("ticket_part", "comment", "<p>Hello there!</p>")
        assert comment.author.id == admin_id
        assert comment.author.type == "admin"
        assert [(a.name, a.url) for a in comment.attachments] == [("shot.png", "https://example.com/shot.png")]
        note = client.unstable.tickets.reply_ticket(
            ticket.id,
            request={
                "message_type": "note",
                "type": "admin",
                "admin_id": admin_id,
                "body": "<html> <body> <h2>Heads up</h2> </body> </html>",
            },
        )
        assert (note.part_type, note.body) == ("note", "<h2>Heads up</h2>")
        quick = client.unstable.tickets.reply_ticket(
            ticket.id,
            request={
                "message_type": "quick_reply",
                "type": "admin",
                "admin_id": admin_id,
                "reply_options": [{"text": "Yes", "uuid": "0df48b85-9a93-4c66-a167-753eff0baaec"}],
            },
        )
        assert quick.part_type == "quick_reply"
        user = client.unstable.tickets.reply_ticket(
            ticket.id,
            request={"message_type": "comment", "type": "user", "intercom_user_id": contact_id, "body": "Thanks"},
        )
        assert (user.author.type, user.author.id, user.body) == ("user", contact_id, "<p>Thanks</p>")
        by_email = client.unstable.tickets.reply_ticket(
            ticket.id, request={"message_type": "comment", "type": "user", "email": "c@example.com", "body": "More"}
        )
        assert by_email.author.id == contact_id
        parts = client.unstable.tickets.get_ticket(ticket.id).ticket_parts.ticket_parts
        assert [p.part_type for p in parts] == [
            "ticket_state_updated_by_admin",
            "comment",
            "note",
            "quick_reply",
            "comment",
            "comment",
        ]

    def test_reply_refusals(self, client, workspace: Workspace) -> None:
        task = new_type(client, "Chore", "Back-office")
        ticket = create_ticket(client, task.id, {"email": "b@example.com"})
        contact_id = ticket.contacts.contacts[0].id
        path = f"/tickets/{ticket.id}/reply"
        user = {"message_type": "comment", "type": "user", "intercom_user_id": contact_id, "body": "hi"}
        error = assert_error(workspace.http.post(path, json=user), 400, "parameter_mismatch")
        assert error["message"] == "User replies are not allowed on Backoffice tickets"
        admin = {"message_type": "comment", "type": "admin", "admin_id": me(client)}
        assert_error(workspace.http.post(path, json=admin), 400, "parameter_not_found")
        too_many = {**admin, "body": "x", "attachment_urls": [f"https://example.com/{i}.png" for i in range(11)]}
        assert_error(workspace.http.post(path, json=too_many), 400, "parameter_invalid")
        assert_error(
            workspace.http.post(path, json={**admin, "body": "x", "admin_id": "424242"}), 404, "admin_not_found"
        )
        assert_error(workspace.http.post("/tickets/999999/reply", json={**admin, "body": "x"}), 404, "not_found")
        assert client.unstable.tickets.get_ticket(ticket.id).ticket_parts.total_count == 1


class TestChangeType:
    def test_across_categories_is_refused(self, client, workspace: Workspace) -> None:
        bug = new_type(client, "Bug")
        chore = new_type(client, "Chore", "Back-office")
        ticket = create_ticket(client, bug.id, {"email": "x@example.com"})
        body = {"ticket_type_id": chore.id, "ticket_state_id": states_by_category(chore)["submitted"]}
        assert_error(workspace.http.post(f"/tickets/{ticket.id}/change_type", json=body), 400, "parameter_invalid")
        same = {"ticket_type_id": bug.id, "ticket_state_id": states_by_category(bug)["submitted"]}
        error = assert_error(
            workspace.http.post(f"/tickets/{ticket.id}/change_type", json=same), 400, "parameter_invalid"
        )
        assert error["message"] == "Cannot change to the same ticket type"
        missing = assert_error(
            workspace.http.post(f"/tickets/{ticket.id}/change_type", json={"ticket_type_id": chore.id}),
            400,
            "parameter_not_found",
        )
        assert missing["message"] == "ticket_state_id is a required parameter"
        assert_error(workspace.http.post("/tickets/999999/change_type", json=same), 404, "not_found")
        assert client.unstable.tickets.get_ticket(ticket.id).ticket_type.id == bug.id

    def test_within_a_category_carries_attributes_over(self, client, workspace: Workspace) -> None:
        bug = new_type(client, "Bug")
        incident = new_type(client, "Incident")
        for ticket_type in (bug, incident):
            client.unstable.ticket_type_attributes.create_ticket_type_attribute(
                ticket_type.id, name="Severity", description="d", data_type="integer"
            )
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Browser", description="d", data_type="string"
        )
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            incident.id, name="Browser", description="d", data_type="boolean"
        )
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            incident.id, name="Region", description="d", data_type="string"
        )
        ticket = create_ticket(
            client,
            bug.id,
            {"email": "y@example.com"},
            {"_default_title_": "Down", "_default_description_": "All of it", "Severity": 2, "Browser": "Firefox"},
        )
        in_progress = states_by_category(incident)["in_progress"]
        path = f"/tickets/{ticket.id}/change_type"
        extra = {"ticket_type_id": incident.id, "ticket_state_id": in_progress, "ticket_attributes": {"Priority": 1}}
        error = assert_error(workspace.http.post(path, json=extra), 400, "parameter_invalid")
        assert error["message"] == "Extra attributes provided that are not found on ticket type: Priority"
        wrong_state = {"ticket_type_id": incident.id, "ticket_state_id": "999999"}
        error = assert_error(workspace.http.post(path, json=wrong_state), 400, "parameter_invalid")
        assert error["message"] == "Ticket custom state doesn't belong to the new ticket type"
        body = {
            "ticket_type_id": incident.id,
            "ticket_state_id": in_progress,
            "ticket_attributes": {"_default_description_": "Still down", "Region": "EU"},
        }
        response = workspace.http.post(path, json=body)
        assert response.status_code == 200, response.text
        changed = response.json()
        assert changed["ticket_type"]["id"] == incident.id
        assert changed["ticket_state"]["category"] == "in_progress"
        # Same name and type carry over; a same-named attribute of another type does not; given values override.
        assert changed["ticket_attributes"] == {
            "_default_title_": "Down",
            "_default_description_": "Still down",
            "Severity": 2,
            "Browser": None,
            "Region": "EU",
        }
        assert changed["previous_ticket_state_id"] == states_by_category(bug)["submitted"]
        assert client.unstable.tickets.get_ticket(ticket.id).ticket_attributes["Severity"] == 2


class TestTags:
    def test_attach_and_detach(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        ticket = create_ticket(client, bug.id, {"email": "t@example.com"})
        tag = client.unstable.tags.create_tag(request={"name": "Urgent"})
        admin_id = me(client)
        attached = client.unstable.tags.attach_tag_to_ticket(ticket.id, id=tag.id, admin_id=admin_id)
        assert (attached.type, attached.id, attached.name) == ("tag", tag.id, "Urgent")
        assert attached.applied_by.id == admin_id
        assert attached.applied_at >= int(time.time()) - 60
        again = client.unstable.tags.attach_tag_to_ticket(ticket.id, id=tag.id, admin_id=admin_id)
        assert again.applied_at == attached.applied_at
        detached = client.unstable.tags.detach_tag_from_ticket(ticket.id, tag.id, admin_id=admin_id)
        assert (detached.id, detached.name) == (tag.id, "Urgent")
        with pytest.raises(NotFoundError) as err:
            client.unstable.tags.detach_tag_from_ticket(ticket.id, tag.id, admin_id=admin_id)
        assert err.value.body["errors"][0]["code"] == "tag_not_found"
        body = {"id": tag.id, "admin_id": admin_id}
        assert_error(workspace.http.post("/tickets/999999/tags", json=body), 404, "ticket_not_found")
        body = {"id": "999999", "admin_id": admin_id}
        assert_error(workspace.http.post(f"/tickets/{ticket.id}/tags", json=body), 404, "tag_not_found")


class TestSearch:
    def search_ids(self, client, query: dict[str, Any]) -> set[str]:  # type: ignore[no-untyped-def]
        return {t.id for t in client.unstable.tickets.search_tickets(query=query).tickets}

    def test_by_attribute_and_state_category(self, client) -> None:
        bug = new_type(client, "Bug")
        chore = new_type(client, "Chore", "Back-office")
        severity = client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Severity", description="d", data_type="integer"
        )
        area = client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Area", description="d", data_type="list", list_items="Billing,Login"
        )
        login = area.input_options["list_options"][1]["id"]
        low = create_ticket(
            client, bug.id, {"email": "s1@example.com"}, {"Severity": 1, "_default_title_": "Login fails"}
        )
        high = create_ticket(client, bug.id, {"email": "s2@example.com"}, {"Severity": 5, "Area": login})
        chore_ticket = create_ticket(client, chore.id, {"email": "s3@example.com"}, {"_default_title_": "Invoice"})
        client.unstable.tickets.update_ticket(high.id, ticket_state_id=states_by_category(bug)["resolved"])

        by_attribute = {"field": f"ticket_attribute.{severity.id}", "operator": ">", "value": 2}
        assert self.search_ids(client, by_attribute) == {high.id}
        equal = {"field": f"ticket_attribute.{severity.id}", "operator": "=", "value": "1"}
        assert self.search_ids(client, equal) == {low.id}
        by_option = {"field": f"ticket_attribute.{area.id}", "operator": "=", "value": login}
        assert self.search_ids(client, by_option) == {high.id}
        not_login = {"field": f"ticket_attribute.{area.id}", "operator": "!=", "value": "Login"}
        assert self.search_ids(client, not_login) == {low.id, chore_ticket.id}
        assert self.search_ids(client, {"field": "state", "operator": "=", "value": "resolved"}) == {high.id}
        submitted = {"field": "state", "operator": "IN", "value": ["submitted", "in_progress"]}
        assert self.search_ids(client, submitted) == {low.id, chore_ticket.id}
        assert self.search_ids(client, {"field": "category", "operator": "=", "value": "task"}) == {chore_ticket.id}
        assert self.search_ids(client, {"field": "category", "operator": "=", "value": "request"}) == {low.id, high.id}
        assert self.search_ids(client, {"field": "title", "operator": "~", "value": "login"}) == {low.id}
        combined = {
            "operator": "OR",
            "value": [
                {"operator": "AND", "value": [by_attribute, {"field": "open", "operator": "=", "value": True}]},
                {"field": "ticket_type_id", "operator": "=", "value": chore.id},
            ],
        }
        assert self.search_ids(client, combined) == {high.id, chore_ticket.id}
        contact = {"field": "contact_ids", "operator": "=", "value": low.contacts.contacts[0].id}
        assert self.search_ids(client, contact) == {low.id}

    def test_by_people_and_times(self, client, server: LiveServer, workspace: Workspace) -> None:
        bug = new_type(client)
        admin_id = me(client)
        helper = management_json(
            server, "POST", f"/workspaces/{workspace.id}/admins", json={"name": "Cy", "email": "cy@example.com"}
        )
        old = create_ticket(client, bug.id, {"email": "t1@example.com"}, created_at=1500000000)
        assignment = {"admin_assignee_id": admin_id}
        assigned = create_ticket(client, bug.id, {"email": "t2@example.com"}, assignment=assignment)
        replied = create_ticket(client, bug.id, {"email": "t3@example.com"}, created_at=1600000000)
        client.unstable.tickets.reply_ticket(
            replied.id, request={"message_type": "note", "type": "admin", "admin_id": helper["id"], "body": "looking"}
        )
        unassigned = {"field": "admin_assignee_id", "operator": "=", "value": "0"}
        assert self.search_ids(client, unassigned) == {old.id, replied.id}
        assert self.search_ids(client, {"field": "admin_assignee_id", "operator": "=", "value": admin_id}) == {
            assigned.id
        }
        # Teammates are the admins who wrote a part: the helper only on the ticket it noted.
        assert self.search_ids(client, {"field": "teammate_ids", "operator": "=", "value": helper["id"]}) == {
            replied.id
        }
        assert self.search_ids(client, {"field": "teammate_ids", "operator": "=", "value": "424242"}) == set()
        assert self.search_ids(client, {"field": "created_at", "operator": "<", "value": 1600000000}) == {old.id}
        assert self.search_ids(client, {"field": "created_at", "operator": "<=", "value": 1600000000}) == {
            old.id,
            replied.id,
        }
        assert self.search_ids(client, {"field": "id", "operator": "IN", "value": [old.id, replied.id]}) == {
            old.id,
            replied.id,
        }
        assert self.search_ids(client, {"field": "id", "operator": "NIN", "value": [old.id]}) == {
            assigned.id,
            replied.id,
        }
        client.unstable.tickets.update_ticket(old.id, snoozed_until=1900000000)
        assert self.search_ids(client, {"field": "snoozed_until", "operator": ">", "value": 0}) == {old.id}

    def test_paging(self, client) -> None:
        bug = new_type(client)
        created = [
            create_ticket(client, bug.id, {"email": "p@example.com"}, created_at=1600000000 + i).id for i in range(5)
        ]
        query = {"field": "created_at", "operator": ">", "value": "1500000000"}
        first = client.unstable.tickets.search_tickets(query=query, pagination={"per_page": 2})
        assert first.type == "ticket.list"
        assert first.total_count == 5
        assert (first.pages.page, first.pages.per_page, first.pages.total_pages) == (1, 2, 3)
        seen = [t.id for t in first.tickets]
        cursor = first.pages.next.starting_after
        while cursor:
            page = client.unstable.tickets.search_tickets(
                query=query, pagination={"per_page": 2, "starting_after": cursor}
            )
            seen += [t.id for t in page.tickets]
            cursor = page.pages.next.starting_after if page.pages.next else None
        assert seen == list(reversed(created))

    def test_bad_queries(self, workspace: Workspace) -> None:
        cases = [
            ({"field": "nope", "operator": "=", "value": "x"}, "field_not_found"),
            ({"field": "ticket_attribute.abc", "operator": "=", "value": "x"}, "field_not_found"),
            ({"field": "created_at", "operator": "~", "value": "x"}, "parameter_invalid"),
            ({"field": "created_at", "operator": ">", "value": "foobar"}, "parameter_invalid"),
            ({"field": "category", "operator": "=", "value": "Customer"}, "parameter_invalid"),
            ({"field": "state", "operator": "IN", "value": "submitted"}, "parameter_invalid"),
            (
                {
                    "operator": "AND",
                    "value": [
                        {
                            "operator": "OR",
                            "value": [
                                {"operator": "AND", "value": [{"field": "open", "operator": "=", "value": True}]}
                            ],
                        }
                    ],
                },
                "parameter_invalid",
            ),
            (
                {"operator": "AND", "value": [{"field": "open", "operator": "=", "value": True}] * 16},
                "parameter_invalid",
            ),
        ]
        for query, code in cases:
            assert_error(workspace.http.post("/tickets/search", json={"query": query}), 400, code)


class TestEnqueue:
    def wait_for(self, client, job_id: str):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            job = client.unstable.jobs.status(job_id)
            if job.status != "pending":
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} still pending")

    def test_success_for_a_valid_ticket(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        job = client.unstable.tickets.enqueue_create_ticket(
            ticket_type_id=bug.id,
            contacts=[{"email": "job@example.com"}],
            request_options={"additional_body_parameters": {"ticket_attributes": {"_default_title_": "Queued"}}},
        )
        assert (job.type, job.status, job.resource_type, job.resource_id, job.resource_url) == (
            "job",
            "pending",
            "ticket",
            None,
            None,
        )
        assert job.url == f"{workspace.base_url}/jobs/status/{job.id}"
        done = self.wait_for(client, job.id)
        assert done.status == "success"
        assert done.resource_url == f"{workspace.base_url}/tickets/{done.resource_id}"
        ticket = client.unstable.tickets.get_ticket(done.resource_id)
        assert ticket.ticket_attributes["_default_title_"] == "Queued"
        assert ticket.ticket_parts.ticket_parts[0].author.id == me(client)

    def test_failure_for_an_invalid_ticket(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        # The contact is resolved when the job runs: an unknown one fails the job.
        job = client.unstable.tickets.enqueue_create_ticket(ticket_type_id=bug.id, contacts=[{"id": "0" * 24}])
        done = self.wait_for(client, job.id)
        assert (done.status, done.resource_id, done.resource_url) == ("failed", None, None)
        query = {"field": "ticket_type_id", "operator": "=", "value": bug.id}
        assert client.unstable.tickets.search_tickets(query=query).total_count == 0

    def test_best_effort_validation_enqueues_nothing(self, client, workspace: Workspace) -> None:
        bug = new_type(client)
        client.unstable.ticket_type_attributes.create_ticket_type_attribute(
            bug.id, name="Severity", description="d", data_type="integer", required_to_create=True
        )
        response = workspace.http.post(
            "/tickets/enqueue", json={"ticket_type_id": bug.id, "contacts": [{"email": "q@example.com"}]}
        )
        error = assert_error(response, 400, "parameter_invalid")
        assert error["message"] == "Missing required ticket attributes"

    def test_unknown_job(self, workspace: Workspace) -> None:
        error = assert_error(workspace.http.get("/jobs/status/999999"), 404, "job_not_found")
        assert error["message"] == "Job Not Found"

    def test_a_pending_job_survives_a_restart(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        """A job committed just before the server went down runs when it comes back."""
        from tests.conftest import start_server, stop_server

        live = start_server("sqlite", tmp_path_factory.mktemp("tidings-jobs"))
        try:
            workspace = live.new_workspace()
            bug = workspace.http.post("/ticket_types", json={"name": "Bug"}).json()
            live.stop()
            # What `POST /tickets/enqueue` commits, written while no runner can pick it up.
            payload = {"ticket_type_id": bug["id"], "contacts": [{"email": "r@example.com"}]}
            with sqlite3.connect(live.data_dir / "tidings.db") as db:
                job_id = db.execute(
                    "INSERT INTO jobs (workspace_id, kind, status, payload, base_url, resource_type, created_at,"
                    " updated_at) VALUES (?, 'create_ticket', 'pending', ?, ?, 'ticket', 0, 0)",
                    (workspace.id, json.dumps(payload), live.base_url),
                ).lastrowid
            live.start()
            done = self.wait_for(workspace.client, str(job_id))
            assert done.status == "success"
            ticket = workspace.client.unstable.tickets.get_ticket(done.resource_id)
            assert ticket.ticket_type.id == bug["id"]
        finally:
            stop_server(live)
