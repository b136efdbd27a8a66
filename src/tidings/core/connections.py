"""uvicorn's HTTP protocol with the two bounds it lacks (docs/areas/limits.md):

- a request must arrive whole (head and body) within `request_read_timeout_seconds` of the
  connection opening or of the previous answer; a client that stops half-way loses its connection
  (uvicorn's keep-alive timeout only covers a connection idle between requests);
- a process holds at most `max_connections` connections; one past that is closed at once, before
  anything is read, so the ones being served keep their share.

A request the HTTP parser cannot read (a request line or header past its size limit, not HTTP)
gets Intercom's error envelope rather than uvicorn's plain-text 400.

`tidings serve` passes `TimedHttpProtocol` as uvicorn's `http` class, with `keep_alive_seconds`
as its keep-alive timeout.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tidings.config import Settings
from tidings.core.request_id import new_request_id


@cache
def _bounds() -> tuple[float, int]:
    settings = Settings()
    return settings.request_read_timeout_seconds, settings.max_connections


class TimedHttpProtocol(HttpToolsProtocol):
    _read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > _bounds()[1]:
            transport.close()
            return
        self._arm_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_timer()
        super().connection_lost(exc)

    def on_message_complete(self) -> None:
        self._cancel_read_timer()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_read_timer()

    def _arm_read_timer(self) -> None:
        self._cancel_read_timer()
        self._read_timer = self.loop.call_later(_bounds()[0], self._read_timed_out)

    def _cancel_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        error = {"code": "parameter_invalid", "message": "The request cannot be read as HTTP (too long or malformed)"}
        body = json.dumps({"type": "error.list", "request_id": new_request_id(), "errors": [error]}).encode()
        head = (
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head + body)
        self.transport.close()
