"""Segments (saved queries over contacts and companies) end to end through the official SDK."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError

from tests.support.contacts import new_contact
from tests.support.live import LiveServer, Workspace, management_json


class TestSegments:
    def test_segment_is_a_saved_query(self, client, server: LiveServer, workspace: Workspace) -> None:
        vip = new_contact(client, "vip@big.com")
        new_contact(client, "small@tiny.com")
        segment = management_json(
            server,
            "POST",
            f"/workspaces/{workspace.id}/segments",
            json={"name": "Big", "query": {"field": "email_domain", "operator": "=", "value": "big.com"}},
        )
        listed = client.unstable.segments.list_segments(include_count=True)
        assert [(s.name, s.count) for s in listed.segments] == [("Big", 1)]
        assert client.unstable.segments.retrieve_segment(id=segment["id"]).name == "Big"
        mine = client.unstable.contacts.list_segments_for_a_contact(contact_id=vip.id)
        assert [s.id for s in mine.data] == [segment["id"]]
        found = client.unstable.contacts.search_contacts(
            query={"field": "segment_id", "operator": "=", "value": segment["id"]}
        )
        assert [c.id for c in found.data] == [vip.id]

    def test_invalid_segment_query_is_refused(self, server: LiveServer, workspace: Workspace) -> None:
        with server.management() as mgmt:
            response = mgmt.post(
                f"/workspaces/{workspace.id}/segments",
                json={"name": "Bad", "query": {"field": "nope", "operator": "=", "value": 1}},
            )
        assert response.status_code == 400

    def test_company_segments(self, client, server: LiveServer, workspace: Workspace) -> None:
        company = client.unstable.companies.create_or_update_company(request={"company_id": "s1", "plan": "gold"})
        segment = management_json(
            server,
            "POST",
            f"/workspaces/{workspace.id}/segments",
            json={"name": "Gold", "model": "company", "query": {"field": "plan", "operator": "=", "value": "gold"}},
        )
        found = client.unstable.companies.list_attached_segments_for_companies(id=company.id)
        assert [s.id for s in found.data] == [segment["id"]]
        shown = client.unstable.companies.retrieve_a_company_by_id(id=company.id)
        assert [s.id for s in shown.segments.segments] == [segment["id"]]

    def test_unknown_segment_is_404(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.segments.retrieve_segment(id="nope")
        assert err.value.status_code == 404
