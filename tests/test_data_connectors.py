"""Data connectors: CRUD and execution results over HTTP (the SDK has no data connectors), and Fin in
generative mode calling one against a local receiver playing the customer's API."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Receiver
from tests.support.setup import assert_error, setup
from tests.test_fin import configure, events_of, start

ORDER_LOOKUP = {
    "name": "Order status",
    "description": "Looks up where a customer's order is",
    "http_method": "get",
    "direct_fin_usage": True,
    "headers": [{"name": "X-Api-Key", "value": "secret-key-1"}],
    "data_inputs": [{"name": "order_id", "type": "integer", "description": "The order number", "required": True}],
}


@dataclass
class CustomerApi:
    """The customer's API on loopback: answers every GET with an order status, records what it saw."""

    status: int = 200
    seen: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> CustomerApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                api.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
                order = self.path.rstrip("/").rsplit("/", 1)[-1]
                body = json.dumps({"order_id": order, "status": "out for delivery", "eta": "Thursday"}).encode()
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"


def create(workspace: Workspace, **body: Any) -> dict[str, Any]:
    response = workspace.http.post("/data_connectors", json=body)
    assert response.status_code == 201, response.text
    return response.json()


class TestConnectors:
    def test_create_is_a_draft_with_masked_headers(self, workspace: Workspace) -> None:
        created = create(workspace, url="https://api.example.com/orders/{{order_id}}", **ORDER_LOOKUP)
        assert created["state"] == "draft"
        assert created["headers"] == [{"name": "X-Api-Key", "value": "****"}]
        assert created["data_inputs"][0]["default_value"] == ""
        assert created["execution_results_url"] == f"/data_connectors/{created['id']}/execution_results"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["created_at"])
        minimal = create(workspace, name="My Connector")
        assert minimal["direct_fin_usage"] is False
        assert minimal["customer_authentication"] is False
        fetched = workspace.http.get(f"/data_connectors/{created['id']}", params={"state_version": "draft"}).json()
        assert fetched["url"] == "https://api.example.com/orders/{{order_id}}"
        assert "secret-key-1" not in json.dumps(fetched)

    def test_refusals(self, workspace: Workspace) -> None:
        assert_error(workspace.http.post("/data_connectors", json={}), 422, "parameter_not_found", "Name is required")
        bad_audience = workspace.http.post("/data_connectors", json={"name": "x", "audiences": ["admins"]})
        assert_error(
            bad_audience, 422, "parameter_invalid", "Invalid audiences. Must be a subset of: leads, users, visitors"
        )
        connector = create(workspace, name="x")
        patch = workspace.http.patch(f"/data_connectors/{connector['id']}", json={"http_method": "fetch"})
        assert_error(patch, 422, "parameter_invalid", "Http Method isn't an option")
        state = workspace.http.patch(f"/data_connectors/{connector['id']}", json={"state": "on"})
        assert_error(state, 422, "parameter_invalid", "Invalid state. Must be one of: draft, live")
        version = workspace.http.get(f"/data_connectors/{connector['id']}", params={"state_version": "old"})
        assert_error(version, 400, "parameter_invalid")
        assert_error(workspace.http.get("/data_connectors/999999"), 404, "data_connector_not_found")
        # URLs follow the webhook destination policy.
        for url in ("ftp://example.com/x", "https://user:pw@example.com/x"):
            assert_error(
                workspace.http.post("/data_connectors", json={"name": "x", "url": url}), 422, "parameter_invalid"
            )
        assert_error(workspace.http.get("/data_connectors", params={"starting_after": "!!"}), 400, "client_error")

    def test_update_list_and_delete_rules(self, server: LiveServer, workspace: Workspace) -> None:
        first = create(workspace, name="first")
        second = create(workspace, name="second", data_inputs=[{"name": "a", "description": "A"}])
        workspace.control.advance(1.1)  # a later second on the workspace's clock, without waiting for it
        live = workspace.http.patch(
            f"/data_connectors/{first['id']}",
            json={"state": "live", "mock_response": {"order": {"id": 1, "status": "x"}}},
        ).json()
        assert live["state"] == "live"
        assert live["configuration_response_type"] == "mock_response_type"
        assert [f["path"] for f in live["response_fields"]] == ["order.id", "order.status"]
        replaced = workspace.http.patch(f"/data_connectors/{second['id']}", json={"data_inputs": []}).json()
        assert replaced["data_inputs"] == []
        page = workspace.http.get("/data_connectors", params={"per_page": 1}).json()
        assert [c["id"] for c in page["data"]] == [second["id"]]
        rest = workspace.http.get(
            "/data_connectors", params={"starting_after": page["pages"]["next"]["starting_after"]}
        ).json()
        assert [c["id"] for c in rest["data"]] == [first["id"]]
        assert rest["pages"]["next"] is None
        not_draft = workspace.http.delete(f"/data_connectors/{first['id']}")
        assert_error(not_draft, 409, "conflict", "Data connector must be in draft state to be deleted")
        # A workflow that runs the connector keeps it in use.
        setup(
            server,
            workspace,
            "POST",
            "workflows",
            {
                "title": "w",
                "trigger_type": "inbound_conversation",
                "snapshot": {"steps": [{"data_connector_id": first["id"]}]},
            },
        )
        to_draft = workspace.http.patch(f"/data_connectors/{first['id']}", json={"state": "draft"})
        assert_error(to_draft, 409, "data_connector_in_use")
        assert workspace.http.delete(f"/data_connectors/{second['id']}").json() == {
            "id": second["id"],
            "object": "data_connector",
            "deleted": True,
        }
        assert_error(workspace.http.get(f"/data_connectors/{second['id']}"), 404, "data_connector_not_found")

    def test_execution_filters_are_checked(self, workspace: Workspace) -> None:
        connector = create(workspace, name="x")
        url = f"/data_connectors/{connector['id']}/execution_results"
        empty = workspace.http.get(url).json()
        assert empty == {"type": "list", "data": [], "pages": {"type": "pages", "per_page": 10, "next": None}}
        assert_error(workspace.http.get(url, params={"error_type": "oops"}), 400, "parameter_invalid")
        assert_error(
            workspace.http.get(url, params={"start_ts": "yesterday"}),
            400,
            "parameter_invalid",
            "start_ts must be a Unix timestamp (integer)",
        )
        assert_error(workspace.http.get(f"{url}/1"), 404, "execution_result_not_found", "Execution result not found")


