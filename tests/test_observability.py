"""/metrics counts what the server did (across worker processes); every log line is JSON and names
the request id the response carried."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, free_port, management_json
from tests.support.receiver import Receiver
from tests.test_fin import QUESTION, configure, load_content, start

# What `tidings serve` prints on stdout before logging starts (the same file in these tests).
BANNER = ("Created workspace", "Access token:", "Management admin key:", "API reference:", "Metrics:")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ops_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workers = 2 if request.param == "postgresql" else 1
    live = start_server(
        request.param,
        tmp_path_factory.mktemp(f"ops-{request.param}"),
        workers=workers,
        extra_env={"TIDINGS_LOG_LEVEL": "info", "TIDINGS_LOG_FORMAT": "json"},
    )
    yield live
    stop_server(live)


def scrape(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{server.base_url}/metrics", headers={"Authorization": f"Bearer {server.admin_key}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    """The sum over samples of `name` whose labels include `labels` (worker pids aside)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def test_metrics_need_the_admin_key(ops_server: LiveServer) -> None:
    response = httpx.get(f"{ops_server.base_url}/metrics")
    assert response.status_code == 401
    assert response.json()["type"] == "error.list"
    wrong = httpx.get(f"{ops_server.base_url}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_request_counters_and_latency_move_after_calls(ops_server: LiveServer) -> None:
    workspace = ops_server.new_workspace()
    before = scrape(ops_server)
    calls = 12
    for _ in range(calls):
        # A new connection each time, so that both workers answer some of them.
        answer = httpx.get(f"{ops_server.base_url}/me", headers={"Authorization": f"Bearer {workspace.token}"})
        assert answer.status_code == 200
    missing = httpx.get(f"{ops_server.base_url}/contacts/nope", headers={"Authorization": f"Bearer {workspace.token}"})
    assert missing.status_code == 404
    after = scrape(ops_server)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("tidings_http_requests_total", operation_id="identifyAdmin", status="200", method="GET") == calls
    assert moved("tidings_http_request_duration_seconds_count", operation_id="identifyAdmin") == calls
    assert moved("tidings_http_request_duration_seconds_sum", operation_id="identifyAdmin") > 0
    assert moved("tidings_http_requests_total", operation_id="ShowContact", status="404") == 1
    # The scrape-time figures are there: pool use and the delivery queue.
    assert value(after, "tidings_db_pool_connections", state="capacity") > 0
    assert ("tidings_outbox_pending_deliveries", (("due", "true"),)) in after
    assert ("tidings_retrieval_duration_seconds_count", ()) in after


def test_webhook_deliveries_are_counted_with_their_lag(ops_server: LiveServer) -> None:
    workspace = ops_server.new_workspace()
    before = scrape(ops_server)
    with Receiver() as receiver:
        body = {"url": receiver.url, "topics": ["contact.user.created"]}
        management_json(ops_server, "POST", f"/workspaces/{workspace.id}/webhook_subscriptions", json=body)
        receiver.wait_for(lambda seen: len(seen) >= 1)  # the subscription's ping
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = scrape(ops_server)
            if value(after, "tidings_webhook_delivery_attempts_total", outcome="delivered") > value(
                before, "tidings_webhook_delivery_attempts_total", outcome="delivered"
            ):
                break
            time.sleep(0.2)
    delivered = value(after, "tidings_webhook_delivery_lag_seconds_count") - value(
        before, "tidings_webhook_delivery_lag_seconds_count"
    )
    assert delivered >= 1


def log_lines(server: LiveServer) -> list[dict]:
    lines = [line for line in server.log_path.read_text(errors="replace").splitlines() if line.strip()]
    parsed = []
    for line in lines:
        if line.startswith(BANNER):
            continue
        parsed.append(json.loads(line))  # every other line is one JSON object
    return parsed


def test_each_request_logs_one_json_line_with_its_request_id(ops_server: LiveServer) -> None:
    workspace = ops_server.new_workspace()
    answer = httpx.get(f"{ops_server.base_url}/me", headers={"Authorization": f"Bearer {workspace.token}"})
    request_id = answer.headers["x-request-id"]
    denied = httpx.get(f"{ops_server.base_url}/me")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [line for line in log_lines(ops_server) if line.get("request_id") == request_id]
        if found:
            break
        time.sleep(0.1)
    assert len(found) == 1
    line = found[0]
    assert line["message"] == "request"
    assert line["level"] == "info"
    assert line["logger"] == "tidings.request"
    assert line["workspace_id"] == workspace.id
    assert line["operation_id"] == "identifyAdmin"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["path"] == "/me"
    assert line["duration_ms"] >= 0
    assert "time" in line
    refused = [line for line in log_lines(ops_server) if line.get("request_id") == denied.headers["x-request-id"]]
    assert len(refused) == 1
    assert refused[0]["status"] == 401
    assert refused[0]["workspace_id"] is None


def test_background_events_are_logged(ops_server: LiveServer) -> None:
    workspace = ops_server.new_workspace()
    with Receiver() as receiver:
        body = {"url": receiver.url, "topics": ["contact.user.created"]}
        management_json(ops_server, "POST", f"/workspaces/{workspace.id}/webhook_subscriptions", json=body)
        receiver.wait_for(lambda seen: len(seen) >= 1)
    deadline = time.monotonic() + 10
    attempts: list[dict] = []
    while time.monotonic() < deadline and not attempts:
        attempts = [
            line
            for line in log_lines(ops_server)
            if line["message"] == "webhook delivery attempt" and line["workspace_id"] == workspace.id
        ]
        time.sleep(0.1)
    assert attempts, ops_server.log()[-3000:]
    assert attempts[0]["outcome"] == "delivered"
    assert attempts[0]["status_code"] == 200
    assert attempts[0]["topic"] == "ping"
    assert attempts[0]["attempt"] == 1


def test_fin_turns_count_by_outcome_with_retrieval_latency(ops_server: LiveServer) -> None:
    workspace = ops_server.new_workspace("fin")
    load_content(workspace)
    before = scrape(ops_server)
    with Receiver() as receiver:
        configure(ops_server, workspace, webhook_url=receiver.url)
        start(workspace, "ext-metrics", QUESTION)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            after = scrape(ops_server)
            if value(after, "tidings_fin_turns_total", outcome="answered") > value(
                before, "tidings_fin_turns_total", outcome="answered"
            ):
                break
            time.sleep(0.2)
    assert (
        value(after, "tidings_fin_turn_duration_seconds_count", outcome="answered")
        - value(before, "tidings_fin_turn_duration_seconds_count", outcome="answered")
        == 1
    )
    assert value(after, "tidings_retrieval_duration_seconds_count") > value(
        before, "tidings_retrieval_duration_seconds_count"
    )
    turns = [line for line in log_lines(ops_server) if line["message"] == "fin turn"]
    assert any(t["workspace_id"] == workspace.id and t["outcome"] == "answered" for t in turns)


def test_metrics_on_their_own_port(tmp_path: Path) -> None:
    port = free_port()
    server = start_server("sqlite", tmp_path, extra_env={"TIDINGS_METRICS_PORT": str(port)})
    try:
        assert httpx.get(f"{server.base_url}/metrics").status_code == 404
        workspace = server.new_workspace()
        httpx.get(f"{server.base_url}/me", headers={"Authorization": f"Bearer {workspace.token}"})
        page = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert page.status_code == 200
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(page.text)
            for s in family.samples
        }
        assert value(samples, "tidings_http_requests_total", operation_id="identifyAdmin") == 1
    finally:
        stop_server(server)


def test_text_logs_on_a_terminal_format() -> None:
    import logging

    from tidings.observability.logs import JsonFormatter, TextFormatter, logging_config

    record = logging.LogRecord("tidings.request", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"request_id": "abc", "status": 200}
    assert TextFormatter().format(record).endswith("tidings.request: request  request_id=abc status=200")
    assert json.loads(JsonFormatter().format(record))["request_id"] == "abc"
    assert logging_config("debug", "text")["loggers"]["tidings"]["level"] == "DEBUG"
    with pytest.raises(ValueError, match="TIDINGS_LOG_FORMAT"):
        logging_config("info", "xml")
