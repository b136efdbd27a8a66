"""Raw requests to the live server and the check of an Intercom error body, for the foundation tests."""

from __future__ import annotations

import httpx

from tests.support.contract import check_response
from tests.support.live import LiveServer


def raw(server: LiveServer, method: str, path: str, token: str | None, **kwargs: object) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[arg-type]
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = httpx.request(method, server.base_url + path, headers=headers, timeout=10, **kwargs)  # type: ignore[arg-type]
    check_response(method, path, response.status_code, response.content)
    return response


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error.list"
    assert body["errors"][0]["code"] == code
    assert response.headers["x-request-id"] == body["request_id"]
    return body
