"""Calls, their recordings (kept as uploads) and transcripts, and Fin Voice registrations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, func, select

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import BigId, JsonType, id_column, metadata, timestamp_column, workspace_column

calls = Table(
    "calls",
    metadata,
    id_column(),
    workspace_column(),
    Column("conversation_id", BigId, nullable=True),
    Column("admin_id", Integer, nullable=True),
    Column("contact_id", String(24), nullable=True),
    Column("state", String(32), nullable=False),
    Column("call_type", String(32), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("ended_reason", String(64), nullable=True),
    Column("phone", String(32), nullable=True),
    timestamp_column("initiated_at"),
    timestamp_column("answered_at", nullable=True),
    timestamp_column("ended_at", nullable=True),
    # The recording's upload URL (unguessable; what `GET /calls/{id}/recording` redirects to).
    Column("recording_file_url", String(1024), nullable=True),
    # [{"offset": seconds from the start, "speaker": "User" | "Teammate 1" | ..., "text": ...}]
    Column("transcript", JsonType, nullable=True),
    timestamp_column("created_at"),
    timestamp_column("updated_at"),
    Index("ix_calls_workspace_conversation", "workspace_id", "conversation_id"),
    Index("ix_calls_workspace_phone", "workspace_id", "phone", "id"),
)

fin_voice_calls = Table(
    "fin_voice_calls",
    metadata,
    id_column(),
    workspace_column(),
    Column("phone_number", String(32), nullable=False),
    Column("external_call_id", String(255), nullable=False),
    Column("source", String(16), nullable=False),
    Column("data", JsonType, nullable=True),
    Column("call_id", ForeignKey("calls.id", ondelete="SET NULL"), nullable=True),
    timestamp_column("created_at"),
    Index("uq_fin_voice_calls_external", "workspace_id", "external_call_id", unique=True),
    Index("ix_fin_voice_calls_phone", "workspace_id", "phone_number", "id"),
)


async def insert_call(uow: UnitOfWork, values: dict[str, Any]) -> int:
    return int((await uow.execute(uow.insert(calls).values(**values).returning(calls.c.id))).scalar_one())


async def get_call(uow: UnitOfWork, call_id: int) -> Any:
    return await uow.one_or_none(uow.select(calls).where(calls.c.id == call_id))


async def count_calls(uow: UnitOfWork) -> int:
    return int(await uow.scalar(uow.select(calls, func.count())) or 0)


async def page_of_calls(uow: UnitOfWork, offset: int, limit: int) -> list[Any]:
    stmt = uow.select(calls).order_by(calls.c.created_at.desc(), calls.c.id.desc()).offset(offset).limit(limit)
    return await uow.all(stmt)


async def calls_of_conversations(uow: UnitOfWork, conversation_ids: list[int]) -> list[Any]:
    stmt = uow.select(calls).where(calls.c.conversation_id.in_(conversation_ids)).order_by(calls.c.id)
    return await uow.all(stmt)


async def insert_fin_voice_call(uow: UnitOfWork, values: dict[str, Any]) -> int:
    t = fin_voice_calls
    return int((await uow.execute(uow.insert(t).values(**values).returning(t.c.id))).scalar_one())


async def update_fin_voice_call(uow: UnitOfWork, registration_id: int, values: dict[str, Any]) -> None:
    t = fin_voice_calls
    await uow.execute(uow.update(t).where(t.c.id == registration_id).values(**values))


async def fin_voice_call(uow: UnitOfWork, **where: Any) -> Any:
    """The most recent registration matching every column given."""
    t = fin_voice_calls
    stmt = uow.select(t).where(*(t.c[name] == value for name, value in where.items()))
    return await uow.one_or_none(stmt.order_by(t.c.id.desc()).limit(1))


async def unmatched_registration(uow: UnitOfWork, phone: str) -> Any:
    t = fin_voice_calls
    stmt = uow.select(t).where(t.c.phone_number == phone, t.c.call_id.is_(None))
    return await uow.one_or_none(stmt.order_by(t.c.id.desc()).limit(1))


async def fin_voice_calls_of_conversation(uow: UnitOfWork, conversation_id: int) -> list[Any]:
    t = fin_voice_calls
    matched = select(calls.c.id).where(calls.c.conversation_id == conversation_id)
    stmt = uow.select(t).where(t.c.call_id.in_(matched)).order_by(t.c.id)
    return await uow.all(stmt)
