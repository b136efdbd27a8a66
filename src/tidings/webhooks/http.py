"""A small keep-alive HTTP/1.1 client for webhook POSTs, on asyncio streams and h11.

httpx spends most of a delivery's CPU in its connection pool bookkeeping; webhooks need one
request shape (POST a body, read the status and a capped answer), so this client does only that:
idle connections are kept per origin and reused, h11 frames the exchange (Content-Length,
chunked, close-delimited answers), TLS uses the system's default context. Redirects are not
followed. A reused connection the receiver closed while idle is retried once on a fresh one
(it had not received the request). Callers bound the whole exchange with `asyncio.timeout`.

A new connection goes to the addresses `safety.resolve_destination` resolved and checked against
the private-destination policy, never to a second lookup of the name (DNS rebinding); refused
destinations raise `safety.UnsafeDestination`.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11

from tidings.webhooks.safety import resolve_destination

# Past this much answer the connection is closed rather than drained for reuse.
DRAIN_LIMIT = 256 * 1024
MAX_IDLE_PER_ORIGIN = 32

Origin = tuple[str, str, int]


class SendError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    protocol: h11.Connection

    def close(self) -> None:
        self.writer.close()


class _StaleConnection(Exception):
    """A reused connection failed before any answer: the receiver had closed it while idle."""


class WebhookClient:
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls = ssl.create_default_context()

    async def post(self, url: str, body: bytes, headers: dict[str, str], keep: int) -> Answer:
        """POST `body`; the answer's body is cut to `keep` bytes."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        origin = (parts.scheme, host, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = port == (443 if parts.scheme == "https" else 80)
        host_header = (f"[{host}]" if ":" in host else host) + ("" if default_port else f":{port}")
        request = h11.Request(
            method="POST",
            target=target,
            headers=[("Host", host_header), ("Content-Length", str(len(body))), *headers.items()],
        )
        while (connection := self._take_idle(origin)) is not None:
            try:
                return await self._exchange(origin, connection, request, body, keep, reused=True)
            except _StaleConnection:
                continue
        connection = await self._connect(origin)
        try:
            return await self._exchange(origin, connection, request, body, keep, reused=False)
        except _StaleConnection as exc:
            raise SendError(str(exc.__cause__ or exc)) from None

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if not connection.reader.at_eof() and not connection.writer.is_closing():
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        tls = self._tls if scheme == "https" else None
        failure: Exception | None = None
        for address in await resolve_destination(host, port, self.allow_private):
            try:
                reader, writer = await asyncio.open_connection(
                    address, port, ssl=tls, server_hostname=host if tls else None, limit=DRAIN_LIMIT
                )
            except (OSError, ssl.SSLError) as exc:
                failure = exc
                continue
            return _Connection(reader, writer, h11.Connection(our_role=h11.CLIENT))
        raise SendError(f"cannot connect to {host}:{port}: {failure}")

    async def _exchange(
        self, origin: Origin, connection: _Connection, request: h11.Request, body: bytes, keep: int, reused: bool
    ) -> Answer:
        protocol = connection.protocol
        answered = False
        try:
            for event in (request, h11.Data(data=body), h11.EndOfMessage()):
                connection.writer.write(protocol.send(event) or b"")
            await connection.writer.drain()
            status, headers, kept, total = 0, {}, bytearray(), 0
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    data = await connection.reader.read(65536)
                    if not data and not answered:
                        raise ConnectionResetError("the receiver closed the connection")
                    protocol.receive_data(data)
                elif isinstance(event, h11.InformationalResponse):
                    continue
                elif isinstance(event, h11.Response):
                    answered = True
                    status = event.status_code
                    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in event.headers}
                elif isinstance(event, h11.Data):
                    total += len(event.data)
                    kept.extend(event.data[: max(0, keep - len(kept))])
                    if total > DRAIN_LIMIT:
                        connection.close()
                        return Answer(status, headers, bytes(kept))
                elif isinstance(event, h11.EndOfMessage):
                    self._release(origin, connection)
                    return Answer(status, headers, bytes(kept))
                elif isinstance(event, h11.ConnectionClosed):
                    raise ConnectionResetError("the receiver closed the connection")
        except (OSError, h11.ProtocolError) as exc:
            connection.close()
            if reused and not answered:
                raise _StaleConnection() from exc
            raise SendError(f"{type(exc).__name__}: {exc}") from None
        except BaseException:
            # Timed out or cancelled mid-exchange: the connection's state is unknown.
            connection.close()
            raise

    def _release(self, origin: Origin, connection: _Connection) -> None:
        protocol = connection.protocol
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            idle = self._idle.setdefault(origin, [])
            if len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append(connection)
                return
        connection.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
