"""`tidings import intercom` copies a seeded workspace from a live tidings into an empty one, through
the source's Intercom API; the copy compares equal object by object (ids and times aside), and a
run stopped half-way continues without duplicates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import scratch_database
from tests.support.live import LiveServer, Workspace, management_json

SRC = Path(__file__).resolve().parents[1] / "src"


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def seed(server: LiveServer, ws: Workspace) -> None:
    http = ws.http
    owner = ok(http.get("/me"))["id"]
    second = management_json(
        server, "POST", f"/workspaces/{ws.id}/admins", json={"name": "Bo Admin", "email": "bo@example.test"}
    )
    management_json(server, "POST", f"/workspaces/{ws.id}/teams", json={"name": "Support", "admin_ids": [int(owner)]})
    ok(http.post("/data_attributes", json={"name": "tier", "model": "contact", "data_type": "string"}))
    ok(http.post("/data_attributes", json={"name": "region", "model": "company", "data_type": "string"}))
    vip = ok(http.post("/tags", json={"name": "vip"}))
    beta = ok(http.post("/tags", json={"name": "beta"}))
    acme = ok(
        http.post(
            "/companies",
            json={"company_id": "acme", "name": "Acme", "plan": "pro", "custom_attributes": {"region": "EU"}},
        )
    )
    ann = ok(
        http.post(
            "/contacts",
            json={
                "role": "user",
                "email": "ann@example.test",
                "external_id": "ann-1",
                "name": "Ann",
                "custom_attributes": {"tier": "gold"},
            },
        )
    )
    ok(http.post("/contacts", json={"role": "lead", "email": "lee@example.test", "name": "Lee"}))
    ok(http.post(f"/contacts/{ann['id']}/companies", json={"id": acme["id"]}))
    ok(http.post(f"/contacts/{ann['id']}/tags", json={"id": vip["id"]}))
    opened = ok(http.post("/conversations", json={"from": {"type": "user", "id": ann["id"]}, "body": "I need help"}))
    conversation = opened["conversation_id"]
    replies = [
        {"message_type": "comment", "type": "admin", "admin_id": owner, "body": "What is wrong?"},
        {"message_type": "note", "type": "admin", "admin_id": second["id"], "body": "Known issue"},
        {"message_type": "comment", "type": "user", "intercom_user_id": ann["id"], "body": "It crashes"},
    ]
    for reply in replies:
        ok(http.post(f"/conversations/{conversation}/reply", json=reply))
    ok(http.post(f"/conversations/{conversation}/tags", json={"id": beta["id"], "admin_id": owner}))
    ok(
        http.post(
            f"/conversations/{conversation}/parts",
            json={"message_type": "close", "type": "admin", "admin_id": owner, "body": "Fixed"},
        )
    )
    bug = ok(http.post("/ticket_types", json={"name": "Bug", "description": "Broken things", "category": "Customer"}))
    ok(
        http.post(
            f"/ticket_types/{bug['id']}/attributes",
            json={"name": "severity", "description": "How bad", "data_type": "string"},
        )
    )
    ticket = ok(
        http.post(
            "/tickets",
            json={
                "ticket_type_id": bug["id"],
                "contacts": [{"id": ann["id"]}],
                "ticket_attributes": {"_default_title_": "Crash", "severity": "high"},
            },
        )
    )
    states = ok(http.get("/ticket_states"))["data"]
    in_progress = next(s for s in states if s["category"] == "in_progress")
    ok(http.put(f"/tickets/{ticket['id']}", json={"ticket_state_id": in_progress["id"], "admin_id": owner}))
    source = ok(http.post("/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://help.test"}))
    ok(
        http.post(
            "/ai/external_pages",
            json={
                "title": "Reset your password",
                "html": "<p>Open Settings, then Security.</p>",
                "url": "https://help.test/reset",
                "source_id": source["id"],
                "external_id": "reset",
                "ai_agent_availability": True,
                "locale": "en",
            },
        )
    )


def snapshot(http: Any) -> dict[str, Any]:
    """Everything the import copies, as the API shows it, without ids and times."""
    admins = {a["id"]: a["email"] for a in ok(http.get("/admins"))["admins"]}
    tag_names = {t["id"]: t["name"] for t in ok(http.get("/tags"))["data"]}
    company_names = {}
    companies = []
    for company in ok(http.get("/companies", params={"per_page": 50}))["data"]:
        company_names[company["id"]] = company["name"]
        plan = (company.get("plan") or {}).get("name")
        companies.append((company["company_id"], company["name"], plan, company["custom_attributes"]))
    emails = {}
    contacts = []
    for contact in ok(http.get("/contacts"))["data"]:
        emails[contact["id"]] = contact["email"]
        tags = sorted(tag_names[t["id"]] for t in ok(http.get(f"/contacts/{contact['id']}/tags"))["data"])
        linked = ok(http.get(f"/contacts/{contact['id']}/companies"))["companies"]
        contacts.append(
            (
                contact["role"],
                contact["email"],
                contact["name"],
                contact["external_id"],
                contact["custom_attributes"],
                tags,
                sorted(company_names[c["id"]] for c in linked),
            )
        )

    def author(who: dict[str, Any]) -> tuple[str, str | None]:
        kind = who["type"]
        return kind, admins.get(who["id"]) if kind == "admin" else emails.get(who["id"])

    conversations = []
    for brief in ok(http.get("/conversations"))["conversations"]:
        full = ok(http.get(f"/conversations/{brief['id']}", params={"display_as": "plaintext"}))
        parts = [
            (p["part_type"], p["body"], author(p["author"]))
            for p in full["conversation_parts"]["conversation_parts"]
            if p["part_type"] in ("comment", "note", "close", "open")
        ]
        conversations.append(
            (
                full["source"]["body"],
                author(full["source"]["author"]),
                full["state"],
                full["created_at"],
                parts,
                sorted(t["name"] for t in full["tags"]["tags"]),
            )
        )
    types = []
    for ticket_type in ok(http.get("/ticket_types"))["data"]:
        attributes = sorted(
            (a["name"], a["data_type"], a["description"])
            for a in ticket_type["ticket_type_attributes"]["ticket_type_attributes"]
        )
        types.append((ticket_type["name"], ticket_type["description"], ticket_type["category"], attributes))
    query = {"query": {"field": "created_at", "operator": ">", "value": "0"}}
    tickets = [
        (
            t["ticket_type"]["name"],
            t["ticket_attributes"],
            t["ticket_state"]["category"],
            t["created_at"],
            sorted(emails[c["id"]] for c in t["contacts"]["contacts"]),
        )
        for t in ok(http.post("/tickets/search", json=query))["tickets"]
    ]
    pages = [
        (p["title"], p["html"], p["url"], p["external_id"], p["ai_agent_availability"], p["locale"])
        for p in ok(http.get("/ai/external_pages"))["data"]
    ]
    attributes = sorted(
        (a["name"], a["model"], a["data_type"])
        for model in ("contact", "company")
        for a in ok(http.get("/data_attributes", params={"model": model}))["data"]
        if a["custom"]
    )
    return {
        "tags": sorted(tag_names.values()),
        "data_attributes": attributes,
        "companies": sorted(companies, key=repr),
        "contacts": sorted(contacts, key=repr),
        "conversations": sorted(conversations, key=repr),
        "ticket_types": sorted(types, key=repr),
        "tickets": sorted(tickets, key=repr),
        "external_pages": sorted(pages),
    }


def tidings(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tidings", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.live
def test_import_round_trips_a_workspace(server: LiveServer, tmp_path: Path) -> None:
    source = server.new_workspace("source")
    seed(server, source)
    with scratch_database(server.dialect, tmp_path) as url:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
            "TIDINGS_DATA_DIR": str(tmp_path),
            "TIDINGS_DATABASE_URL": url if server.dialect == "postgresql" else "",
            "TIDINGS_IMPORT_TOKEN": source.token,
        }
        created = tidings(env, "workspace", "create", "copy")
        target_id = created.split("Workspace: ", 1)[1].split()[0]
        command = ("import", "intercom", "--url", server.base_url, "--workspace", target_id)

        first = tidings(env, *command, "--limit", "5")
        assert "Stopped after 5 new objects" in first
        second = tidings(env, *command)
        assert "Stopped after" not in second
        assert "failed 0" in second
        assert "failed 1" not in second
        assert "contacts: copied 0, already here 0" not in second
        again = tidings(env, *command)
        for line in again.splitlines():
            if ": copied" in line:
                assert ": copied 0," in line, again

        target = LiveServer(
            dialect=server.dialect,
            database_url=url if server.dialect == "postgresql" else "",
            data_dir=tmp_path,
        )
        target.start()
        try:
            token = management_json(target, "POST", f"/workspaces/{target_id}/access_tokens", json={"name": "t"})
            copy = Workspace(id=target_id, token=token["token"], base_url=target.base_url)
            expected, copied = snapshot(source.http), snapshot(copy.http)
            for kind in expected:
                assert expected[kind], f"the seed has {kind}"
                assert copied[kind] == expected[kind], kind
            parts = expected["conversations"][0][4]
            assert [p[0] for p in parts] == ["comment", "note", "comment", "close"]
            # Admins are matched by email, and made when missing.
            source_admins = {a["email"] for a in ok(source.http.get("/admins"))["admins"]}
            copied_admins = {(a["name"], a["email"]) for a in ok(copy.http.get("/admins"))["admins"]}
            assert source_admins <= {email for _, email in copied_admins}
            assert ("Bo Admin", "bo@example.test") in copied_admins
            teams = ok(copy.http.get("/teams"))["teams"]
            assert [t["name"] for t in teams] == ["Support"]
        finally:
            target.stop()
