"""Companies end to end through the SDK: create, attach contacts, tag, list, scroll and page."""

from __future__ import annotations

import itertools

import pytest
from intercom.core.api_error import ApiError

from tests.support.contacts import new_contact
from tests.support.live import LiveServer, Workspace, management_json


class TestCompanies:
    def test_create_update_retrieve_delete(self, client) -> None:
        created = client.unstable.companies.create_or_update_company(
            request={"company_id": "acme", "name": "Acme", "plan": "pro", "size": 12, "monthly_spend": 99}
        )
        assert created.company_id == "acme"
        assert created.name == "Acme"
        assert created.size == 12
        assert created.monthly_spend == 99
        again = client.unstable.companies.create_or_update_company(request={"company_id": "acme", "name": "Acme Inc"})
        assert again.id == created.id
        assert again.name == "Acme Inc"
        assert again.size == 12
        by_id = client.unstable.companies.retrieve_a_company_by_id(id=created.id)
        assert by_id.name == "Acme Inc"
        found = client.unstable.companies.retrieve_company(company_id="acme")
        assert [c.id for c in found.data] == [created.id]
        touched = client.unstable.companies.update_company(id=created.id)
        assert touched.updated_at >= created.updated_at
        deleted = client.unstable.companies.delete_company(id=created.id)
        assert deleted.deleted is True
        assert deleted.id == created.id
        with pytest.raises(ApiError) as err:
            client.unstable.companies.retrieve_a_company_by_id(id=created.id)
        assert err.value.status_code == 404
        assert err.value.body["errors"][0]["code"] == "company_not_found"

    def test_company_id_is_required(self, workspace: Workspace) -> None:
        response = workspace.http.post("/companies", json={"name": "No id"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "parameter_not_found"

    def test_attach_detach_contacts_and_lists(self, client) -> None:
        company = client.unstable.companies.create_or_update_company(request={"company_id": "c1", "name": "One"})
        client.unstable.companies.create_or_update_company(request={"company_id": "c2", "name": "Lonely"})
        contact = new_contact(client, "emp@one.com")
        attached = client.unstable.companies.attach_contact_to_a_company(id=contact.id, company_id=company.id)
        assert attached.user_count == 1
        of_contact = client.unstable.contacts.list_companies_for_a_contact(id=contact.id)
        assert [c.id for c in of_contact.companies] == [company.id]
        people = client.unstable.companies.list_attached_contacts(id=company.id)
        assert [p.id for p in people.data] == [contact.id]
        # Only companies with a contact are listed.
        listed = client.unstable.companies.list_all_companies()
        assert [c.company_id for c in listed.data] == ["c1"]
        assert listed.total_count == 1
        scrolled = client.unstable.companies.scroll_over_all_companies()
        assert [c.id for c in scrolled.data] == [company.id]
        end = client.unstable.companies.scroll_over_all_companies(scroll_param=scrolled.scroll_param)
        assert end.data == []
        detached = client.unstable.companies.detach_contact_from_a_company(contact_id=contact.id, id=company.id)
        assert detached.user_count == 0
        assert client.unstable.contacts.list_companies_for_a_contact(id=contact.id).companies == []

    def test_attach_with_a_null_body_names_what_is_missing(self, client, workspace: Workspace) -> None:
        contact = new_contact(client, "null@one.com")
        response = workspace.http.post(
            f"/contacts/{contact.id}/companies", content=b"null", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "code": "parameter_not_found",
            "message": "company not specified",
            "field": "id",
        }

    def test_attach_unknown_company_is_404(self, client) -> None:
        contact = new_contact(client, "x@one.com")
        with pytest.raises(ApiError) as err:
            client.unstable.companies.attach_contact_to_a_company(id=contact.id, company_id="nope")
        assert err.value.status_code == 404
        assert err.value.body["errors"][0]["code"] == "company_not_found"

    def test_tag_companies_in_bulk(self, client) -> None:
        company = client.unstable.companies.create_or_update_company(request={"company_id": "tagme"})
        tag = client.unstable.tags.create_tag(request={"name": "Key account", "companies": [{"id": company.id}]})
        shown = client.unstable.companies.retrieve_a_company_by_id(id=company.id)
        assert [t["id"] for t in shown.tags.tags] == [tag.id]
        by_tag = client.unstable.companies.retrieve_company(tag_id=tag.id)
        assert [c.id for c in by_tag.data] == [company.id]
        client.unstable.tags.create_tag(
            request={"name": "Key account", "companies": [{"company_id": "tagme", "untag": True}]}
        )
        assert client.unstable.companies.retrieve_a_company_by_id(id=company.id).tags.tags == []


class TestEdges:
    def test_list_pages_past_the_end_are_empty(self, client) -> None:
        company = client.unstable.companies.create_or_update_company(request={"company_id": "p1"})
        contact = new_contact(client, "p1@example.com")
        client.unstable.companies.attach_contact_to_a_company(id=contact.id, company_id=company.id)
        first = client.unstable.companies.list_all_companies(page=1, per_page=1)
        assert [c.id for c in first.data] == [company.id]
        assert first.pages.total_pages == 1
        assert client.unstable.companies.list_all_companies(page=2, per_page=1).data == []

    def test_bad_scroll_param_is_400(self, workspace: Workspace) -> None:
        response = workspace.http.get("/companies/scroll", params={"scroll_param": "garbage"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "scroll_param"

    def test_notes_of_unknown_contact_are_404(self, workspace: Workspace) -> None:
        response = workspace.http.get("/contacts/000000000000000000000000/notes")
        assert response.status_code == 404
        assert response.json()["errors"][0]["message"] == "User Not Found"

    def test_reset_removes_contacts_and_companies(self, client, server: LiveServer, workspace: Workspace) -> None:
        tag = client.unstable.tags.create_tag(request={"name": "R"})
        company = client.unstable.companies.create_or_update_company(request={"company_id": "r1"})
        contact = new_contact(client, "r@example.com")
        client.unstable.tags.attach_tag_to_contact(contact_id=contact.id, id=tag.id)
        client.unstable.companies.attach_contact_to_a_company(id=contact.id, company_id=company.id)
        client.unstable.notes.create_note(id=contact.id, body="bye")
        management_json(server, "POST", f"/workspaces/{workspace.id}/reset")
        assert client.unstable.contacts.list_contacts().total_count == 0
        assert client.unstable.companies.list_all_companies().data == []


class TestPaging:
    """The SDKs' page-number pagers ask for page + 1 until a page comes back empty (issue 15)."""

    SDK_PAGE_LIMIT = 20  # an SDK pager that never ends is cut here, so the test fails instead of hanging

    def test_sdk_pages_through_a_contacts_notes(self, client) -> None:
        contact = new_contact(client, "many-notes@example.com")
        made = [client.unstable.notes.create_note(id=contact.id, body=f"note {n}").id for n in range(5)]
        pager = client.notes.list(contact_id=contact.id, per_page=2)
        pages = list(itertools.islice(pager.iter_pages(), self.SDK_PAGE_LIMIT))
        assert [len(p.items) for p in pages] == [2, 2, 1]
        assert sorted(n.id for p in pages for n in p.items) == sorted(made)
        assert pages[0].response.total_count == 5

    def test_sdk_pages_through_a_contacts_companies(self, client) -> None:
        contact = new_contact(client, "many-companies@example.com")
        made = []
        for n in range(3):
            company = client.unstable.companies.create_or_update_company(request={"company_id": f"pc{n}"})
            client.unstable.companies.attach_contact_to_a_company(id=contact.id, company_id=company.id)
            made.append(company.id)
        pager = client.contacts.list_attached_companies(contact_id=contact.id, per_page=2)
        pages = list(itertools.islice(pager.iter_pages(), self.SDK_PAGE_LIMIT))
        assert [len(p.items) for p in pages] == [2, 1]
        assert sorted(c.id for p in pages for c in p.items) == sorted(made)
        assert pages[0].response.pages.total_pages == 2

    def test_company_pages_say_what_comes_next(self, client, workspace: Workspace) -> None:
        contact = new_contact(client, "paged@example.com")
        for n in range(3):
            company = client.unstable.companies.create_or_update_company(request={"company_id": f"nx{n}"})
            client.unstable.companies.attach_contact_to_a_company(id=contact.id, company_id=company.id)
        first = workspace.http.get("/companies", params={"per_page": 2}).json()["pages"]
        assert first["total_pages"] == 2
        assert first["next"]["per_page"] == 2
        following = workspace.http.get(
            "/companies", params={"per_page": 2, "starting_after": first["next"]["starting_after"]}
        ).json()
        assert len(following["data"]) == 1
        assert following["pages"]["page"] == 2
        assert following["pages"]["next"] is None
        listed = workspace.http.post("/companies/list", params={"per_page": 2}).json()["pages"]
        assert listed["next"]["starting_after"]


def test_a_company_renders_in_a_fixed_small_number_of_statements(server, workspace: Workspace) -> None:
    """A company's user count, tags and notes are read in one statement however many it has (then one
    per segment of the workspace; none here): the row, then what it embeds."""
    from tests.test_contacts import statements_run
    from tidings.companies import service

    http = workspace.http
    admin_id = http.get("/me").json()["id"]
    small = http.post("/companies", json={"company_id": "small", "name": "Small"}).json()["id"]
    large = http.post("/companies", json={"company_id": "large", "name": "Large"}).json()["id"]
    tag_ids = []
    for i in range(4):
        tag = http.post("/tags", json={"name": f"co {i}", "companies": [{"id": large}]}).json()
        tag_ids.append(tag["id"])
    for i in range(3):
        contact = http.post("/contacts", json={"email": f"co-user-{i}@example.com"}).json()
        assert http.post(f"/contacts/{contact['id']}/companies", json={"id": large}).status_code == 200
    note_ids = [
        http.post(f"/companies/{large}/notes", json={"body": f"n{i}", "admin_id": admin_id}).json()["id"]
        for i in range(12)
    ]

    shown = http.get(f"/companies/{large}").json()
    assert [t["id"] for t in shown["tags"]["tags"]] == tag_ids
    assert shown["user_count"] == 3
    assert [n["id"] for n in shown["notes"]["data"]] == list(reversed(note_ids))[:10]
    assert (shown["notes"]["total_count"], shown["notes"]["has_more"]) == (12, True)
    assert http.get(f"/companies/{small}").json()["user_count"] == 0

    get_small, get_large = statements_run(
        server, workspace, lambda uow: service.get(uow, small), lambda uow: service.get(uow, large)
    )
    assert get_small == get_large == 3
