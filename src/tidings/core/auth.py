"""Bearer tokens: an Intercom access token resolves to its workspace through a small in-process cache.

Tokens are stored as SHA-256 hashes. The cache keeps a resolved token for a short time so the hot
path costs a dict lookup. Revoking a token drops it from every server process's cache before the
revoke call answers (`core.revocations`: NOTIFY with acknowledgements on PostgreSQL, SQLite's
`data_version` on a shared file); `TOKEN_CACHE_SECONDS` bounds what a process that missed it keeps.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from tidings.core import revocations, scopes
from tidings.core.errors import unauthorized
from tidings.core.tables import access_tokens, workspaces
from tidings.db.storage import Storage

TOKEN_CACHE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Principal:
    workspace_id: str
    token_id: int
    admin_id: int | None
    rate_limit_per_minute: int
    # What the token's scopes allow (tidings.core.scopes); None: everything.
    allowed: frozenset[str] | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "tok_" + secrets.token_urlsafe(32)


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class TokenCache:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._revocations = revocations.revocations_for(storage)
        # Bumped whenever entries are dropped: a load that overlapped it is not cached.
        self._generation = 0
        # Token ids read from the database on every request until then (monotonic time).
        self._suspended: dict[int, float] = {}

    async def start(self) -> None:
        """Hear the revocations of the other server processes (`core.revocations`)."""
        await self._revocations.start(self._suspend)

    async def close(self) -> None:
        await self._revocations.close()

    async def resolve(self, token: str) -> Principal:
        digest = hash_token(token)
        if await self._revocations.changed():
            self._drop_all()
        entry = self._entries.get(digest)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        principal = await self._load(digest)
        if principal is None:
            self._entries.pop(digest, None)
            raise unauthorized()
        if self._cacheable(principal, generation, now):
            self._entries[digest] = (now + TOKEN_CACHE_SECONDS, principal)
        return principal

    def _cacheable(self, principal: Principal, generation: int, now: float) -> bool:
        if generation != self._generation or not self._revocations.healthy:
            return False
        until = self._suspended.get(principal.token_id)
        if until is None:
            return True
        if until > now:
            return False
        del self._suspended[principal.token_id]
        return True

    async def revoking(self, token_id: int) -> None:
        """Before a revocation commits: every process drops the token and reads it afresh for a while."""
        self._suspend(f"t:{token_id}")
        await self._revocations.suspend(f"t:{token_id}")

    def _suspend(self, subject: str) -> None:
        kind, _, value = subject.partition(":")
        if kind == "t" and value.isascii() and value.isdigit():
            self._suspended[int(value)] = time.monotonic() + revocations.SUSPEND_SECONDS
            self.forget_token_id(int(value))

    def _drop_all(self) -> None:
        self._generation += 1
        self._entries.clear()

    async def _load(self, digest: str) -> Principal | None:
        tx = await self._storage.begin(write=False)
        try:
            row = (
                (
                    await tx.execute(
                        select(
                            access_tokens.c.id,
                            access_tokens.c.workspace_id,
                            access_tokens.c.admin_id,
                            access_tokens.c.token_hash,
                            workspaces.c.rate_limit_per_minute,
                            access_tokens.c.scopes,
                        )
                        .join(workspaces, workspaces.c.id == access_tokens.c.workspace_id)
                        .where(access_tokens.c.token_hash == digest, access_tokens.c.revoked.is_(False))
                    )
                )
                .mappings()
                .first()
            )
        finally:
            await tx.rollback()
        if row is None or not hmac.compare_digest(row["token_hash"], digest):
            return None
        return Principal(
            workspace_id=row["workspace_id"],
            token_id=row["id"],
            admin_id=row["admin_id"],
            rate_limit_per_minute=row["rate_limit_per_minute"],
            allowed=scopes.granted(row["scopes"]),
        )

    def forget_token_id(self, token_id: int) -> None:
        self._generation += 1
        for digest, (_, principal) in list(self._entries.items()):
            if principal.token_id == token_id:
                del self._entries[digest]

    def forget_workspace(self, workspace_id: str) -> None:
        """Its settings changed (the rate limit): this process reads them again at once."""
        self._generation += 1
        for digest, (_, principal) in list(self._entries.items()):
            if principal.workspace_id == workspace_id:
                del self._entries[digest]


def check_admin_key(header: str | None, admin_key: str) -> None:
    token = bearer(header)
    if token is None or not hmac.compare_digest(token.encode(), admin_key.encode()):
        raise unauthorized("Admin key invalid")
