"""The inbox's own state: teammates' passwords, their sign-in sessions, and one-time sign-in links.

Sessions and links are stored as SHA-256 hashes of their secret (what the cookie or the link
carries), so a database dump signs no one in. Rows die with their admin (`ON DELETE CASCADE`), and
removing an admin deletes them explicitly too: a removed teammate's open sessions end at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, select

from tidings.admins.storage import admins
from tidings.conversations.storage import conversations
from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, BigId, metadata, timestamp_column, workspace_column
from tidings.db.storage import Transaction

inbox_credentials = Table(
    "inbox_credentials",
    metadata,
    Column("admin_id", BigId, ForeignKey("admins.id", ondelete="CASCADE"), primary_key=True),
    workspace_column(),
    # scrypt$n$r$p$salt$hash (hex), see `passwords.py`.
    Column("password_hash", String(255), nullable=False),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)

inbox_sessions = Table(
    "inbox_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    workspace_column(),
    Column("admin_id", BigId, ForeignKey("admins.id", ondelete="CASCADE"), nullable=False),
    # Every form carries this value; a request whose form does not is refused (CSRF).
    Column("csrf_token", String(64), nullable=False),
    timestamp_column("created_at"),
    timestamp_column("expires_at"),
    Index("ix_inbox_sessions_admin", "admin_id"),
    info=KEEP_ON_RESET,
)

inbox_login_links = Table(
    "inbox_login_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    workspace_column(),
    Column("admin_id", BigId, ForeignKey("admins.id", ondelete="CASCADE"), nullable=False),
    timestamp_column("created_at"),
    timestamp_column("expires_at"),
    timestamp_column("used_at", nullable=True),
    Index("ix_inbox_login_links_admin", "admin_id"),
    info=KEEP_ON_RESET,
)

# The sidebar's counts (`queries.sidebar_counts`) read only these columns of the workspace's
# conversations: the index holds them all, so the count reads it instead of the wide rows.
Index(
    "ix_conversations_inbox_counts",
    conversations.c.workspace_id,
    conversations.c.state,
    conversations.c.snoozed_until,
    conversations.c.read,
    conversations.c.priority,
    conversations.c.admin_assignee_id,
    conversations.c.team_assignee_id,
)


# Credentials.
async def find_admin_by_email(tx: Transaction, email: str, workspace_id: str | None = None) -> list[Any]:
    """Admins with this email (case-insensitive), in every workspace unless one is named."""
    stmt = select(admins).where(admins.c.email.ilike(email.strip()))
    if workspace_id is not None:
        stmt = stmt.where(admins.c.workspace_id == workspace_id)
    return list((await tx.execute(stmt.order_by(admins.c.id))).mappings().all())


async def password_hash_of(tx: Transaction, admin_id: int) -> str | None:
    stmt = select(inbox_credentials.c.password_hash).where(inbox_credentials.c.admin_id == admin_id)
    return (await tx.execute(stmt)).scalar()


async def save_password(uow: UnitOfWork, admin_id: int, password_hash: str, now: int) -> None:
    await uow.execute(uow.delete(inbox_credentials).where(inbox_credentials.c.admin_id == admin_id))
    await uow.execute(
        uow.insert(inbox_credentials).values(admin_id=admin_id, password_hash=password_hash, updated_at=now)
    )


# Sessions.
async def insert_session(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(inbox_sessions).values(**values))


async def session_with_admin(tx: Transaction, token_hash: str, now: int) -> Any:
    """The live session of this hash joined with its admin (none once the admin is gone)."""
    stmt = (
        select(
            inbox_sessions.c.workspace_id,
            inbox_sessions.c.admin_id,
            inbox_sessions.c.csrf_token,
            inbox_sessions.c.expires_at,
            admins.c.name.label("admin_name"),
            admins.c.email.label("admin_email"),
        )
        .join(
            admins,
            (admins.c.id == inbox_sessions.c.admin_id) & (admins.c.workspace_id == inbox_sessions.c.workspace_id),
        )
        .where(inbox_sessions.c.token_hash == token_hash, inbox_sessions.c.expires_at > now)
    )
    return (await tx.execute(stmt)).mappings().first()


async def delete_session(tx: Transaction, token_hash: str) -> None:
    await tx.execute(inbox_sessions.delete().where(inbox_sessions.c.token_hash == token_hash))


async def delete_sessions_of(uow: UnitOfWork, admin_id: int) -> None:
    await uow.execute(uow.delete(inbox_sessions).where(inbox_sessions.c.admin_id == admin_id))


async def delete_expired_sessions(tx: Transaction, now: int) -> None:
    await tx.execute(inbox_sessions.delete().where(inbox_sessions.c.expires_at <= now))


# One-time sign-in links.
async def insert_login_link(uow: UnitOfWork, values: dict[str, Any]) -> None:
    await uow.execute(uow.insert(inbox_login_links).values(**values))


async def use_login_link(tx: Transaction, token_hash: str, now: int) -> Any:
    """Mark the link used and return it, only if it was unused and unexpired (one winner if raced)."""
    stmt = (
        inbox_login_links.update()
        .where(
            inbox_login_links.c.token_hash == token_hash,
            inbox_login_links.c.used_at.is_(None),
            inbox_login_links.c.expires_at > now,
        )
        .values(used_at=now)
        .returning(inbox_login_links.c.workspace_id, inbox_login_links.c.admin_id)
    )
    return (await tx.execute(stmt)).mappings().first()


async def forget_admin(uow: UnitOfWork, admin_id: int) -> None:
    """Everything that signs this admin in: sessions, links, the password."""
    for table in (inbox_sessions, inbox_login_links, inbox_credentials):
        await uow.execute(uow.delete(table).where(table.c.admin_id == admin_id))
