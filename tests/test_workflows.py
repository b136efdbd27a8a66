"""Workflow export: a workflow registered through the management API, exported through the official SDK."""

from __future__ import annotations

import re

import pytest
from intercom.unstable.errors import NotFoundError

from tests.support.live import LiveServer, Workspace
from tests.support.setup import assert_error, management, setup

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_export_carries_the_whole_document(server: LiveServer, workspace: Workspace, client) -> None:
    body = {
        "title": "Route billing",
        "description": "Sends billing questions to the billing team",
        "trigger_type": "inbound_conversation",
        "state": "live",
        "target_channels": ["chat"],
        "preferred_devices": ["desktop", "mobile"],
        "targeting": {"predicates": [{"attribute": "role", "value": "user"}]},
        "snapshot": {"steps": [{"type": "assign", "team": "billing"}]},
        "attributes": [{"name": "plan"}],
    }
    created = setup(server, workspace, "POST", "workflows", body)
    exported = client.unstable.workflows.export_workflow(id=created["id"])
    assert exported.export_version == "1.0"
    assert exported.app_id == int(workspace.id, 36)
    assert exported.workflow.title == "Route billing"
    assert exported.workflow.state == "live"
    raw = workspace.http.get(f"/export/workflows/{created['id']}").json()
    assert ISO.fullmatch(raw["exported_at"])
    assert ISO.fullmatch(raw["workflow"]["created_at"])
    assert raw["workflow"]["snapshot"] == body["snapshot"]
    assert raw["workflow"]["targeting"] == body["targeting"]
    assert raw["workflow"]["embedded_rules"] == []
    assert raw["workflow"]["preferred_devices"] == ["desktop", "mobile"]


def test_unknown_and_invalid(server: LiveServer, workspace: Workspace, client) -> None:
    with pytest.raises(NotFoundError):
        client.unstable.workflows.export_workflow(id="12345")
    assert_error(workspace.http.get("/export/workflows/abc"), 404, "not_found", "Workflow not found")
    bad = management(
        server, "POST", f"/workspaces/{workspace.id}/workflows", json={"title": "x", "trigger_type": "t", "state": "on"}
    )
    assert_error(bad, 400, "parameter_invalid")
    other = server.new_workspace("other")
    created = setup(server, other, "POST", "workflows", {"title": "Theirs", "trigger_type": "inbound_conversation"})
    assert_error(workspace.http.get(f"/export/workflows/{created['id']}"), 404, "not_found")
