"""Contacts end to end through the official SDK: create, read, update, delete, list, search, merge, tags."""

from __future__ import annotations

from typing import Any

import pytest
from intercom.core.api_error import ApiError
from intercom.unstable.errors import NotFoundError

from tests.support.custom_objects import create_orders
from tests.support.live import LiveServer, Workspace, management_json
from tests.test_linking import stored_references


def create_attribute(client, name: str, data_type: str, model: str = "contact") -> None:  # type: ignore[no-untyped-def]
    client.unstable.data_attributes.create_data_attribute(
        request={"name": name, "model": model, "data_type": data_type}
    )


def error_code(err: pytest.ExceptionInfo[ApiError]) -> str:
    return err.value.body["errors"][0]["code"]


class TestCreateAndRead:
    def test_create_user_and_retrieve(self, client) -> None:
        create_attribute(client, "plan", "string")
        created = client.unstable.contacts.create_contact(
            request={
                "email": "Joe@Bloggs.com",
                "name": "Joe",
                "external_id": "u-1",
                "custom_attributes": {"plan": "pro"},
            }
        )
        assert created.role == "user"
        assert created.email == "Joe@Bloggs.com"
        assert created.email_domain == "bloggs.com"
        assert created.custom_attributes == {"plan": "pro"}
        shown = client.unstable.contacts.show_contact(id=created.id)
        assert shown.id == created.id
        assert shown.name == "Joe"
        by_external = client.unstable.contacts.show_contact_by_external_id(external_id="u-1")
        assert by_external.id == created.id

    def test_create_lead_without_identifiers(self, client) -> None:
        lead = client.unstable.contacts.create_contact(request={"role": "lead", "name": "Anonymous"})
        assert lead.role == "lead"
        assert lead.external_id is None

    def test_duplicate_user_email_conflicts(self, client) -> None:
        first = client.unstable.contacts.create_contact(request={"email": "dup@example.com"})
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.create_contact(request={"email": "DUP@example.com"})
        assert err.value.status_code == 409
        assert first.id in err.value.body["errors"][0]["message"]

    def test_duplicate_external_id_conflicts(self, client) -> None:
        client.unstable.contacts.create_contact(request={"external_id": "x-1"})
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.create_contact(request={"role": "lead", "external_id": "x-1"})
        assert err.value.status_code == 409

    def test_unknown_custom_attribute_is_refused(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.create_contact(request={"email": "a@b.c", "custom_attributes": {"nope": 1}})
        assert err.value.status_code == 400
        assert error_code(err) == "parameter_invalid"

    def test_custom_attribute_type_is_checked(self, client) -> None:
        create_attribute(client, "seats", "integer")
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.create_contact(request={"email": "a@b.c", "custom_attributes": {"seats": "ten"}})
        assert err.value.status_code == 400

    def test_unknown_contact_is_404(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.show_contact(id="000000000000000000000000")
        assert err.value.status_code == 404
        assert err.value.body["errors"][0]["message"] == "User Not Found"


class TestUpdateDelete:
    def test_update_fields_and_custom_attributes(self, client) -> None:
        create_attribute(client, "plan", "string")
        create_attribute(client, "seats", "integer")
        contact = client.unstable.contacts.create_contact(
            request={"email": "u@example.com", "custom_attributes": {"plan": "free"}}
        )
        updated = client.unstable.contacts.update_contact(
            id=contact.id, name="New Name", email="new@example.org", custom_attributes={"seats": 3}
        )
        assert updated.name == "New Name"
        assert updated.email == "new@example.org"
        assert updated.email_domain == "example.org"
        assert updated.custom_attributes == {"plan": "free", "seats": 3}
        assert updated.updated_at >= contact.updated_at

    def test_lead_becomes_user(self, client) -> None:
        lead = client.unstable.contacts.create_contact(request={"role": "lead", "email": "l@example.com"})
        user = client.unstable.contacts.update_contact(id=lead.id, role="user")
        assert user.role == "user"
        assert user.signed_up_at is not None

    def test_delete(self, client) -> None:
        contact = client.unstable.contacts.create_contact(request={"email": "gone@example.com", "external_id": "g"})
        deleted = client.unstable.contacts.delete_contact(id=contact.id)
        assert deleted.id == contact.id
        assert deleted.deleted is True
        assert deleted.external_id == "g"
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.show_contact(id=contact.id)
        assert err.value.status_code == 404

    def test_archive_unarchive_block(self, client) -> None:
        contact = client.unstable.contacts.create_contact(request={"email": "arch@example.com"})
        archived = client.unstable.contacts.archive_contact(id=contact.id)
        assert archived.archived is True
        assert client.unstable.contacts.list_contacts().total_count == 0
        unarchived = client.unstable.contacts.unarchive_contact(id=contact.id)
        assert unarchived.archived is False
        assert client.unstable.contacts.list_contacts().total_count == 1
        blocked = client.unstable.contacts.block_contact(id=contact.id)
        assert blocked.blocked is True


class TestListSearch:
    def test_list_pages_with_cursor(self, client, workspace: Workspace) -> None:
        ids = [client.unstable.contacts.create_contact(request={"email": f"p{i}@example.com"}).id for i in range(5)]
        first = workspace.http.get("/contacts", params={"per_page": 2}).json()
        assert first["total_count"] == 5
        assert first["pages"]["total_pages"] == 3
        seen = [c["id"] for c in first["data"]]
        cursor = first["pages"]["next"]["starting_after"]
        while cursor:
            page = workspace.http.get("/contacts", params={"per_page": 2, "starting_after": cursor}).json()
            seen += [c["id"] for c in page["data"]]
            cursor = (page["pages"].get("next") or {}).get("starting_after")
        assert sorted(seen) == sorted(ids)
        assert len(seen) == 5

    def test_search_standard_and_custom_fields(self, client) -> None:
        create_attribute(client, "plan", "string")
        create_attribute(client, "seats", "integer")
        a = client.unstable.contacts.create_contact(
            request={"email": "ann@acme.com", "name": "Ann", "custom_attributes": {"plan": "pro", "seats": 10}}
        )
        b = client.unstable.contacts.create_contact(
            request={"email": "bob@acme.com", "name": "Bob", "custom_attributes": {"plan": "free", "seats": 2}}
        )
        c = client.unstable.contacts.create_contact(request={"role": "lead", "email": "cy@other.org"})
        by_domain = client.unstable.contacts.search_contacts(
            query={"field": "email_domain", "operator": "=", "value": "acme.com"}
        )
        assert {x.id for x in by_domain.data} == {a.id, b.id}
        nested = client.unstable.contacts.search_contacts(
            query={
                "operator": "OR",
                "value": [
                    {
                        "operator": "AND",
                        "value": [
                            {"field": "custom_attributes.plan", "operator": "=", "value": "pro"},
                            {"field": "custom_attributes.seats", "operator": ">", "value": 5},
                        ],
                    },
                    {"field": "role", "operator": "=", "value": "lead"},
                ],
            }
        )
        assert {x.id for x in nested.data} == {a.id, c.id}
        starts = client.unstable.contacts.search_contacts(query={"field": "name", "operator": "^", "value": "b"})
        assert [x.id for x in starts.data] == [b.id]
        paged = client.unstable.contacts.search_contacts(
            query={"field": "email", "operator": "~", "value": "@"}, pagination={"per_page": 2}
        )
        assert paged.total_count == 3
        assert len(paged.data) == 2
        assert paged.pages.next.starting_after

    def test_search_sort_and_cursor(self, client, workspace: Workspace) -> None:
        for name in ("Cleo", "Abe", "Bea"):
            client.unstable.contacts.create_contact(request={"email": f"{name}@sort.io", "name": name})
        body = {
            "query": {"field": "email_domain", "operator": "=", "value": "sort.io"},
            "sort": {"field": "name", "order": "ascending"},
            "pagination": {"per_page": 2},
        }
        first = workspace.http.post("/contacts/search", json=body).json()
        assert [c["name"] for c in first["data"]] == ["Abe", "Bea"]
        body["pagination"]["starting_after"] = first["pages"]["next"]["starting_after"]
        second = workspace.http.post("/contacts/search", json=body).json()
        assert [c["name"] for c in second["data"]] == ["Cleo"]
        assert second["pages"]["page"] == 2
        assert "next" not in second["pages"]
        body["sort"] = {"field": "name", "order": "sideways"}
        bad = workspace.http.post("/contacts/search", json=body)
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["code"] == "invalid_sort_order"

    def test_foreign_cursor_is_400(self, client, workspace: Workspace) -> None:
        """A cursor minted for another sort (a name where a timestamp is expected) is refused, not a crash."""
        for name in ("Abe", "Bea"):
            client.unstable.contacts.create_contact(request={"email": f"{name}@cur.io", "name": name})
        body = {
            "query": {"field": "email_domain", "operator": "=", "value": "cur.io"},
            "sort": {"field": "name", "order": "ascending"},
            "pagination": {"per_page": 1},
        }
        cursor = workspace.http.post("/contacts/search", json=body).json()["pages"]["next"]["starting_after"]
        response = workspace.http.get("/contacts", params={"starting_after": cursor})
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "client_error"

    def test_search_by_tag(self, client) -> None:
        tag = client.unstable.tags.create_tag(request={"name": "VIP"})
        vip = client.unstable.contacts.create_contact(request={"email": "vip@example.com"})
        client.unstable.contacts.create_contact(request={"email": "plain@example.com"})
        client.unstable.tags.attach_tag_to_contact(contact_id=vip.id, id=tag.id)
        found = client.unstable.contacts.search_contacts(query={"field": "tag_id", "operator": "=", "value": tag.id})
        assert [x.id for x in found.data] == [vip.id]

    @pytest.mark.parametrize(
        "query",
        [
            {"field": "nope", "operator": "=", "value": "x"},
            {"field": "name", "operator": ">", "value": "x"},
            {"field": "created_at", "operator": "=", "value": "yesterday"},
            {"field": "email", "operator": "IN", "value": "not-a-list"},
            {"field": "custom_attributes.undefined", "operator": "=", "value": "x"},
            {"operator": "AND", "value": [{"field": "name", "operator": "=", "value": str(i)} for i in range(16)]},
            {
                "operator": "AND",
                "value": [
                    {
                        "operator": "OR",
                        "value": [{"operator": "AND", "value": [{"field": "name", "operator": "=", "value": "x"}]}],
                    }
                ],
            },
        ],
    )
    def test_invalid_queries_are_400(self, workspace: Workspace, query: dict) -> None:
        response = workspace.http.post("/contacts/search", json={"query": query})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["code"] == "parameter_invalid"


class TestMerge:
    def test_merge_lead_into_user(self, client) -> None:
        tag = client.unstable.tags.create_tag(request={"name": "lead-tag"})
        lead = client.unstable.contacts.create_contact(request={"role": "lead", "name": "Lee", "phone": "+1555"})
        client.unstable.tags.attach_tag_to_contact(contact_id=lead.id, id=tag.id)
        user = client.unstable.contacts.create_contact(request={"email": "user@example.com"})
        merged = client.unstable.contacts.merge_contact(from_=lead.id, into=user.id)
        assert merged.id == user.id
        assert merged.name == "Lee"
        assert merged.phone == "+1555"
        assert [t.id for t in merged.tags.data] == [tag.id]
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.show_contact(id=lead.id)
        assert err.value.status_code == 404

    def test_merge_user_into_user_is_refused(self, client) -> None:
        a = client.unstable.contacts.create_contact(request={"email": "a@example.com"})
        b = client.unstable.contacts.create_contact(request={"email": "b@example.com"})
        with pytest.raises(ApiError) as err:
            client.unstable.contacts.merge_contact(from_=a.id, into=b.id)
        assert err.value.status_code == 400


class TestTags:
    def test_attach_list_detach(self, client) -> None:
        tag = client.unstable.tags.create_tag(request={"name": "Beta"})
        contact = client.unstable.contacts.create_contact(request={"email": "t@example.com"})
        me = client.unstable.admins.identify_admin()
        attached = client.unstable.tags.attach_tag_to_contact(contact_id=contact.id, id=tag.id)
        assert attached.name == "Beta"
        assert attached.applied_by.id == me.id
        listed = client.unstable.contacts.list_tags_for_a_contact(contact_id=contact.id)
        assert [t.id for t in listed.data] == [tag.id]
        shown = client.unstable.contacts.show_contact(id=contact.id)
        assert shown.tags.total_count == 1
        detached = client.unstable.tags.detach_tag_from_contact(contact_id=contact.id, id=tag.id)
        assert detached.id == tag.id
        assert client.unstable.contacts.list_tags_for_a_contact(contact_id=contact.id).data == []

    def test_unknown_tag_is_404(self, client) -> None:
        contact = client.unstable.contacts.create_contact(request={"email": "t2@example.com"})
        with pytest.raises(NotFoundError):
            client.unstable.tags.attach_tag_to_contact(contact_id=contact.id, id="999999")

    def test_tag_users_in_bulk(self, client) -> None:
        a = client.unstable.contacts.create_contact(request={"email": "bulk1@example.com"})
        b = client.unstable.contacts.create_contact(request={"email": "bulk2@example.com"})
        tag = client.unstable.tags.create_tag(request={"name": "Bulk", "users": [{"id": a.id}, {"id": b.id}]})
        assert [t.id for t in client.unstable.contacts.list_tags_for_a_contact(contact_id=a.id).data] == [tag.id]
        client.unstable.tags.create_tag(request={"name": "Bulk", "users": [{"id": b.id, "untag": True}]})
        assert client.unstable.contacts.list_tags_for_a_contact(contact_id=b.id).data == []


def test_events_are_recorded(server, workspace: Workspace) -> None:
    """Contact creation, update, tagging and deletion leave events in the outbox."""
    import asyncio

    from sqlalchemy import select

    from tidings.db.storage import open_storage
    from tidings.events.storage import events

    client = workspace.client
    tag = client.unstable.tags.create_tag(request={"name": "E"})
    contact = client.unstable.contacts.create_contact(request={"email": "ev@example.com"})
    client.unstable.contacts.update_contact(id=contact.id, name="Ev")
    client.unstable.tags.attach_tag_to_contact(contact_id=contact.id, id=tag.id)
    client.unstable.contacts.delete_contact(id=contact.id)

    url = server.database_url or f"sqlite:///{server.data_dir}/tidings.db"

    async def topics() -> list[str]:
        storage = open_storage(url.replace("postgresql://", "postgresql+asyncpg://"))
        tx = await storage.begin(write=False)
        try:
            result = await tx.execute(
                select(events.c.topic).where(events.c.workspace_id == workspace.id).order_by(events.c.id)
            )
            return [r[0] for r in result]
        finally:
            await tx.rollback()
            await storage.close()

    assert asyncio.run(topics()) == [
        "contact.user.created",
        "contact.user.updated",
        "contact.user.tag.created",
        "contact.deleted",
    ]


def test_merge_moves_subscriptions(client, server, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]

    kind = management_json(server, "POST", f"/workspaces/{workspace.id}/subscription_types", json={"name": "News"})
    lead = client.unstable.contacts.create_contact(request={"role": "lead", "email": "sublead@example.com"})
    client.unstable.subscription_types.attach_subscription_type_to_contact(
        contact_id=lead.id, id=kind["id"], consent_type="opt_out"
    )
    user = client.unstable.contacts.create_contact(request={"email": "subuser@example.com"})
    merged = client.unstable.contacts.merge_contact(from_=lead.id, into=user.id)
    assert [s["id"] for s in merged.opted_out_subscription_types["data"]] == [kind["id"]]


class TestCustomObjectReferences:
    @pytest.fixture
    def orders(self, client, server: LiveServer, workspace: Workspace) -> list[str]:  # type: ignore[no-untyped-def]
        return create_orders(client, server, workspace, "contact")

    def test_set_show_list_search_clear(self, client, server: LiveServer, workspace: Workspace, orders) -> None:  # type: ignore[no-untyped-def]
        create_attribute(client, "plan", "string")
        contacts = client.unstable.contacts
        contact = contacts.create_contact(request={"email": "orders@example.com"})

        updated = contacts.update_contact(
            contact.id, custom_attributes={"orders": [orders[1], orders[0]], "plan": "pro"}
        )
        expanded = updated.custom_attributes["orders"]
        assert expanded["type"] == "Order.list"
        assert [(i["type"], i["id"], i["external_id"], i["custom_attributes"]) for i in expanded["instances"]] == [
            ("Order", orders[1], "ext-B2", {"order_number": "B2"}),
            ("Order", orders[0], "ext-A1", {"order_number": "A1"}),
        ]
        assert updated.custom_attributes["plan"] == "pro"
        assert stored_references(server, workspace) == [
            ("contact", contact.id, "orders", orders[1]),
            ("contact", contact.id, "orders", orders[0]),
        ]

        def shown_ids(found) -> list[str]:  # type: ignore[no-untyped-def]
            return [i["id"] for i in found.custom_attributes["orders"]["instances"]]

        assert shown_ids(contacts.show_contact(id=contact.id)) == [orders[1], orders[0]]
        assert shown_ids(next(c for c in contacts.list_contacts().data if c.id == contact.id)) == [
            orders[1],
            orders[0],
        ]
        searched = contacts.search_contacts(query={"field": "id", "operator": "=", "value": contact.id})
        assert [shown_ids(c) for c in searched.data] == [[orders[1], orders[0]]]

        # Deleting an instance drops it from the contact; an empty list clears the reference.
        client.unstable.custom_object_instances.delete_custom_object_instances_by_external_id("Order", orders[1])
        assert shown_ids(contacts.show_contact(id=contact.id)) == [orders[0]]
        cleared = contacts.update_contact(contact.id, custom_attributes={"orders": []})
        assert cleared.custom_attributes == {"plan": "pro"}
        assert stored_references(server, workspace) == []

    def test_create_with_references(self, client, server: LiveServer, workspace: Workspace, orders) -> None:  # type: ignore[no-untyped-def]
        created = client.unstable.contacts.create_contact(
            request={"email": "new@example.com", "custom_attributes": {"orders": [orders[0]]}}
        )
        assert created.custom_attributes["orders"]["type"] == "Order.list"
        assert [i["id"] for i in created.custom_attributes["orders"]["instances"]] == [orders[0]]
        assert stored_references(server, workspace) == [("contact", created.id, "orders", orders[0])]

    def test_bad_references_write_nothing(self, client, server: LiveServer, workspace: Workspace, orders) -> None:  # type: ignore[no-untyped-def]
        create_attribute(client, "plan", "string")
        contact = client.unstable.contacts.create_contact(request={"email": "bad@example.com"})
        for value in (["999999"], "A1", [orders[0], "x"]):
            response = workspace.http.put(
                f"/contacts/{contact.id}", json={"custom_attributes": {"orders": value, "plan": "pro"}}
            )
            assert response.status_code == 400, response.text
            error = response.json()["errors"][0]
            assert (error["code"], error["field"]) == ("parameter_invalid", "custom_attributes.orders")
        assert client.unstable.contacts.show_contact(id=contact.id).custom_attributes == {}
        assert stored_references(server, workspace) == []

    def test_deleting_or_merging_away_clears_references(  # type: ignore[no-untyped-def]
        self, client, server: LiveServer, workspace: Workspace, orders
    ) -> None:
        contacts = client.unstable.contacts
        kept = contacts.create_contact(request={"email": "kept@example.com"})
        deleted = contacts.create_contact(request={"email": "gone@example.com"})
        lead = contacts.create_contact(request={"role": "lead", "name": "Lead"})
        for contact in (kept, deleted, lead):
            contacts.update_contact(contact.id, custom_attributes={"orders": [orders[0]]})
        contacts.delete_contact(id=deleted.id)
        merged = contacts.merge_contact(from_=lead.id, into=kept.id)
        assert merged.id == kept.id
        assert stored_references(server, workspace) == [("contact", kept.id, "orders", orders[0])]
        assert [i["id"] for i in merged.custom_attributes["orders"]["instances"]] == [orders[0]]


def statements_run(server: LiveServer, workspace: Workspace, *works: Any) -> list[int]:
    """How many statements each `work(uow)` runs on the server's database, counted on the storage
    facade's transaction (one read-only transaction in the workspace)."""
    import asyncio

    from tidings.core.uow import UnitOfWork
    from tidings.db.storage import open_storage

    url = server.database_url or f"sqlite:///{server.data_dir}/tidings.db"

    async def count() -> list[int]:
        storage = open_storage(url.replace("postgresql://", "postgresql+asyncpg://"))
        tx = await storage.begin(write=False)
        counted = [0]
        execute, fetch = tx.execute, tx.fetch

        async def counting_execute(*args, **kwargs):  # type: ignore[no-untyped-def]
            counted[0] += 1
            return await execute(*args, **kwargs)

        async def counting_fetch(*args, **kwargs):  # type: ignore[no-untyped-def]
            counted[0] += 1
            return await fetch(*args, **kwargs)

        tx.execute, tx.fetch = counting_execute, counting_fetch  # type: ignore[method-assign]
        try:
            uow = UnitOfWork(tx=tx, workspace_id=workspace.id)
            counts = []
            for work in works:
                counted[0] = 0
                await work(uow)
                counts.append(counted[0])
            return counts
        finally:
            await tx.rollback()
            await storage.close()

    return asyncio.run(count())


def statements_to_render(server: LiveServer, workspace: Workspace, contact_ids: list[str]) -> list[int]:
    """How many statements `contacts.service.get` runs for each contact, and `hydrate` for all at once."""
    from tidings.contacts import service

    def get(contact_id: str) -> Any:
        return lambda uow: service.get(uow, contact_id)

    counts = statements_run(server, workspace, *(get(c) for c in contact_ids))
    rows_then_hydrate = statements_run(server, workspace, lambda uow: hydrate_rows(uow, service, contact_ids))[0]
    return [*counts, rows_then_hydrate - len(contact_ids)]


async def hydrate_rows(uow: Any, service: Any, contact_ids: list[str]) -> Any:
    rows = [await service.storage.get_contact(uow, c) for c in contact_ids]
    return await service.hydrate(uow, rows)


def test_a_contact_renders_in_a_fixed_small_number_of_statements(server, workspace: Workspace) -> None:
    """Tags, notes, companies and subscriptions are read in one statement however many a contact has:
    the contact's row, then everything it embeds (custom object references would add one, for the
    instances). The embedded lists stay right at any size."""
    http = workspace.http
    admin_id = http.get("/me").json()["id"]
    small = http.post("/contacts", json={"email": "small@example.com"}).json()["id"]
    large = http.post("/contacts", json={"email": "large@example.com"}).json()["id"]
    tag_ids = [http.post("/tags", json={"name": f"many {i}"}).json()["id"] for i in range(14)]
    company_ids = [
        http.post("/companies", json={"company_id": f"many-{i}", "name": f"Many {i}"}).json()["id"] for i in range(12)
    ]
    for tag_id in tag_ids:
        assert http.post(f"/contacts/{large}/tags", json={"id": tag_id}).status_code == 200
    for company_id in company_ids:
        assert http.post(f"/contacts/{large}/companies", json={"id": company_id}).status_code == 200
    note_ids = [
        http.post(f"/contacts/{large}/notes", json={"body": f"n{i}", "admin_id": admin_id}).json()["id"]
        for i in range(11)
    ]
    assert http.post(f"/contacts/{small}/tags", json={"id": tag_ids[0]}).status_code == 200

    shown = http.get(f"/contacts/{large}").json()
    assert [t["id"] for t in shown["tags"]["data"]] == tag_ids[:10]
    assert (shown["tags"]["total_count"], shown["tags"]["has_more"]) == (14, True)
    # In attachment order, as the contact's companies list shows them (ties in the same second by id).
    attached = http.get(f"/contacts/{large}/companies", params={"per_page": 20}).json()["companies"]
    assert sorted(c["id"] for c in attached) == sorted(company_ids)
    assert [c["id"] for c in shown["companies"]["data"]] == [c["id"] for c in attached][:10]
    assert (shown["companies"]["total_count"], shown["companies"]["has_more"]) == (12, True)
    assert [n["id"] for n in shown["notes"]["data"]] == list(reversed(note_ids))[:10]
    assert (shown["notes"]["total_count"], shown["notes"]["has_more"]) == (11, True)
    listed = http.post("/contacts/search", json={"query": {"field": "id", "operator": "=", "value": large}}).json()
    assert listed["data"] == [shown]

    get_small, get_large, both = statements_to_render(server, workspace, [small, large])
    assert get_small == get_large == 2
    assert both == 1


def test_an_event_nobody_wants_keeps_only_its_subject(server, workspace: Workspace) -> None:
    """With no subscription to the topic (and no channel), `contact.user.created` and `.updated` are
    recorded without rendering the contact: the row keeps `{type, id}` (docs/areas/webhooks.md)."""
    import asyncio

    from sqlalchemy import select

    from tidings.db.storage import open_storage
    from tidings.events.storage import events

    http = workspace.http
    contact = http.post("/contacts", json={"email": "nobody-listens@example.com"}).json()
    assert http.put(f"/contacts/{contact['id']}", json={"name": "Still nobody"}).status_code == 200
    url = server.database_url or f"sqlite:///{server.data_dir}/tidings.db"

    async def payloads() -> list[tuple[str, object]]:
        storage = open_storage(url.replace("postgresql://", "postgresql+asyncpg://"))
        tx = await storage.begin(write=False)
        try:
            result = await tx.execute(
                select(events.c.topic, events.c.payload)
                .where(events.c.workspace_id == workspace.id, events.c.subject_id == contact["id"])
                .order_by(events.c.id)
            )
            return [(r[0], r[1]) for r in result]
        finally:
            await tx.rollback()
            await storage.close()

    subject = {"type": "contact", "id": contact["id"]}
    assert asyncio.run(payloads()) == [("contact.user.created", subject), ("contact.user.updated", subject)]
