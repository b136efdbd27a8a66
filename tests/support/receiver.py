"""A real webhook receiver on a loopback port: records every request, answers as a test decides."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.contract import ContractError, check_webhook_item


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def delivery_id(self) -> str:
        return self.headers["x-tidings-delivery-id"]


# Given the request and how many times this delivery id was seen before it: (status, seconds to wait first).
Responder = Callable[[Received, int], tuple[int, float]]


def always_ok(_: Received, __: int) -> tuple[int, float]:
    return 200, 0.0


@dataclass
class Receiver:
    respond: Responder = always_ok
    # Loopback unless a test runs it on another address of a namespace's `lo`.
    host: str = "127.0.0.1"
    received: list[Received] = field(default_factory=list)
    # Whether notification items are checked against their object's GET shape: off only where a
    # test records synthetic events to exercise delivery (test_webhooks).
    check_items: bool = True
    # Webhook items that do not have their object's shape; raised when the test looks or ends.
    contract_errors: list[ContractError] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-body: a real receiver never sees this request
                request = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time())
                status, delay = receiver.record(request)
                if delay:
                    time.sleep(delay)
                answer = b'{"ok":true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender died mid-request: what the crash tests do on purpose

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.raise_contract_errors()

    def raise_contract_errors(self) -> None:
        if self.contract_errors:
            raise self.contract_errors[0]

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}/hook"

    def record(self, request: Received) -> tuple[int, float]:
        self._check_item(request)
        with self._lock:
            seen = sum(1 for r in self.received if r.headers.get("x-tidings-delivery-id") == request.delivery_id)
            self.received.append(request)
        return self.respond(request, seen)

    def _check_item(self, request: Received) -> None:
        if not self.check_items:
            return
        try:
            event = json.loads(request.body)
        except ValueError:
            return
        if not isinstance(event, dict) or event.get("type") != "notification_event":
            return
        try:
            check_webhook_item(event.get("topic", ""), (event.get("data") or {}).get("item"))
        except ContractError as exc:
            with self._lock:
                self.contract_errors.append(exc)

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def unique(self) -> dict[str, Received]:
        """What a de-duplicating receiver keeps: the first request per delivery id."""
        kept: dict[str, Received] = {}
        for request in self.snapshot():
            kept.setdefault(request.delivery_id, request)
        return kept

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.snapshot()
            self.raise_contract_errors()
            if condition(seen):
                return seen
            time.sleep(0.05)
        raise AssertionError(f"receiver condition not met within {timeout}s; got {len(self.snapshot())} requests")
