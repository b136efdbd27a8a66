"""How a server process learns that another one revoked a token, without a database read per request.

`core.auth.TokenCache` keeps resolved tokens in memory. Revoking goes through one process; the
others must stop accepting the token by the time the revoke call answers (issue 18, defect 10):

- **PostgreSQL**: every `tidings serve` process LISTENs on `tidings_tokens` with a connection named
  `tidings-tokens`. Before the revoking transaction commits, the revoking process NOTIFYs
  "suspend token N" on that connection and waits until every listening process has answered on
  `tidings_tokens_ack` (at most `ACK_SECONDS`): each has dropped the token and reads it from the
  database for `SUSPEND_SECONDS`, so it sees the revocation as soon as it commits. A cache hit
  costs no database round trip. A process whose listening connection is down caches nothing
  (every request reads its token) until it is back; one that does not answer within `ACK_SECONDS`
  still drops the token within `TOKEN_CACHE_SECONDS` (2 s), the bound in the worst case.
- **SQLite**: the processes share one file. Before using its cache a process asks SQLite's
  `PRAGMA data_version` (no table read; it changes when another connection committed); when it
  changed, a fingerprint of `access_tokens` (count, sum of ids, sum of revoked ids) is read, and
  the cache dropped if that changed. The revocation is seen on the first request after its commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import case, func, select, text

from tidings.core.tables import access_tokens
from tidings.db.storage import Storage

log = logging.getLogger("tidings.auth")

CHANNEL = "tidings_tokens"
ACK_CHANNEL = "tidings_tokens_ack"
APPLICATION_NAME = "tidings-tokens"
ACK_SECONDS = 1.0
# How long a suspended token is read from the database on every request (covers the commit).
SUSPEND_SECONDS = 10.0
RECONNECT_SECONDS = 1.0


class SqliteRevocations:
    """Another process's commit shows in `PRAGMA data_version`; a token change in the fingerprint."""

    healthy = True

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._version: Any = None
        self._fingerprint: Any = None

    async def start(self, _: Callable[[str], None]) -> None:
        self._fingerprint = await self._read_fingerprint()

    async def close(self) -> None:
        return None

    async def changed(self) -> bool:
        """Whether tokens may have changed in the database since the last call."""
        tx = await self._storage.begin(write=False)
        try:
            version = (await tx.execute(text("PRAGMA data_version"))).scalar()
        finally:
            await tx.rollback()
        if version == self._version:
            return False
        self._version = version
        fingerprint = await self._read_fingerprint()
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        return True

    async def _read_fingerprint(self) -> Any:
        tx = await self._storage.begin(write=False)
        try:
            row = (
                await tx.execute(
                    select(
                        func.count(),
                        func.coalesce(func.sum(access_tokens.c.id), 0),
                        func.coalesce(func.sum(case((access_tokens.c.revoked, access_tokens.c.id), else_=0)), 0),
                    )
                )
            ).one()
        finally:
            await tx.rollback()
        return tuple(row)

    async def suspend(self, _: str) -> None:
        # This process drops the token itself; the others see the commit (`changed`).
        return None


class PostgresRevocations:
    """LISTEN/NOTIFY between the server processes, with an acknowledgement from each."""

    def __init__(self, url: str) -> None:
        self._dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._acks: dict[str, int] = {}
        self._acked = asyncio.Condition()
        self._on_suspend: Callable[[str], None] = lambda _: None

    @property
    def healthy(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def start(self, on_suspend: Callable[[str], None]) -> None:
        self._on_suspend = on_suspend
        self._task = asyncio.create_task(self._listen_forever())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self._ready.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    async def changed(self) -> bool:
        return False

    async def _listen_forever(self) -> None:
        import asyncpg

        while True:
            try:
                await self._listen_once(asyncpg)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("token revocation LISTEN connection failed (%s); retrying", exc)
            finally:
                self._conn = None
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self, asyncpg: Any) -> None:
        closed = asyncio.Event()
        conn = await asyncpg.connect(self._dsn, server_settings={"application_name": APPLICATION_NAME})
        conn.add_termination_listener(lambda _: closed.set())
        await conn.add_listener(CHANNEL, self._notified)
        await conn.add_listener(ACK_CHANNEL, self._acknowledged)
        self._conn = conn
        self._ready.set()
        await closed.wait()

    def _notified(self, _: Any, __: int, ___: str, payload: str) -> None:
        subject, _, nonce = payload.rpartition("|")
        self._on_suspend(subject)
        asyncio.get_running_loop().create_task(self._send(ACK_CHANNEL, nonce))

    def _acknowledged(self, _: Any, __: int, ___: str, nonce: str) -> None:
        if nonce in self._acks:
            self._acks[nonce] += 1
            asyncio.get_running_loop().create_task(self._wake_waiters())

    async def _wake_waiters(self) -> None:
        async with self._acked:
            self._acked.notify_all()

    async def _send(self, channel: str, payload: str) -> None:
        async with self._lock:
            if self.healthy:
                with contextlib.suppress(Exception):
                    await self._conn.execute("SELECT pg_notify($1, $2)", channel, payload)

    async def suspend(self, subject: str) -> None:
        """Every listening process drops `subject` ("t:<token id>") and reads it afresh for a while."""
        if not self.healthy:
            return
        nonce = uuid.uuid4().hex
        self._acks[nonce] = 0
        try:
            async with self._lock:
                listeners = await self._conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name = $1",
                    APPLICATION_NAME,
                )
                await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{subject}|{nonce}")
            deadline = time.monotonic() + ACK_SECONDS
            async with self._acked:
                while self._acks[nonce] < listeners:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        log.warning("%s of %s processes acknowledged a token revocation", self._acks[nonce], listeners)
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._acked.wait(), remaining)
        finally:
            self._acks.pop(nonce, None)


def revocations_for(storage: Storage) -> SqliteRevocations | PostgresRevocations:
    if storage.dialect == "postgresql":
        return PostgresRevocations(storage.url)  # type: ignore[attr-defined]
    return SqliteRevocations(storage)
