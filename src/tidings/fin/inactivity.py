"""Inactivity: a user who goes quiet after Fin's reply is asked whether they need anything else,
and if they stay quiet as long again, Fin's part of the conversation ends.

Per workspace, `inactivity_timeout_seconds` of the Fin settings (600 by default, 0 turns it off)
after Fin reached `awaiting_user_reply`: `fin_replied` with the settings' `inactivity_message`,
then `fin_status_updated awaiting_user_reply`; the same time later with still no user message:
`fin_status_updated complete` (the user left; a later `/fin/start` begins again). As Intercom's,
these go by webhook only, never over SSE. A sweep in every server process finds the conversations
due; each is re-checked under the conversation's lock in its own transaction, so two processes
never send one nudge twice, and a user message that lands first wins.
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from sqlalchemy import ColumnElement, func, select

from tidings.core import clock
from tidings.core.uow import UnitOfWork, run_in_workspace
from tidings.db.storage import Storage, Transaction
from tidings.fin import storage
from tidings.fin.events import emit, replied, status_updated
from tidings.fin.schemas import DEFAULT_INACTIVITY_MESSAGE
from tidings.fin.storage import fin_conversations, fin_settings
from tidings.webhooks.sse import close_channel_streams, fin_channel

log = logging.getLogger("tidings.fin")

AWAITING = "awaiting_user_reply"
# Conversations handled per sweep; the rest wait for the next one.
SWEEP_BATCH = 100


def _silent_since() -> ColumnElement[int]:
    """When the user's silence started to count: Fin's reply, or the nudge once sent."""
    conversation = fin_conversations.c
    return func.coalesce(conversation.nudged_at, conversation.updated_at)


async def due_conversations(tx: Transaction, real_ms: int, workspace_id: str | None = None) -> list[Any]:
    """(workspace_id, conversation row id) of every conversation (in any workspace, or in the one
    given) whose user has been silent past the workspace's timeout, by the workspace's clock."""
    timeout = fin_settings.c.inactivity_timeout_seconds
    conversation = fin_conversations.c
    now_ms = clock.workspace_now_ms_sql(conversation.workspace_id, real_ms)
    due = (
        select(conversation.workspace_id, conversation.id)
        .join(fin_settings, fin_settings.c.workspace_id == conversation.workspace_id)
        .where(conversation.status == AWAITING, timeout > 0, (_silent_since() + timeout) * 1000 <= now_ms)
        .order_by(conversation.updated_at)
        .limit(SWEEP_BATCH)
    )
    if workspace_id is not None:
        due = due.where(conversation.workspace_id == workspace_id)
    return list((await tx.execute(due)).mappings().all())


async def next_due_ms(uow: UnitOfWork) -> int | None:
    """When the workspace's next inactivity step falls due (milliseconds), if any is pending."""
    timeout = fin_settings.c.inactivity_timeout_seconds
    conversation = fin_conversations.c
    soonest = (
        select(func.min((_silent_since() + timeout) * 1000))
        .select_from(fin_conversations.join(fin_settings, fin_settings.c.workspace_id == conversation.workspace_id))
        .where(conversation.workspace_id == uow.workspace_id, conversation.status == AWAITING, timeout > 0)
    )
    value = await uow.scalar(soonest)
    return int(value) if value is not None else None


async def act_on(uow: UnitOfWork, fin_conversation_id: int, now: int) -> None:
    """Nudge the silent user, or end Fin's part after a nudge went unanswered, if still due."""
    row = await storage.get_conversation(uow, fin_conversation_id)
    if row is None:
        return
    await uow.serialise("fin", row["conversation_id"])
    row = await storage.get_conversation(uow, fin_conversation_id)
    settings = await storage.get_settings(uow)
    if row is None or settings is None or row["status"] != AWAITING:
        return
    timeout = int(settings["inactivity_timeout_seconds"])
    if timeout <= 0:
        return
    if row["nudged_at"] is None and row["updated_at"] <= now - timeout:
        await nudge(uow, row, settings, now)
    elif row["nudged_at"] is not None and row["nudged_at"] <= now - timeout:
        await finish(uow, row, settings)


async def nudge(uow: UnitOfWork, row: Any, settings: Any, now: int) -> None:
    body = f"<p>{html.escape(settings['inactivity_message'] or DEFAULT_INACTIVITY_MESSAGE, quote=False)}</p>"
    now_ms = clock.now_ms()
    message_id = await storage.insert_fin_message(uow, row["id"], body, now_ms)
    conversation_id, user_id = row["conversation_id"], row["user_id"]
    await emit(uow, settings, replied(conversation_id, user_id, message_id, body, now_ms, None), sse=False)
    await emit(uow, settings, status_updated(conversation_id, user_id, AWAITING), sse=False)
    await storage.update_conversation(uow, row["id"], {"nudged_at": now})


async def finish(uow: UnitOfWork, row: Any, settings: Any) -> None:
    await emit(uow, settings, status_updated(row["conversation_id"], row["user_id"], "complete"), sse=False)
    await close_channel_streams(uow, fin_channel(uow.workspace_id, row["conversation_id"]))
    await storage.update_conversation(uow, row["id"], {"status": "complete", "updated_at": clock.now()})


async def sweep(store: Storage, workspace_id: str | None = None) -> int:
    """One pass over the conversations due (of every workspace, or of one); how many were looked at."""
    tx = await store.begin(write=False)
    try:
        due = await due_conversations(tx, clock.real_ms(), workspace_id)
    finally:
        await tx.rollback()
    for entry in due:
        try:
            # Inside the workspace's transaction the clock is the workspace's.
            await run_in_workspace(store, entry["workspace_id"], lambda uow, e=entry: act_on(uow, e["id"], clock.now()))
        except Exception:
            log.exception("Fin inactivity for conversation %s failed", entry["id"])
    return len(due)


async def sweep_forever(store: Storage, every_seconds: float) -> None:
    while True:
        try:
            await sweep(store)
        except Exception:
            log.exception("Fin inactivity sweep failed")
        await asyncio.sleep(every_seconds)
