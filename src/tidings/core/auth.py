"""Bearer tokens: an Intercom access token resolves to its workspace through a small in-process cache.

Tokens are stored as SHA-256 hashes. The cache keeps a resolved token for a short time so the hot
path costs a dict lookup; revoking a token drops it from this process's cache at once, and other
processes see the revocation within `TOKEN_CACHE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from tidings.core import scopes
from tidings.core.errors import TidingsError, unauthorized
from tidings.core.tables import access_tokens
from tidings.db.storage import Storage

TOKEN_CACHE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Principal:
    workspace_id: str
    token_id: int
    admin_id: int | None
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

    async def resolve(self, token: str) -> Principal:
        digest = hash_token(token)
        entry = self._entries.get(digest)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        principal = await self._load(digest)
        if principal is None:
            self._entries.pop(digest, None)
            raise unauthorized()
        self._entries[digest] = (now + TOKEN_CACHE_SECONDS, principal)
        return principal

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
                            access_tokens.c.scopes,
                        ).where(access_tokens.c.token_hash == digest, access_tokens.c.revoked.is_(False))
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
            allowed=scopes.granted(row["scopes"]),
        )

    def forget_token_id(self, token_id: int) -> None:
        for digest, (_, principal) in list(self._entries.items()):
            if principal.token_id == token_id:
                del self._entries[digest]


def check_admin_key(header: str | None, admin_key: str) -> None:
    token = bearer(header)
    if token is None or not hmac.compare_digest(token.encode(), admin_key.encode()):
        raise TidingsError(401, "unauthorized", "Admin key invalid")
