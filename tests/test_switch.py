"""Switch: a phone caller gets a Messenger link; custom attributes land on the caller's contact."""

from __future__ import annotations

import httpx

from tests.support.live import LiveServer, Workspace
from tests.support.setup import setup


def raw_post(workspace: Workspace, body: dict) -> httpx.Response:
    """Without the contract hook: Switch's errors are not Intercom's error.list (checked here by hand)."""
    headers = {"Authorization": f"Bearer {workspace.token}", "Intercom-Version": "Unstable"}
    return httpx.post(f"{workspace.base_url}/phone_call_redirects", json=body, headers=headers)


def define_attribute(workspace: Workspace, name: str) -> None:
    body = {"name": name, "model": "contact", "data_type": "string"}
    assert workspace.http.post("/data_attributes", json=body).status_code == 200


def test_switch_makes_a_lead_and_sets_its_attributes(server: LiveServer, workspace: Workspace, client) -> None:
    define_attribute(workspace, "issue_type")
    switched = client.unstable.switch.create_phone_switch(
        request={"phone": "+353832345678", "custom_attributes": {"issue_type": "Billing"}}
    )
    assert switched.type == "phone_call_redirect"
    assert switched.phone == "+353832345678"
    raw = workspace.http.post("/phone_call_redirects", json={"phone": "+353832345678"}).json()
    assert raw["url"].startswith(f"{server.base_url}/_tidings/messenger/")
    found = workspace.http.post(
        "/contacts/search", json={"query": {"field": "phone", "operator": "=", "value": "+353832345678"}}
    ).json()
    assert [(c["role"], c["custom_attributes"]) for c in found["data"]] == [("lead", {"issue_type": "Billing"})]
    sent = setup(server, workspace, "GET", "phone_call_redirects")["data"]
    assert [r["url"] for r in sent][0] == raw["url"]
    assert len(sent) == 2
    assert {r["contact_id"] for r in sent} == {found["data"][0]["id"]}


def test_existing_contact_with_the_number_gets_the_attributes(workspace: Workspace) -> None:
    define_attribute(workspace, "priority")
    user = workspace.http.post(
        "/contacts", json={"role": "user", "email": "a@example.com", "phone": "+15551230000"}
    ).json()
    assert raw_post(workspace, {"phone": "+15551230000", "custom_attributes": {"priority": "High"}}).status_code == 200
    assert workspace.http.get(f"/contacts/{user['id']}").json()["custom_attributes"] == {"priority": "High"}


def test_refusals_use_switchs_own_shape(workspace: Workspace) -> None:
    bad = raw_post(workspace, {"phone": "0832345678"})
    assert bad.status_code == 400
    assert bad.json() == {"error_key": "invalid_phone_number", "message": "Invalid phone number"}
    assert raw_post(workspace, {}).json()["error_key"] == "invalid_phone_number"
    unknown = raw_post(workspace, {"phone": "+353832345678", "custom_attributes": {"nope": 1}})
    assert unknown.status_code == 422
    assert unknown.json()["error_key"] == "invalid_custom_attributes"
    # Refused requests change nothing.
    none = workspace.http.post(
        "/contacts/search", json={"query": {"field": "phone", "operator": "=", "value": "+353832345678"}}
    )
    assert none.json()["data"] == []
