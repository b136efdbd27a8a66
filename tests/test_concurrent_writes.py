"""Check-then-write under concurrency: requests that race to create the same thing (one identity, one
name, one tagging) end as if they came one after another, on both databases. SQLite serialises its
writers anyway; on PostgreSQL each such write queues on an advisory lock (`UnitOfWork.serialise`).
Before those locks, PostgreSQL let duplicate contacts and ticket types through and answered 500 to
company upserts and company taggings."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.live import Workspace

RACERS = 8


def race(workspace: Workspace, method: str, path: str, body: Callable[[int], dict[str, Any]]) -> list[int]:
    """The statuses of RACERS identical-intent requests sent at once, each on its own connection."""
    headers = {"Authorization": f"Bearer {workspace.token}", "Intercom-Version": "Unstable"}

    def send(index: int) -> int:
        with httpx.Client(base_url=workspace.base_url, headers=headers, timeout=30) as http:
            return http.request(method, path, json=body(index)).status_code

    with ThreadPoolExecutor(RACERS) as pool:
        return sorted(pool.map(send, range(RACERS)))


def test_one_user_per_email_and_one_contact_per_external_id(workspace: Workspace) -> None:
    by_email = race(workspace, "POST", "/contacts", lambda i: {"role": "user", "email": "ada@example.com"})
    by_external_id = race(workspace, "POST", "/contacts", lambda i: {"role": "lead", "external_id": "crm-1"})
    assert by_email == [200] + [409] * (RACERS - 1)
    assert by_external_id == [200] + [409] * (RACERS - 1)
    for field, value in (("email", "ada@example.com"), ("external_id", "crm-1")):
        found = workspace.http.post(
            "/contacts/search", json={"query": {"field": field, "operator": "=", "value": value}}
        )
        assert found.json()["total_count"] == 1


def test_company_upserts_of_one_company_id_create_it_once(workspace: Workspace) -> None:
    statuses = race(workspace, "POST", "/companies", lambda i: {"company_id": "acme", "name": f"Acme {i}"})
    assert statuses == [200] * RACERS
    assert workspace.http.get("/companies", params={"company_id": "acme"}).json()["total_count"] == 1


def test_tagging_one_company_at_once_tags_it_once(workspace: Workspace) -> None:
    company = workspace.http.post("/companies", json={"company_id": "acme", "name": "Acme"}).json()
    statuses = race(workspace, "POST", "/tags", lambda i: {"name": "vip", "companies": [{"id": company["id"]}]})
    assert statuses == [200] * RACERS
    tags = workspace.http.get(f"/companies/{company['id']}").json()["tags"]["tags"]
    assert [tag["name"] for tag in tags] == ["vip"]
    assert [tag["name"] for tag in workspace.http.get("/tags").json()["data"]] == ["vip"]


def test_ticket_type_names_stay_unique(workspace: Workspace) -> None:
    statuses = race(workspace, "POST", "/ticket_types", lambda i: {"name": "Bug", "category": "Customer"})
    assert statuses == [200] + [400] * (RACERS - 1)
    assert [t["name"] for t in workspace.http.get("/ticket_types").json()["data"]] == ["Bug"]


def test_taggings_in_opposite_orders_do_not_deadlock(workspace: Workspace) -> None:
    """Two tags applied at once to the same companies, listed in opposite orders: every request
    succeeds (no lock cycle), and each company ends with both tags once."""
    ids = [
        workspace.http.post("/companies", json={"company_id": f"c{n}", "name": f"C{n}"}).json()["id"] for n in (1, 2)
    ]

    def body(index: int) -> dict[str, Any]:
        order = ids if index % 2 else ids[::-1]
        return {"name": "gold" if index % 4 < 2 else "silver", "companies": [{"id": company} for company in order]}

    assert race(workspace, "POST", "/tags", body) == [200] * RACERS
    for company in ids:
        tags = workspace.http.get(f"/companies/{company}").json()["tags"]["tags"]
        assert sorted(tag["name"] for tag in tags) == ["gold", "silver"]
