"""Fin Agent API state: per-workspace settings, Fin conversations, their messages, and the job queue.

A Fin conversation is keyed by (workspace, the caller's `conversation_id`). Every user message
that needs an answer leaves a row in `fin_jobs` in the request's own transaction, so the work
survives a restart: the runner claims jobs with a lease, and a job whose lease ran out (its
process died mid-thinking) is claimed again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import KEEP_ON_RESET, JsonType, id_column, metadata, timestamp_column, workspace_column
from tidings.db.storage import Transaction

# Job states.
PENDING = "pending"
RUNNING = "running"
DONE = "done"

fin_settings = Table(
    "fin_settings",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("webhook_url", String(2048), nullable=True),
    Column("webhook_secret", String(255), nullable=False),
    Column("sse_enabled", Boolean, nullable=False, default=True),
    Column("streaming", Boolean, nullable=False, default=False),
    # [{"name"?, "keywords": [..]} | {"name"?, "attribute", "operator", "value"?}]: see fin.rules.
    Column("escalation_rules", JsonType, nullable=False),
    # A user silent this long after Fin's reply is asked if they need more; as long again, and Fin's
    # part ends (`complete`). 0 turns it off.
    Column("inactivity_timeout_seconds", Integer, nullable=False, server_default="600"),
    Column("inactivity_message", Text, nullable=True),
    timestamp_column("updated_at"),
    info=KEEP_ON_RESET,
)

fin_conversations = Table(
    "fin_conversations",
    metadata,
    id_column(),
    workspace_column(),
    Column("conversation_id", String(255), nullable=False),
    Column("contact_id", String(24), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("status", String(32), nullable=False),
    # Answers the user said did not help, in a row: the second one escalates.
    Column("unhelpful_count", Integer, nullable=False, default=0),
    Column("attributes", JsonType, nullable=False),
    # The Intercom conversation a hand-over created, so a later hand-over updates it.
    Column("intercom_conversation_id", String(32), nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    # When Fin asked a silent user whether they need anything else; cleared by the user's next message.
    Column("nudged_at", BigInteger, nullable=True),
    UniqueConstraint("workspace_id", "conversation_id", name="uq_fin_conversations_workspace_conversation"),
    # The inactivity sweep reads conversations waiting on their user, oldest first.
    Index("ix_fin_conversations_status_updated", "status", "updated_at"),
)

fin_messages = Table(
    "fin_messages",
    metadata,
    id_column(),
    workspace_column(),
    Column("fin_conversation_id", ForeignKey("fin_conversations.id", ondelete="CASCADE"), nullable=False),
    # user, agent or fin; `history` marks context sent with /fin/start.
    Column("author", String(16), nullable=False),
    Column("body", Text, nullable=False),
    # The message's own timestamp in Unix ms: with the author, what a re-send repeats.
    Column("timestamp_ms", BigInteger, nullable=False),
    Column("is_history", Boolean, nullable=False, default=False),
    # Fin's answers: did the content cover the question, and which pages were cited.
    Column("answered", Boolean, nullable=True),
    Column("citations", JsonType, nullable=True),
    # Copied into the Intercom conversation of a hand-over.
    Column("handed_over", Boolean, nullable=False, default=False),
    # The message's attachments as URLs (files sent as data are kept as uploads).
    Column("attachment_urls", JsonType, nullable=True),
    Column("received_at_ms", BigInteger, nullable=False),
    Index("ix_fin_messages_conversation", "fin_conversation_id", "id"),
)

fin_jobs = Table(
    "fin_jobs",
    metadata,
    id_column(),
    workspace_column(),
    Column("fin_conversation_id", ForeignKey("fin_conversations.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", ForeignKey("fin_messages.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    # Unix ms until which the claiming process owns the job.
    Column("lease_until_ms", BigInteger, nullable=True),
    timestamp_column("created_at"),
    Index("ix_fin_jobs_state", "state", "id"),
)


# Settings.
async def get_settings(uow: UnitOfWork) -> Any:
    return await uow.one_or_none(uow.select(fin_settings))


async def save_settings(uow: UnitOfWork, values: dict[str, Any], exists: bool) -> None:
    if exists:
        await uow.execute(uow.update(fin_settings).values(**values))
    else:
        await uow.execute(uow.insert(fin_settings).values(**values))


# Conversations.
async def find_conversation(uow: UnitOfWork, conversation_id: str) -> Any:
    return await uow.one_or_none(
        uow.select(fin_conversations).where(fin_conversations.c.conversation_id == conversation_id)
    )


async def get_conversation(uow: UnitOfWork, fin_conversation_id: int) -> Any:
    return await uow.one_or_none(uow.select(fin_conversations).where(fin_conversations.c.id == fin_conversation_id))


async def insert_conversation(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(fin_conversations).values(**values).returning(fin_conversations.c.id))
    return int(result.scalar_one())


async def update_conversation(uow: UnitOfWork, fin_conversation_id: int, values: dict[str, Any]) -> None:
    await uow.execute(
        uow.update(fin_conversations).where(fin_conversations.c.id == fin_conversation_id).values(**values)
    )


# Messages.
async def insert_message(uow: UnitOfWork, values: dict[str, Any]) -> int:
    result = await uow.execute(uow.insert(fin_messages).values(**values).returning(fin_messages.c.id))
    return int(result.scalar_one())


async def insert_fin_message(
    uow: UnitOfWork,
    fin_conversation_id: int,
    body: str,
    sent_at_ms: int,
    *,
    answered: bool | None = None,
    citations: list[dict[str, str]] | None = None,
) -> int:
    """One of Fin's own messages (an answer, or an inactivity nudge)."""
    return await insert_message(
        uow,
        {
            "fin_conversation_id": fin_conversation_id,
            "author": "fin",
            "body": body,
            "timestamp_ms": sent_at_ms,
            "is_history": False,
            "answered": answered,
            "citations": citations,
            "handed_over": False,
            "received_at_ms": sent_at_ms,
        },
    )


