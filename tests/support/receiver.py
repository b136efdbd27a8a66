"""A real webhook receiver on a loopback port: records every request, answers as a test decides."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
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

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}/hook"

    def record(self, request: Received) -> tuple[int, float]:
        with self._lock:
            seen = sum(1 for r in self.received if r.headers.get("x-tidings-delivery-id") == request.delivery_id)
            self.received.append(request)
        return self.respond(request, seen)

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
            if condition(seen):
                return seen
            time.sleep(0.05)
        raise AssertionError(f"receiver condition not met within {timeout}s; got {len(self.snapshot())} requests")
