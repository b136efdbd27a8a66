"""Foundation end to end: every error path, workspace isolation, the management basics, route coverage.

Admins, teams and tags have their own files (test_admins, test_teams, test_tags)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from intercom.core.api_error import ApiError
from intercom.unstable.errors import NotFoundError, UnauthorizedError

from tests.support.errors import assert_error, raw
from tests.support.live import LiveServer, Workspace, management_json

ROOT = Path(__file__).resolve().parents[1]


class TestErrors:
    def test_missing_token(self, server: LiveServer) -> None:
        body = assert_error(raw(server, "GET", "/tags", None), 401, "unauthorized")
        assert body["errors"][0]["message"] == "Access Token Invalid"

    def test_bad_token(self, server: LiveServer) -> None:
        assert_error(raw(server, "GET", "/tags", "nope"), 401, "unauthorized")

    def test_sdk_raises_unauthorized(self, server: LiveServer) -> None:
        from intercom import Intercom

        with pytest.raises(UnauthorizedError):
            Intercom(token="wrong", base_url=server.base_url).unstable.tags.list_tags()

    def test_admin_key_is_not_an_access_token(self, server: LiveServer) -> None:
        assert_error(raw(server, "GET", "/tags", server.admin_key), 401, "unauthorized")

    def test_access_token_is_not_an_admin_key(self, server: LiveServer, workspace: Workspace) -> None:
        assert_error(raw(server, "GET", "/_tidings/v1/workspaces", workspace.token), 401, "unauthorized")

    def test_unknown_id(self, workspace: Workspace) -> None:
        assert_error(workspace.http.get("/tags/987654321"), 404, "not_found")
        assert_error(workspace.http.get("/tags/not-a-number"), 404, "not_found")

    @pytest.mark.parametrize("text", ["\u00b2", "\u0663", "--5"])
    def test_digits_int_cannot_read(self, workspace: Workspace, text: str) -> None:
        """`²` and `٣` pass `str.isdigit()` but not `int()`; `--5` passes a stripped minus: none is a 500."""
        assert_error(workspace.http.get(f"/tags/{text}"), 404, "not_found")
        assert_error(workspace.http.get(f"/jobs/status/{text}"), 404, "job_not_found")
        logs = workspace.http.get("/admins/activity_logs", params={"created_at_after": text})
        assert_error(logs, 400, "parameter_invalid")

    def test_malformed_json_writes_nothing(self, workspace: Workspace) -> None:
        response = workspace.http.post("/tags", content=b'{"name": "half', headers={"Content-Type": "application/json"})
        body = assert_error(response, 400, "parameter_invalid")
        assert "JSON" in body["errors"][0]["message"]
        assert workspace.http.get("/tags").json()["data"] == []

    def test_missing_body(self, workspace: Workspace) -> None:
        # Where the spec marks the body required; elsewhere no body reads as `{}` (test_http_basics).
        body = assert_error(workspace.http.post("/admins/activity_logs/search"), 400, "parameter_invalid")
        assert body["errors"][0]["message"] == "A JSON request body is required"

    def test_body_nested_past_the_decoder_limit(self, workspace: Workspace) -> None:
        deep = b'{"query":' + b"[" * 5000 + b"]" * 5000 + b"}"
        response = workspace.http.post("/contacts/search", content=deep, headers={"Content-Type": "application/json"})
        assert assert_error(response, 400, "parameter_invalid")["errors"][0]["message"] == (
            "The request body is nested too deeply"
        )

    def test_values_the_database_cannot_hold(self, workspace: Workspace) -> None:
        """An integer beyond 64 bits, or a NUL character (PostgreSQL text cannot hold one): 400, nothing written."""
        nul = workspace.http.post("/companies", json={"company_id": "acme\u0000", "name": "Acme"})
        assert assert_error(nul, 400, "parameter_invalid")
        huge = {
            "message_type": "inapp",
            "body": "hi",
            "from": {"type": "admin", "id": 2**63},
            "to": {"type": "user", "id": "x"},
        }
        assert_error(workspace.http.post("/messages", json=huge), 400, "parameter_invalid")
        assert workspace.http.post("/companies/list").json()["data"] in ([], None)

    def test_missing_field(self, workspace: Workspace) -> None:
        body = assert_error(workspace.http.post("/tags", json={"nam": "x"}), 400, "parameter_not_found")
        assert body["errors"][0]["field"] == "name"
        assert workspace.http.get("/tags").json()["data"] == []

    def test_wrong_field_type(self, workspace: Workspace) -> None:
        body = assert_error(workspace.http.post("/tags", json={"name": 42}), 400, "parameter_invalid")
        assert body["errors"][0]["field"] == "name"

    def test_body_not_an_object(self, workspace: Workspace) -> None:
        assert_error(workspace.http.post("/tags", json=[1, 2]), 400, "parameter_invalid")

    def test_unknown_route(self, server: LiveServer, workspace: Workspace) -> None:
        assert_error(raw(server, "GET", "/no/such/thing", workspace.token), 404, "not_found")

    def test_wrong_method(self, server: LiveServer, workspace: Workspace) -> None:
        assert_error(raw(server, "PATCH", "/tags", workspace.token), 404, "not_found")

    @pytest.mark.parametrize("version", ["9.9", "preview", "2.99"])
    def test_bad_intercom_version(self, server: LiveServer, workspace: Workspace, version: str) -> None:
        response = raw(server, "GET", "/tags", workspace.token, headers={"Intercom-Version": version})
        assert_error(response, 400, "intercom_version_invalid")

    @pytest.mark.parametrize("version", ["2.14", "Preview", "Unstable", "1.0"])
    def test_good_intercom_versions(self, server: LiveServer, workspace: Workspace, version: str) -> None:
        response = raw(server, "GET", "/tags", workspace.token, headers={"Intercom-Version": version})
        assert response.status_code == 200

    def test_sdk_error_is_typed(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.tags.find_tag(id="0")
        assert err.value.status_code == 404


class TestIsolation:
    def test_a_token_sees_only_its_workspace(self, server: LiveServer) -> None:
        alpha, beta = server.new_workspace("alpha"), server.new_workspace("beta")
        tag = alpha.client.unstable.tags.create_tag(request={"name": "secret"})
        assert beta.client.unstable.tags.list_tags().data == []
        with pytest.raises(NotFoundError):
            beta.client.unstable.tags.find_tag(id=tag.id)
        assert_error(beta.http.delete(f"/tags/{tag.id}"), 404, "not_found")
        alpha_admin = alpha.client.unstable.admins.identify_admin()
        with pytest.raises(NotFoundError):
            beta.client.unstable.admins.retrieve_admin(id=int(alpha_admin.id))
        assert [a.id for a in beta.client.unstable.admins.list_admins().admins] != [alpha_admin.id]
        assert alpha.client.unstable.tags.find_tag(id=tag.id).name == "secret"


class TestManagement:
    def test_health_and_ready(self, server: LiveServer) -> None:
        assert httpx.get(f"{server.base_url}/_tidings/v1/health").json() == {"status": "ok"}
        assert httpx.get(f"{server.base_url}/_tidings/v1/ready").status_code == 200

    def test_bootstrap_token_works(self, server: LiveServer) -> None:
        assert raw(server, "GET", "/me", server.bootstrap_token).json()["app"]["name"] == "default"

    def test_revoked_token_stops_at_once(self, server: LiveServer) -> None:
        ws = server.new_workspace()
        with server.management() as mgmt:
            issued = mgmt.post(f"/workspaces/{ws.id}/access_tokens", json={"name": "short-lived"}).json()
            assert issued["type"] == "access_token"
            assert raw(server, "GET", "/tags", issued["token"]).status_code == 200
            assert mgmt.delete(f"/workspaces/{ws.id}/access_tokens/{issued['id']}").status_code == 200
        assert_error(raw(server, "GET", "/tags", issued["token"]), 401, "unauthorized")

    def test_workspaces_are_listed(self, server: LiveServer, workspace: Workspace) -> None:
        listed = management_json(server, "GET", "/workspaces")
        assert listed["type"] == "list"
        assert workspace.id in [w["id"] for w in listed["data"]]

    def test_reset_keeps_admins_and_tokens(self, server: LiveServer, workspace: Workspace) -> None:
        workspace.client.unstable.tags.create_tag(request={"name": "gone"})
        management_json(server, "POST", f"/workspaces/{workspace.id}/reset")
        assert workspace.client.unstable.tags.list_tags().data == []
        assert len(workspace.client.unstable.admins.list_admins().admins) == 1

    def test_unknown_workspace(self, server: LiveServer) -> None:
        with server.management() as mgmt:
            assert_error(mgmt.post("/workspaces/nope/access_tokens", json={"name": "x"}), 404, "not_found")


def test_every_route_is_a_spec_operation() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "coverage_report.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
