"""Access token scopes (issue 18, defect 6), on both databases: a token does what its scopes allow,
answers 403 `forbidden` naming the missing scope otherwise, and unknown scopes are refused when the
token is created. A token created without scopes has full access."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.live import LiveServer, Workspace, validating_hooks


def token(server: LiveServer, workspace: Workspace, scopes: Any) -> httpx.Response:
    body = {"name": "scoped"} if scopes is None else {"name": "scoped", "scopes": scopes}
    with server.management() as mgmt:
        return mgmt.post(f"/workspaces/{workspace.id}/access_tokens", json=body)


def client(server: LiveServer, workspace: Workspace, scopes: Any) -> httpx.Client:
    issued = token(server, workspace, scopes)
    assert issued.status_code == 201, issued.text
    return httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {issued.json()['token']}", "Intercom-Version": "Unstable"},
        event_hooks=validating_hooks(),
        timeout=30,
    )


def assert_forbidden(answer: httpx.Response, scope: str) -> None:
    assert answer.status_code == 403, answer.text
    error = answer.json()["errors"][0]
    assert error["code"] == "forbidden"
    assert error["message"] == f"You do not have the required scope ({scope}) to access this resource"


@pytest.mark.parametrize("scopes", [["read_only_nonexistent_scope"], ["read_contacts", "write_everything"], [""], [5]])
def test_unknown_scopes_are_refused_when_a_token_is_created(
    server: LiveServer, workspace: Workspace, scopes: list[Any]
) -> None:
    answer = token(server, workspace, scopes)
    assert answer.status_code == 400, answer.text
    error = answer.json()["errors"][0]
    assert error["code"] == "parameter_invalid"
    assert error["field"] == "scopes"


def test_a_read_only_token_reads_and_cannot_write(server: LiveServer, workspace: Workspace) -> None:
    created = workspace.http.post("/contacts", json={"email": "seen@example.com"}).json()
    with client(server, workspace, ["read_contacts"]) as reader:
        assert reader.get("/contacts").status_code == 200
        assert reader.get(f"/contacts/{created['id']}").status_code == 200
        search = reader.post("/contacts/search", json={"query": {"field": "email", "operator": "=", "value": "x"}})
        assert search.status_code == 200, search.text
        assert_forbidden(reader.post("/contacts", json={"email": "new@example.com"}), "write_contacts")
        assert_forbidden(reader.delete(f"/contacts/{created['id']}"), "write_contacts")
        assert_forbidden(reader.get("/conversations"), "read_conversations")
        assert_forbidden(reader.get("/tickets/1"), "read_tickets")
    # Nothing was written.
    assert [c["email"] for c in workspace.http.get("/contacts").json()["data"]] == ["seen@example.com"]


def test_a_write_scope_covers_its_area_only(server: LiveServer, workspace: Workspace) -> None:
    """The Fin Agent API key's single scope: write_conversations covers /fin/start and /fin/reply."""
    with client(server, workspace, ["write_conversations"]) as writer:
        started = writer.post(
            "/fin/start", json={"conversation_id": "ext-1", "message": {"author": "user", "body": "hi"}, "user": {}}
        )
        assert started.status_code != 403, started.text
        assert_forbidden(writer.get("/conversations"), "read_conversations")
        assert_forbidden(writer.post("/contacts", json={"email": "w@example.com"}), "write_contacts")
        assert_forbidden(writer.post("/tags", json={"name": "t"}), "write_tags")


@pytest.mark.parametrize("scopes", [None, [], ["all"]])
def test_no_scopes_means_full_access(server: LiveServer, workspace: Workspace, scopes: Any) -> None:
    with client(server, workspace, scopes) as full:
        assert full.post("/contacts", json={"email": f"full{len(scopes or [])}@example.com"}).status_code == 200
        assert full.get("/conversations").status_code == 200
        assert full.post("/tags", json={"name": "t"}).status_code == 200


def test_every_path_of_the_spec_belongs_to_an_area() -> None:
    """A new area whose paths no scope covers would be reachable by full-access tokens only."""
    from tests.support.contract import spec
    from tidings.core import scopes

    unclaimed = sorted({path for path in spec()["paths"] if scopes.required("GET", path) is None})
    assert unclaimed == []
