"""Input bounds and the statement time budget (issue 18, defects 4, 5 and 7), on both databases.

Every input has a bound (docs/areas/limits.md); past it the answer is a 400 in Intercom's envelope
naming the field, before the database sees it, the same on SQLite and PostgreSQL. A statement that
runs past its budget anyway is stopped and answered with a 400 `request_timeout`.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import scratch_database
from tests.support.live import Workspace
from tidings.core.errors import to_intercom
from tidings.core.limits import (
    MAX_ATTRIBUTE_NAME_LENGTH,
    MAX_ATTRIBUTE_VALUE_LENGTH,
    MAX_CUSTOM_ATTRIBUTES,
    MAX_DESCRIPTION_LENGTH,
    MAX_IN_VALUES,
    MAX_NAME_LENGTH,
    MAX_SEARCH_VALUE_LENGTH,
    MAX_TEXT_ATTRIBUTE_LENGTH,
)
from tidings.db.storage import open_storage
from tidings.fin.users import check_attributes
from tidings.uploads.service import MAX_UPLOAD_BYTES


def search(workspace: Workspace, query: Any, resource: str = "contacts") -> Any:
    return workspace.http.post(f"/{resource}/search", json={"query": query})


def assert_invalid(answer: Any, field: str | None = None, code: str = "parameter_invalid") -> dict[str, Any]:
    assert answer.status_code == 400, answer.text[:500]
    body = answer.json()
    assert body["type"] == "error.list"
    error = body["errors"][0]
    assert error["code"] == code
    if field is not None:
        assert error.get("field") == field, error
    return error


@pytest.mark.parametrize("operator", ["~", "!~", "$", "^", "="])
def test_a_search_value_past_the_bound_is_refused(workspace: Workspace, operator: str) -> None:
    at_bound = search(workspace, {"field": "name", "operator": operator, "value": "x" * MAX_SEARCH_VALUE_LENGTH})
    assert at_bound.status_code == 200, at_bound.text[:300]
    error = assert_invalid(
        search(workspace, {"field": "name", "operator": operator, "value": "x" * (MAX_SEARCH_VALUE_LENGTH + 1)}),
        "name",
    )
    assert str(MAX_SEARCH_VALUE_LENGTH) in error["message"]


@pytest.mark.parametrize("size", [MAX_SEARCH_VALUE_LENGTH + 1, 50_001, 1_000_000])
@pytest.mark.parametrize("resource", ["contacts", "conversations", "tickets"])
def test_long_search_values_are_400_on_every_resource(workspace: Workspace, resource: str, size: int) -> None:
    field = {"contacts": "email", "conversations": "source.body", "tickets": "title"}[resource]
    assert_invalid(search(workspace, {"field": field, "operator": "~", "value": "y" * size}, resource), field)


@pytest.mark.parametrize("size", [MAX_IN_VALUES + 1, 32_768, 250_001])
def test_an_in_list_past_the_bound_is_refused(workspace: Workspace, size: int) -> None:
    values = [f"v{i}" for i in range(size)]
    error = assert_invalid(search(workspace, {"field": "email", "operator": "IN", "value": values}), "email")
    assert str(MAX_IN_VALUES) in error["message"]
    at_bound = search(workspace, {"field": "email", "operator": "NIN", "value": values[:MAX_IN_VALUES]})
    assert at_bound.status_code == 200, at_bound.text[:300]


@pytest.mark.parametrize("operator", [{}, [None, None], [], 5, None, {"a": 1}])
def test_an_operator_that_is_not_a_string_is_400(workspace: Workspace, operator: Any) -> None:
    assert_invalid(search(workspace, {"field": "name", "operator": operator, "value": "x"}))
    assert_invalid(search(workspace, {"operator": "AND", "value": [{"field": "name", "operator": operator}]}))


@pytest.mark.parametrize("field", [{}, [], 5, "x" * 10_000])
def test_a_field_that_is_not_a_known_name_is_400(workspace: Workspace, field: Any) -> None:
    answer = search(workspace, {"field": field, "operator": "=", "value": "x"})
    assert answer.status_code == 400, answer.text[:300]
    assert len(answer.text) < 2_000


@pytest.mark.parametrize("sender_id", [{}, 1.5, [], True])
def test_a_message_sender_id_of_the_wrong_type_is_400(workspace: Workspace, sender_id: Any) -> None:
    contact = workspace.http.post("/contacts", json={"email": "to@example.com"}).json()
    answer = workspace.http.post(
        "/messages",
        json={
            "message_type": "inapp",
            "body": "hello",
            "from": {"type": "admin", "id": sender_id},
            "to": {"type": "user", "id": contact["id"]},
        },
    )
    assert_invalid(answer, "from.id")


@pytest.mark.parametrize(("field", "size"), [("name", MAX_NAME_LENGTH + 1), ("name", 5_000_000)])
def test_a_stored_name_past_the_bound_is_refused_the_same_on_both_databases(
    workspace: Workspace, field: str, size: int
) -> None:
    at_bound = workspace.http.post("/contacts", json={"email": "a@example.com", field: "n" * MAX_NAME_LENGTH})
    assert at_bound.status_code == 200, at_bound.text[:300]
    answer = workspace.http.post("/contacts", json={"email": "b@example.com", field: "n" * size})
    error = assert_invalid(answer, field)
    assert str(MAX_NAME_LENGTH) in error["message"]


# ---------------------------------------------------------------- the statement budget

SLOW = {
    # A recursive count SQLite steps through in the VM: the progress handler sees it.
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(30)",
}


async def failure(storage: Any, sql: str, write: bool) -> Exception | None:
    tx = await storage.begin(write=write)
    try:
        await tx.execute(text(sql))
    except Exception as exc:
        return exc
    finally:
        await tx.rollback()
    return None


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("write", [False, True])
def test_a_statement_past_its_budget_is_stopped_with_a_400(dialect: str, write: bool, tmp_path: Path) -> None:
    with scratch_database(dialect, tmp_path) as url:

        async def run() -> Exception:
            storage = open_storage(url, statement_timeout=0.2)
            try:
                stopped = await failure(storage, SLOW[dialect], write)
                # The connection works again afterwards.
                assert await failure(storage, "SELECT 1", write) is None
            finally:
                await storage.close()
            assert stopped is not None, "the slow statement was not stopped"
            return stopped

        exc = asyncio.run(asyncio.wait_for(run(), 20))
    status, items, _ = to_intercom(exc)
    assert status == 400
    assert items[0].code == "request_timeout"


# ---------------------------------------------------------------- Fin attachments


def fin_start_with_file(workspace: Workspace, size: int) -> Any:
    data = base64.b64encode(b"\x89PNG" + bytes(size - 4)).decode()
    body = {
        "conversation_id": f"ext-{size}",
        "message": {"author": "user", "body": "Here is a screenshot", "timestamp": "2026-12-01T12:00:00.000Z"},
        "user": {"id": "user-1"},
        "attachments": [{"type": "file", "name": "shot.png", "content_type": "image/png", "data": data}],
    }
    return workspace.http.post("/fin/start", json=body, timeout=60)


def test_a_fin_attachment_up_to_the_documented_10_mb_fits_in_the_body(workspace: Workspace) -> None:
    answer = fin_start_with_file(workspace, MAX_UPLOAD_BYTES)
    assert answer.status_code == 200, answer.text[:300]
    too_big = fin_start_with_file(workspace, MAX_UPLOAD_BYTES + 1)
    assert_invalid(too_big, "attachments[0].data")


# ---------------------------------------------------------------- custom attribute values (defect 7)

BIO = "bio"


def define_string_attribute(workspace: Workspace, model: str, name: str = BIO) -> None:
    answer = workspace.http.post("/data_attributes", json={"name": name, "model": model, "data_type": "string"})
    assert answer.status_code == 200, answer.text[:300]


@pytest.mark.parametrize("size", [MAX_ATTRIBUTE_VALUE_LENGTH + 1, 1_000_000])
def test_a_contact_custom_attribute_string_past_the_bound_is_refused_and_nothing_changes(
    workspace: Workspace, size: int
) -> None:
    define_string_attribute(workspace, "contact")
    at_bound = "b" * MAX_ATTRIBUTE_VALUE_LENGTH
    created = workspace.http.post("/contacts", json={"email": "c@example.com", "custom_attributes": {BIO: at_bound}})
    assert created.status_code == 200, created.text[:300]
    contact = created.json()
    assert contact["custom_attributes"][BIO] == at_bound

    error = assert_invalid(
        workspace.http.post("/contacts", json={"email": "d@example.com", "custom_attributes": {BIO: "x" * size}}),
        f"custom_attributes.{BIO}",
    )
    assert str(MAX_ATTRIBUTE_VALUE_LENGTH) in error["message"]
    assert_invalid(
        workspace.http.put(
            f"/contacts/{contact['id']}", json={"name": "Renamed", "custom_attributes": {BIO: "x" * size}}
        ),
        f"custom_attributes.{BIO}",
    )
    # Nothing changed: no second contact, the first one as it was.
    found = search(workspace, {"field": "email", "operator": "=", "value": "d@example.com"}).json()
    assert found["total_count"] == 0
    again = workspace.http.get(f"/contacts/{contact['id']}").json()
    assert again["custom_attributes"][BIO] == at_bound
    assert again["name"] is None


@pytest.mark.parametrize("size", [MAX_ATTRIBUTE_VALUE_LENGTH + 1, 1_000_000])
def test_a_company_custom_attribute_string_past_the_bound_is_refused_and_nothing_changes(
    workspace: Workspace, size: int
) -> None:
    define_string_attribute(workspace, "company")
    at_bound = "b" * MAX_ATTRIBUTE_VALUE_LENGTH
    created = workspace.http.post("/companies", json={"company_id": "acme", "custom_attributes": {BIO: at_bound}})
    assert created.status_code == 200, created.text[:300]
    error = assert_invalid(
        workspace.http.post(
            "/companies", json={"company_id": "acme", "name": "Acme", "custom_attributes": {BIO: "x" * size}}
        ),
        f"custom_attributes.{BIO}",
    )
    assert str(MAX_ATTRIBUTE_VALUE_LENGTH) in error["message"]
    again = workspace.http.get(f"/companies/{created.json()['id']}").json()
    assert again["custom_attributes"][BIO] == at_bound
    assert again["name"] != "Acme"


def new_conversation(workspace: Workspace) -> str:
    contact = workspace.http.post("/contacts", json={"email": "talker@example.com"}).json()
    message = workspace.http.post("/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "hi"})
    assert message.status_code == 200, message.text[:300]
    return str(message.json()["conversation_id"])


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"topic": "x" * (MAX_ATTRIBUTE_VALUE_LENGTH + 1)}, "custom_attributes.topic"),
        ({"topic": "x" * 1_000_000}, "custom_attributes.topic"),
        ({"t" * (MAX_ATTRIBUTE_NAME_LENGTH + 1): "x"}, "custom_attributes"),
        ({f"a{i}": i for i in range(MAX_CUSTOM_ATTRIBUTES + 1)}, "custom_attributes"),
    ],
    ids=["value-256", "value-1M", "long-name", "too-many"],
)
def test_conversation_custom_attributes_past_their_bounds_are_refused_and_nothing_changes(
    workspace: Workspace, attributes: dict[str, Any], field: str
) -> None:
    conversation_id = new_conversation(workspace)
    at_bound = {"topic": "b" * MAX_ATTRIBUTE_VALUE_LENGTH, "t" * MAX_ATTRIBUTE_NAME_LENGTH: 1}
    ok = workspace.http.put(f"/conversations/{conversation_id}", json={"custom_attributes": at_bound})
    assert ok.status_code == 200, ok.text[:300]
    before = workspace.http.get(f"/conversations/{conversation_id}").json()
    answer = workspace.http.put(
        f"/conversations/{conversation_id}", json={"title": "Changed", "custom_attributes": attributes}
    )
    assert_invalid(answer, field)
    after = workspace.http.get(f"/conversations/{conversation_id}").json()
    assert after["custom_attributes"] == before["custom_attributes"] == at_bound
    assert after["title"] == before["title"]
    assert len(after["conversation_parts"]["conversation_parts"]) == len(
        before["conversation_parts"]["conversation_parts"]
    )


def test_a_ticket_string_attribute_past_the_bound_is_refused_and_no_ticket_is_made(workspace: Workspace) -> None:
    ticket_type = workspace.http.post("/ticket_types", json={"name": "Bug", "category": "Customer"}).json()
    made = workspace.http.post(
        f"/ticket_types/{ticket_type['id']}/attributes",
        json={"name": "steps", "description": "How to reproduce", "data_type": "string", "multiline": True},
    )
    assert made.status_code == 200, made.text[:300]
    contact = workspace.http.post("/contacts", json={"email": "reporter@example.com"}).json()

    def create(value: str) -> Any:
        body = {
            "ticket_type_id": ticket_type["id"],
            "contacts": [{"id": contact["id"]}],
            "ticket_attributes": {"steps": value},
        }
        return workspace.http.post("/tickets", json=body)

    ok = create("s" * MAX_TEXT_ATTRIBUTE_LENGTH)
    assert ok.status_code == 200, ok.text[:300]
    error = assert_invalid(create("s" * (MAX_TEXT_ATTRIBUTE_LENGTH + 1)), "steps")
    assert str(MAX_TEXT_ATTRIBUTE_LENGTH) in error["message"]
    assert_invalid(
        workspace.http.put(f"/tickets/{ok.json()['id']}", json={"ticket_attributes": {"steps": "s" * 1_000_000}}),
        "steps",
    )
    found = workspace.http.post(
        "/tickets/search", json={"query": {"field": "ticket_type_id", "operator": "=", "value": ticket_type["id"]}}
    )
    assert found.json()["total_count"] == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/ticket_types", {"name": "n" * (MAX_NAME_LENGTH + 1)}, "name"),
        ("/ticket_types", {"name": "Bug", "description": "d" * (MAX_DESCRIPTION_LENGTH + 1)}, "description"),
        (
            "/data_attributes",
            {"name": "n" * (MAX_ATTRIBUTE_NAME_LENGTH + 1), "model": "contact", "data_type": "string"},
            "name",
        ),
        (
            "/data_attributes",
            {
                "name": "plan",
                "model": "contact",
                "data_type": "string",
                "description": "d" * (MAX_DESCRIPTION_LENGTH + 1),
            },
            "description",
        ),
    ],
    ids=["ticket-type-name", "ticket-type-description", "data-attribute-name", "data-attribute-description"],
)
def test_names_and_descriptions_of_attributes_and_types_are_bounded(
    workspace: Workspace, path: str, body: dict[str, Any], field: str
) -> None:
    before = workspace.http.get(path).json()
    assert_invalid(workspace.http.post(path, json=body), field)
    assert workspace.http.get(path).json() == before


def test_a_ticket_type_attribute_name_and_description_are_bounded(workspace: Workspace) -> None:
    ticket_type = workspace.http.post("/ticket_types", json={"name": "Bug", "category": "Customer"}).json()
    path = f"/ticket_types/{ticket_type['id']}/attributes"
    long_name = {"name": "n" * (MAX_ATTRIBUTE_NAME_LENGTH + 1), "description": "x", "data_type": "string"}
    assert_invalid(workspace.http.post(path, json=long_name), "name")
    long_text = {"name": "steps", "description": "d" * (MAX_DESCRIPTION_LENGTH + 1), "data_type": "string"}
    assert_invalid(workspace.http.post(path, json=long_text), "description")
    attributes = workspace.http.get(f"/ticket_types/{ticket_type['id']}").json()["ticket_type_attributes"]
    assert "steps" not in [a["name"] for a in attributes["data"]]


def test_a_fin_user_attribute_past_the_bound_is_reported_not_stored() -> None:
    accepted, errors = check_attributes({"plan": "p" * MAX_ATTRIBUTE_VALUE_LENGTH, "bio": "x" * 1_000_000}, "User")
    assert accepted == {"plan": "p" * MAX_ATTRIBUTE_VALUE_LENGTH}
    assert str(MAX_ATTRIBUTE_VALUE_LENGTH) in errors["bio"]
