"""The delivery HTTP client against raw receivers: answer framings, keep-alive reuse, stale connections."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from tidings.webhooks.http import SendError, WebhookClient

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


async def with_receiver(handler: Handler, work: Callable[[str], Awaitable[None]]) -> None:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await work(f"http://127.0.0.1:{port}/hook?x=1")
    finally:
        server.close()


def test_chunked_and_close_delimited_answers_are_read_and_capped() -> None:
    requests: list[bytes] = []

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await read_request(reader))
        writer.write(b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\nRetry-After: 3\r\n\r\n")
        writer.write(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        await writer.drain()
        requests.append(await read_request(reader))
        writer.write(b"HTTP/1.0 500 Oops\r\n\r\n" + b"x" * 5000)
        writer.close()

    async def work(url: str) -> None:
        client = WebhookClient(allow_private=True)
        first = await client.post(url, b'{"a":1}', {"Content-Type": "application/json"}, keep=8)
        assert (first.status_code, first.body, first.headers["retry-after"]) == (202, b"hello wo", "3")
        # The same connection is reused for the next POST.
        second = await client.post(url, b"{}", {}, keep=1024)
        assert second.status_code == 500
        assert second.body == b"x" * 1024
        await client.aclose()

    asyncio.run(with_receiver(chunked, work))
    assert requests[0].startswith(b"POST /hook?x=1 HTTP/1.1\r\n")
    assert b"\r\nhost: 127.0.0.1:" in requests[0].lower()
    assert requests[0].endswith(b'\r\n\r\n{"a":1}')


def test_a_keep_alive_connection_closed_by_the_receiver_is_replaced() -> None:
    connections: list[int] = []

    async def one_per_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # no Connection: close header: the client finds out on reuse

    async def work(url: str) -> None:
        client = WebhookClient(allow_private=True)
        for _ in range(3):
            answer = await client.post(url, b"{}", {}, keep=10)
            assert (answer.status_code, answer.body) == (200, b"ok")
            await asyncio.sleep(0.05)
        await client.aclose()

    asyncio.run(with_receiver(one_per_connection, work))
    assert len(connections) == 3


def test_refused_connections_are_send_errors() -> None:
    async def work() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(SendError, match="cannot connect"):
            await WebhookClient(allow_private=True).post(f"http://127.0.0.1:{port}/", b"{}", {}, keep=10)

    asyncio.run(work())
