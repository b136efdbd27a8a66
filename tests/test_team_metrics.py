"""GET /teams/{id}/metrics: each member's open, idle and snoozed conversations."""

from __future__ import annotations

import time

from tests.support.live import LiveServer, Workspace, management_json
from tests.test_conversations import open_conversation, seed_contact


def test_members_open_idle_and_snoozed(client, server: LiveServer, workspace: Workspace) -> None:
    me = client.unstable.admins.identify_admin().id
    other = management_json(
        server, "POST", f"/workspaces/{workspace.id}/admins", json={"name": "Bo", "email": "bo@example.com"}
    )["id"]
    team = management_json(
        server,
        "POST",
        f"/workspaces/{workspace.id}/teams",
        json={"name": "Support", "admin_ids": [int(me), int(other)]},
    )
    contact = seed_contact(server, workspace, email="jo@example.com", name="Jo")
    conversations = client.unstable.conversations

    def assigned(created_at: int) -> str:
        conversation_id = open_conversation(client, contact, "Help", created_at=created_at)
        conversations.manage_conversation(
            id=conversation_id,
            request={"message_type": "assignment", "type": "admin", "admin_id": me, "assignee_id": me},
        )
        return conversation_id

    now = int(time.time())
    assigned(now - 7200)  # waiting for two hours: idle
    assigned(now - 60)  # waiting a minute: open, not idle
    snoozed = assigned(now)
    conversations.manage_conversation(
        id=snoozed, request={"message_type": "snoozed", "admin_id": me, "snoozed_until": now + 3600}
    )

    metrics = workspace.http.get(f"/teams/{team['id']}/metrics").json()
    assert metrics["type"] == "team_metric.list"
    by_admin = {m["admin_id"]: (m["open"], m["idle"], m["snoozed"]) for m in metrics["data"]}
    assert by_admin == {me: (2, 1, 1), str(other): (0, 0, 0)}
    # A threshold of three hours makes nothing idle.
    relaxed = workspace.http.get(f"/teams/{team['id']}/metrics", params={"idle_threshold": 10800}).json()
    assert {m["admin_id"]: m["idle"] for m in relaxed["data"]} == {me: 0, str(other): 0}


def test_unknown_team(workspace: Workspace) -> None:
    response = workspace.http.get("/teams/999999/metrics")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "team_not_found"
