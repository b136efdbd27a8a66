"""Teammates' sign-in: passwords, one-time links, server-side sessions and their CSRF tokens.

A session is a random secret in an `HttpOnly`, `SameSite=Lax` cookie; the database keeps its hash,
its admin, its expiry and the CSRF token every form of that session must carry. Each request reads
the session joined with its admin, so a removed admin (whose rows are deleted) is signed out at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from tidings.core import clock
from tidings.core.errors import FORBIDDEN, invalid
from tidings.core.uow import UnitOfWork
from tidings.db.storage import Storage, Transaction
from tidings.inbox import storage
from tidings.inbox.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, verify_password

SESSION_COOKIE = "tidings_inbox_session"
# Before sign-in there is no session: the sign-in form's CSRF token is a double-submit cookie.
LOGIN_CSRF_COOKIE = "tidings_inbox_login_csrf"


@dataclass(frozen=True, slots=True)
class InboxSession:
    token_hash: str
    workspace_id: str
    admin_id: int
    admin_name: str
    admin_email: str
    csrf_token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_csrf(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise FORBIDDEN("The form's CSRF token is missing or wrong: reload the page")


async def set_password(uow: UnitOfWork, admin_id: int, password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise invalid(f"password must be {MIN_LENGTH} to {MAX_LENGTH} characters", "password")
    await storage.save_password(uow, admin_id, hash_password(password), clock.now())


async def issue_login_link(uow: UnitOfWork, admin_id: int, base_url: str, minutes: int) -> str:
    """A URL that signs the admin in once, within `minutes`."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    await storage.insert_login_link(
        uow, {"token_hash": _digest(secret), "admin_id": admin_id, "created_at": now, "expires_at": now + minutes * 60}
    )
    return f"{base_url.rstrip('/')}/inbox/login/{secret}"


async def password_sign_in(tx: Transaction, email: str, password: str) -> tuple[str, int] | None:
    """(workspace id, admin id) of the admin with this email whose password this is."""
    candidates = await storage.find_admin_by_email(tx, email) if email.strip() else []
    for admin in candidates:
        if verify_password(password, await storage.password_hash_of(tx, int(admin["id"]))):
            return admin["workspace_id"], int(admin["id"])
    if not candidates:
        verify_password(password, None)
    return None


async def link_sign_in(tx: Transaction, secret: str) -> tuple[str, int] | None:
    row = await storage.use_login_link(tx, _digest(secret), clock.now())
    return (row["workspace_id"], int(row["admin_id"])) if row else None


async def open_session(tx: Transaction, workspace_id: str, admin_id: int, hours: int) -> str:
    """A new session; returns the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    await storage.delete_expired_sessions(tx, now)
    uow = UnitOfWork(tx=tx, workspace_id=workspace_id, admin_id=admin_id)
    await storage.insert_session(
        uow,
        {
            "token_hash": _digest(secret),
            "admin_id": admin_id,
            "csrf_token": secrets.token_urlsafe(24),
            "created_at": now,
            "expires_at": now + hours * 3600,
        },
    )
    return secret


async def resolve_session(storage_: Storage, secret: str | None) -> InboxSession | None:
    if not secret:
        return None
    tx = await storage_.begin(write=False)
    try:
        return await session_in(tx, secret)
    finally:
        await tx.rollback()


async def session_in(tx: Transaction, secret: str | None) -> InboxSession | None:
    """The live session of this cookie's secret, read in the caller's transaction."""
    if not secret:
        return None
    token_hash = _digest(secret)
    row = await storage.session_with_admin(tx, token_hash, clock.now())
    if row is None:
        return None
    return InboxSession(
        token_hash=token_hash,
        workspace_id=row["workspace_id"],
        admin_id=int(row["admin_id"]),
        admin_name=row["admin_name"],
        admin_email=row["admin_email"],
        csrf_token=row["csrf_token"],
    )


async def close_session(tx: Transaction, session: InboxSession) -> None:
    await storage.delete_session(tx, session.token_hash)
