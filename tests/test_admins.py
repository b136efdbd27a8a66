"""Admins end to end through the official SDK: me, list, retrieve, away mode and the activity log."""

from __future__ import annotations

import pytest
from intercom.unstable.errors import NotFoundError

from tests.support.errors import assert_error
from tests.support.live import LiveServer, Workspace, management_json


class TestAdmins:
    def test_me_is_the_tokens_admin_with_its_app(self, client, workspace: Workspace) -> None:
        me = client.unstable.admins.identify_admin()
        assert me.type == "admin"
        assert me.app.id_code == workspace.id
        assert me.email.startswith("owner@")
        assert me.email_verified is True

    def test_list_and_retrieve(self, client, server: LiveServer, workspace: Workspace) -> None:
        created = management_json(
            server, "POST", f"/workspaces/{workspace.id}/admins", json={"name": "Ada", "email": "ada@example.com"}
        )
        admins = client.unstable.admins.list_admins()
        assert admins.type == "admin.list"
        assert [a.name for a in admins.admins] == ["test Owner", "Ada"]
        found = client.unstable.admins.retrieve_admin(id=int(created["id"]))
        assert found.email == "ada@example.com"
        assert found.away_mode_enabled is False

    def test_set_away_and_activity_log(self, server: LiveServer, workspace: Workspace, client) -> None:
        me = client.unstable.admins.identify_admin()
        reason = management_json(
            server, "POST", f"/workspaces/{workspace.id}/away_status_reasons", json={"label": "Lunch", "emoji": "🍔"}
        )
        away = client.unstable.admins.set_away_admin(
            id=int(me.id), away_mode_enabled=True, away_mode_reassign=True, away_status_reason_id=int(reason["id"])
        )
        assert away.away_mode_enabled is True
        assert away.away_mode_reassign is True
        assert away.away_status_reason_id == int(reason["id"])
        logs = client.unstable.admins.list_activity_logs(created_at_after="0")
        assert logs.type == "activity_log.list"
        assert [log.activity_type for log in logs.activity_logs] == ["admin_away_mode_change"]
        assert logs.activity_logs[0].performed_by.id == me.id

    def test_activity_log_event_types(self, workspace: Workspace) -> None:
        body = workspace.http.get("/admins/activity_log_event_types").json()
        assert body["type"] == "activity_log_event_type.list"
        assert "admin_away_mode_change" in body["event_types"]
        assert "app_name_change" in body["event_types"]

    def test_search_activity_logs_by_type_and_page(self, client, workspace: Workspace) -> None:
        admin_id = int(client.unstable.admins.identify_admin().id)
        for away in (True, False, True):
            client.unstable.admins.set_away_admin(id=admin_id, away_mode_enabled=away, away_mode_reassign=False)
        page = workspace.http.post(
            "/admins/activity_logs/search",
            json={"created_at_after": "0", "event_types": ["admin_away_mode_change"], "per_page": 2},
        ).json()
        assert page["pages"] == {"type": "pages", "page": 1, "per_page": 2, "total_pages": 2, "next": None}
        assert len(page["activity_logs"]) == 2
        second = workspace.http.post(
            "/admins/activity_logs/search", json={"created_at_after": "0", "per_page": 2, "page": 2}
        ).json()
        assert len(second["activity_logs"]) == 1
        none = workspace.http.post(
            "/admins/activity_logs/search", json={"created_at_after": "0", "event_types": ["app_name_change"]}
        ).json()
        assert none["activity_logs"] == []
        bad = workspace.http.post("/admins/activity_logs/search", json={"created_at_after": "0", "event_types": ["x"]})
        assert_error(bad, 400, "parameter_invalid")

    def test_unknown_admin_is_404(self, client, workspace: Workspace) -> None:
        with pytest.raises(NotFoundError) as err:
            client.unstable.admins.retrieve_admin(id=999999)
        assert err.value.body["errors"][0] == {"code": "admin_not_found", "message": "Admin not found"}
        away = workspace.http.put("/admins/999999/away", json={"away_mode_enabled": True, "away_mode_reassign": False})
        assert assert_error(away, 404, "admin_not_found")["errors"][0]["message"] == "Admin for admin_id not found"

    def test_away_needs_an_existing_reason(self, client, workspace: Workspace) -> None:
        me = client.unstable.admins.identify_admin()
        body = {"away_mode_enabled": True, "away_mode_reassign": False, "away_status_reason_id": 12}
        assert_error(workspace.http.put(f"/admins/{me.id}/away", json=body), 400, "parameter_invalid")
        assert client.unstable.admins.retrieve_admin(id=int(me.id)).away_mode_enabled is False

    def test_activity_logs_need_created_at_after(self, workspace: Workspace) -> None:
        response = workspace.http.get("/admins/activity_logs")
        assert_error(response, 400, "parameter_not_found")
