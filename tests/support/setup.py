"""Management-API set-up shared by the tests of areas Intercom configures in its web UI."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.live import LiveServer, Workspace


def management(server: LiveServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with server.management() as mgmt:
        return mgmt.request(method, path, **kwargs)


def setup(server: LiveServer, workspace: Workspace, method: str, path: str, body: Any = None) -> Any:
    """A management call on the workspace that must succeed; its JSON answer."""
    response = management(server, method, f"/workspaces/{workspace.id}/{path}", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, code: str, message: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["code"] == code, error
    if message is not None:
        assert error["message"] == message, error
    return error
