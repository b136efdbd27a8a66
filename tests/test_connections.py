"""Slow and surplus clients (issue 18, defect 8): a request that is not fully sent within the read
timeout loses its connection, and a process holds at most `TIDINGS_MAX_CONNECTIONS` connections;
requests from other clients are answered meanwhile. (The HTTP layer is the same on both databases.)"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(
        "sqlite",
        tmp_path_factory.mktemp("connections"),
        extra_env={"TIDINGS_REQUEST_READ_TIMEOUT_SECONDS": "1", "TIDINGS_MAX_CONNECTIONS": "20"},
    )
    yield live
    stop_server(live)


def half_sent(server: LiveServer, head: bytes) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    conn.sendall(head)
    return conn


def closed_by_server(conn: socket.socket) -> bool:
    """Whether the server closed the connection (within the socket's 15 s timeout)."""
    try:
        while data := conn.recv(65536):
            if b"HTTP/1.1" in data and b"Connection: close" not in data and b"connection: close" not in data:
                continue
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    finally:
        conn.close()


@pytest.mark.parametrize(
    "head",
    [
        b"GET /_tidings/v1/ready HTTP/1.1\r\nHost: x\r\n",
        b"POST /contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        b"",
    ],
)
def test_a_half_sent_request_is_timed_out(strict_server: LiveServer, head: bytes) -> None:
    slow = [half_sent(strict_server, head) for _ in range(5)]
    assert httpx.get(f"{strict_server.base_url}/_tidings/v1/ready", timeout=10).status_code == 200
    assert all(closed_by_server(conn) for conn in slow)


def test_connections_past_the_limit_are_closed_and_others_still_served(strict_server: LiveServer) -> None:
    held = [half_sent(strict_server, b"GET /_tidings/v1/ready HTTP/1.1\r\n") for _ in range(25)]
    try:
        refused = 0
        for conn in held[20:]:
            conn.settimeout(0.5)
            try:
                refused += conn.recv(1) == b""
            except TimeoutError:
                pass
            except ConnectionResetError:
                refused += 1
        assert refused == 5
    finally:
        for conn in held:
            conn.close()
    assert httpx.get(f"{strict_server.base_url}/_tidings/v1/ready", timeout=10).status_code == 200


def test_the_limits_are_settings(tmp_path: Path) -> None:
    from tidings.config import Settings

    settings = Settings(_env_file=None)
    assert settings.request_read_timeout_seconds > 0
    assert settings.keep_alive_seconds > 0
    assert settings.max_connections > 0


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /contacts?x=" + b"%F2%BD%9A%A9" * 30_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
)
def test_a_request_the_http_layer_cannot_read_gets_the_error_envelope(
    strict_server: LiveServer, request_bytes: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=15) as conn:
        conn.sendall(request_bytes)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)
    assert error["type"] == "error.list"
    assert error["errors"][0]["code"] == "parameter_invalid"