# Fin in generative mode with a model that calls tools.
@dataclass
class ToolCallingModel:
    """An OpenAI-compatible stand-in: offered tools, it calls the first with the order number in the
    user's question; asked to answer (streamed), it says what the tool answered."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> ToolCallingModel:
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                model.requests.append(body)
                if body.get("tools"):
                    self.tool_call(body)
                else:
                    self.answer(body)

            def tool_call(self, body: dict[str, Any]) -> None:
                question = body["messages"][-1]["content"]
                call = {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": body["tools"][0]["function"]["name"],
                        "arguments": json.dumps({"order_id": re.search(r"\d+", question)[0]}),
                    },
                }
                message = {"role": "assistant", "content": None, "tool_calls": [call]}
                payload = json.dumps({"choices": [{"index": 0, "message": message}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def answer(self, body: dict[str, Any]) -> None:
                results = [m for m in body["messages"] if m["role"] == "tool"]
                try:
                    found = json.loads(results[-1]["content"])
                    text = f"Your order {found['order_id']} is {found['status']}, arriving {found['eta']}."
                except (IndexError, ValueError):
                    text = "NO_ANSWER"
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                delta = {"choices": [{"index": 0, "delta": {"content": text}}]}
                self.wfile.write(f"data: {json.dumps(delta)}\n\ndata: [DONE]\n\n".encode())
                self.close_connection = True

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def tool_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, ToolCallingModel]]:
    with ToolCallingModel() as model:
        env = {
            "TIDINGS_LLM_BASE_URL": model.base_url,
            "TIDINGS_LLM_MODEL": "stand-in",
            "TIDINGS_LLM_TIMEOUT_SECONDS": "5",
        }
        live = start_server(request.param, Path(tmp_path_factory.mktemp(f"connectors-{request.param}")), extra_env=env)
        try:
            yield live, model
        finally:
            stop_server(live)


def test_fin_calls_the_connector_and_answers_from_it(tool_server: tuple[LiveServer, ToolCallingModel]) -> None:
    live, model = tool_server
    ws = live.new_workspace("connectors")
    with CustomerApi() as api, Receiver() as receiver, Receiver() as hub:
        setup(
            live,
            ws,
            "POST",
            "webhook_subscriptions",
            {"url": hub.url, "topics": ["data_connector.execution.completed"]},
        )
        connector = create(ws, url=api.url + "/orders/{{order_id}}", **ORDER_LOOKUP)
        assert ws.http.patch(f"/data_connectors/{connector['id']}", json={"state": "live"}).status_code == 200
        create(ws, name="Draft, not offered", direct_fin_usage=True, url=api.url + "/never")
        secret = configure(live, ws, webhook_url=receiver.url)["webhook_secret"]
        start(ws, "conv-order", "Where is my order 123?")
        events = events_of(receiver, secret, "conv-order", 2, ws.control)
        topic = "data_connector.execution.completed"
        announced = hub.wait_for(lambda seen: any(r.json.get("topic") == topic for r in seen))
    item = next(r.json for r in announced if r.json.get("topic") == topic)["data"]["item"]
    assert (item["type"], item["action_id"], item["success"], item["http_status"]) == (
        "data_connector.execution",
        connector["id"],
        True,
        200,
    )
    assert [e["event_name"] for e in events] == ["fin_replied", "fin_status_updated"]
    assert "Your order 123 is out for delivery, arriving Thursday." in events[0]["message"]["body"]
    assert [s["path"] for s in api.seen] == ["/orders/123"]
    assert api.seen[0]["headers"]["x-api-key"] == "secret-key-1"
    offered = [r for r in model.requests if r.get("tools")]
    assert [t["function"]["name"] for t in offered[0]["tools"]] == [f"data_connector_{connector['id']}"]
    assert offered[0]["tools"][0]["function"]["parameters"]["properties"]["order_id"]["type"] == "integer"
    listed = ws.http.get(
        f"/data_connectors/{connector['id']}/execution_results", params={"include_request_url": "true"}
    ).json()
    assert len(listed["data"]) == 1
    execution = listed["data"][0]
    assert execution["success"] is True
    assert execution["http_status"] == 200
    assert execution["source_type"] == "fin"
    assert execution["conversation_id"] == "conv-order"
    assert execution["request_url"] == f"{api.url}/orders/123"
    assert "response_body" not in execution
    shown = ws.http.get(f"/data_connectors/{connector['id']}/execution_results/{execution['id']}").json()
    assert json.loads(shown["response_body"])["status"] == "out for delivery"


def test_a_failing_api_is_recorded_and_fin_hands_over(tool_server: tuple[LiveServer, ToolCallingModel]) -> None:
    live, _ = tool_server
    ws = live.new_workspace("connectors-failing")
    with CustomerApi(status=503) as api, Receiver() as receiver:
        connector = create(ws, url=api.url + "/orders/{{order_id}}", **ORDER_LOOKUP)
        ws.http.patch(f"/data_connectors/{connector['id']}", json={"state": "live"})
        secret = configure(live, ws, webhook_url=receiver.url)["webhook_secret"]
        start(ws, "conv-down", "Where is my order 77?")
        events = events_of(receiver, secret, "conv-down", 3, ws.control)
    assert [(e["event_name"], e["status"]) for e in events][1:] == [
        ("fin_status_updated", "escalated"),
        ("fin_status_updated", "complete"),
    ]
    failed = ws.http.get(f"/data_connectors/{connector['id']}/execution_results", params={"success": "false"}).json()
    assert [(e["success"], e["http_status"], e["error_type"]) for e in failed["data"]] == [
        (False, 503, "3rd_party_error")
    ]
