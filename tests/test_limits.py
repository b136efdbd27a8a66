"""Input bounds and the statement time budget (issue 18, defects 4, 5 and 7), on both databases.

Every input has a bound (docs/areas/limits.md); past it the answer is a 400 in Intercom's envelope
naming the field, before the database sees it, the same on SQLite and PostgreSQL. A statement that
runs past its budget anyway is stopped and answered with a 400 `request_timeout`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import scratch_database
from tests.support.live import Workspace
from tidings.core.errors import to_intercom
from tidings.core.limits import MAX_IN_VALUES, MAX_NAME_LENGTH, MAX_SEARCH_VALUE_LENGTH
from tidings.db.storage import open_storage


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