async def get_message(uow: UnitOfWork, message_id: int) -> Any:
    return await uow.one_or_none(uow.select(fin_messages).where(fin_messages.c.id == message_id))


async def recent_duplicate(
    uow: UnitOfWork, fin_conversation_id: int, author: str, timestamp_ms: int, since_ms: int
) -> Any:
    """A message of this author with this timestamp received after `since_ms`: a re-send."""
    return await uow.one_or_none(
        uow.select(fin_messages)
        .where(
            fin_messages.c.fin_conversation_id == fin_conversation_id,
            fin_messages.c.author == author,
            fin_messages.c.timestamp_ms == timestamp_ms,
            fin_messages.c.is_history.is_(False),
            fin_messages.c.received_at_ms >= since_ms,
        )
        .limit(1)
    )


async def mark_handed_over(uow: UnitOfWork, fin_conversation_id: int) -> None:
    await uow.execute(
        uow.update(fin_messages)
        .where(fin_messages.c.fin_conversation_id == fin_conversation_id)
        .values(handed_over=True)
    )


async def list_messages(uow: UnitOfWork, fin_conversation_id: int) -> list[Any]:
    return await uow.all(
        uow.select(fin_messages)
        .where(fin_messages.c.fin_conversation_id == fin_conversation_id)
        .order_by(fin_messages.c.id)
    )


# Jobs.
async def insert_job(uow: UnitOfWork, fin_conversation_id: int, message_id: int, created_at: int) -> int:
    result = await uow.execute(
        uow.insert(fin_jobs)
        .values(
            fin_conversation_id=fin_conversation_id,
            message_id=message_id,
            state=PENDING,
            attempts=0,
            lease_until_ms=None,
            created_at=created_at,
        )
        .returning(fin_jobs.c.id)
    )
    return int(result.scalar_one())


async def open_jobs_before(uow: UnitOfWork, fin_conversation_id: int, job_id: int) -> int:
    """Jobs of the same conversation queued earlier and not finished: they go first."""
    return await uow.count(
        uow.select(fin_jobs).where(
            fin_jobs.c.fin_conversation_id == fin_conversation_id,
            fin_jobs.c.id < job_id,
            fin_jobs.c.state != DONE,
        )
    )


async def any_open_job(tx: Transaction) -> bool:
    """Whether any job of any workspace is unfinished: a cheap read before taking the write lock."""
    return (await tx.execute(select(fin_jobs.c.id).where(fin_jobs.c.state != DONE).limit(1))).first() is not None


async def claim_job(tx: Transaction, now_ms: int, lease_ms: int) -> Any:
    """Take the oldest claimable job of any workspace: pending, or running with an expired lease.

    A job waits while an earlier job of its conversation is unfinished, so answers keep their order.
    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes claim at once without clashing;
    SQLite has one writer at a time, so the write transaction is the lock.
    """
    earlier = fin_jobs.alias("earlier")
    blocked = (
        select(earlier.c.id)
        .where(
            earlier.c.fin_conversation_id == fin_jobs.c.fin_conversation_id,
            earlier.c.id < fin_jobs.c.id,
            earlier.c.state != DONE,
        )
        .exists()
    )
    claimable = (
        select(fin_jobs)
        .where(
            or_(
                fin_jobs.c.state == PENDING,
                (fin_jobs.c.state == RUNNING) & (fin_jobs.c.lease_until_ms < now_ms),
            ),
            ~blocked,
        )
        .order_by(fin_jobs.c.id)
        .limit(1)
    )
    if tx.dialect == "postgresql":
        claimable = claimable.with_for_update(skip_locked=True, of=fin_jobs)
    row = (await tx.execute(claimable)).mappings().first()
    if row is None:
        return None
    await tx.execute(
        update(fin_jobs)
        .where(fin_jobs.c.id == row["id"])
        .values(state=RUNNING, attempts=fin_jobs.c.attempts + 1, lease_until_ms=now_ms + lease_ms)
    )
    return row


async def extend_lease(tx: Transaction, job_id: int, until_ms: int) -> None:
    await tx.execute(update(fin_jobs).where(fin_jobs.c.id == job_id).values(lease_until_ms=until_ms))


async def release_job(tx: Transaction, job_id: int) -> None:
    """Give a job back (shutdown mid-work): the next claim starts it over."""
    await tx.execute(update(fin_jobs).where(fin_jobs.c.id == job_id, fin_jobs.c.state == RUNNING).values(state=PENDING))


async def finish_job(uow: UnitOfWork, job_id: int) -> None:
    await uow.execute(uow.update(fin_jobs).where(fin_jobs.c.id == job_id).values(state=DONE, lease_until_ms=None))
