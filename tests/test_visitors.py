"""Visitors end to end through the official SDK: retrieve, update, convert."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError

from tests.support.contacts import new_contact
from tests.support.live import LiveServer, Workspace, management_json


class TestVisitors:
    def make_visitor(self, server: LiveServer, workspace: Workspace, **body: str) -> dict:
        return management_json(server, "POST", f"/workspaces/{workspace.id}/visitors", json=body)

    def test_retrieve_update(self, client, server: LiveServer, workspace: Workspace) -> None:
        visitor = self.make_visitor(server, workspace, user_id="v-1")
        found = client.unstable.visitors.retrieve_visitor_with_user_id(user_id="v-1")
        assert found.id == visitor["id"]
        assert found.anonymous is True
        updated = client.unstable.visitors.update_visitor(request={"user_id": "v-1", "name": "Gareth"})
        assert updated.name == "Gareth"

    def test_convert_to_lead_and_user(self, client, server: LiveServer, workspace: Workspace) -> None:
        self.make_visitor(server, workspace, user_id="v-2", name="Val")
        lead = client.unstable.visitors.convert_visitor(type="lead", user={}, visitor={"user_id": "v-2"})
        assert lead.role == "lead"
        assert lead.name == "Val"
        with pytest.raises(ApiError) as err:
            client.unstable.visitors.retrieve_visitor_with_user_id(user_id="v-2")
        assert err.value.status_code == 404
        existing = new_contact(client, "known@example.com")
        self.make_visitor(server, workspace, user_id="v-3", name="Kay")
        user = client.unstable.visitors.convert_visitor(
            type="user", user={"email": "known@example.com"}, visitor={"user_id": "v-3"}
        )
        assert user.id == existing.id
        assert user.name == "Kay"

    def test_unknown_visitor_is_404(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.visitors.retrieve_visitor_with_user_id(user_id="nobody")
        assert err.value.status_code == 404
