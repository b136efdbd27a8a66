"""Teams end to end through the official SDK."""

from __future__ import annotations

from tests.support.errors import assert_error
from tests.support.live import LiveServer, Workspace, management_json


class TestTeams:
    def test_list_and_retrieve(self, client, server: LiveServer, workspace: Workspace) -> None:
        admin_id = int(client.unstable.admins.identify_admin().id)
        team = management_json(
            server, "POST", f"/workspaces/{workspace.id}/teams", json={"name": "Support", "admin_ids": [admin_id]}
        )
        teams = client.unstable.teams.list_teams()
        assert [t.name for t in teams.teams] == ["Support"]
        found = client.unstable.teams.retrieve_team(id=team["id"])
        assert found.admin_ids == [admin_id]
        assert client.unstable.admins.retrieve_admin(id=admin_id).team_ids == [int(team["id"])]

    def test_unknown_team(self, workspace: Workspace) -> None:
        assert_error(workspace.http.get("/teams/424242"), 404, "team_not_found")
