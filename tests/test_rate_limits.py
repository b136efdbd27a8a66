"""Intercom's rate limit per workspace: headers on every response, 429 past the window's allowance."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, management_json

WINDOW_SECONDS = 2


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def limited_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Short windows, so that a window's end comes soon; Intercom's are 10 seconds.
    env = {"TIDINGS_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW_SECONDS)}
    live = start_server(request.param, tmp_path_factory.mktemp(f"limits-{request.param}"), extra_env=env)
    yield live
    stop_server(live)


def allowance(response) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    h = response.headers
    return int(h["x-ratelimit-limit"]), int(h["x-ratelimit-remaining"]), int(h["x-ratelimit-reset"])


def test_default_limit_is_intercoms(limited_server: LiveServer) -> None:
    ws = limited_server.new_workspace()
    setting = management_json(limited_server, "GET", f"/workspaces/{ws.id}/rate_limit")
    assert setting["requests_per_minute"] == 10_000
    assert setting["requests_per_window"] == 10_000 * WINDOW_SECONDS // 60 + 1
    limit, remaining, reset = allowance(ws.http.get("/me"))
    assert (limit, remaining) == (setting["requests_per_window"], limit - 1)
    assert reset % WINDOW_SECONDS == 0


def test_past_the_limit_is_429_until_the_window_resets(limited_server: LiveServer) -> None:
    ws = limited_server.new_workspace()
    per_minute = 90  # 3 requests a 2-second window
    management_json(limited_server, "PUT", f"/workspaces/{ws.id}/rate_limit", json={"requests_per_minute": per_minute})
    seen = []
    for _ in range(30):
        response = ws.http.get("/me")
        seen.append((response.status_code, *allowance(response)))
        if response.status_code == 429:
            refused = response.json()
            break
    assert seen[-1][0] == 429, seen
    assert refused["errors"][0] == {"code": "rate_limit_exceeded", "message": "Exceeded rate limit of 3 in 2_seconds"}
    # The window that refused: its requests counted down from the allowance to 0, then 429.
    window = [s for s in seen if s[3] == seen[-1][3]]
    assert [(status, remaining) for status, _, remaining, _ in window] == [(200, 2), (200, 1), (200, 0), (429, 0)]
    assert {limit for _, limit, _, _ in window} == {3}
    reset = seen[-1][3]
    while time.time() < reset:  # waits for the window's end; asserts nothing about time
        time.sleep(0.1)
    again = ws.http.get("/me")
    assert again.status_code == 200
    limit, remaining, next_reset = allowance(again)
    assert (limit, remaining) == (3, 2)
    assert next_reset > reset


def test_workspaces_count_apart_and_zero_is_unlimited(limited_server: LiveServer) -> None:
    busy, other = limited_server.new_workspace(), limited_server.new_workspace()
    management_json(limited_server, "PUT", f"/workspaces/{busy.id}/rate_limit", json={"requests_per_minute": 0})
    for _ in range(5):
        response = busy.http.get("/me")
        assert response.status_code == 200
        assert "x-ratelimit-limit" not in response.headers
    limit, remaining, _ = allowance(other.http.get("/me"))
    assert remaining == limit - 1  # its first request: the other workspace's did not count
    bad = limited_server.management().put(f"/workspaces/{busy.id}/rate_limit", json={"requests_per_minute": -1})
    assert bad.status_code == 400
