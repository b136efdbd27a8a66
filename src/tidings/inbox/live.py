"""Live updates: every announced conversation change also lands on the workspace's inbox channel.

The channel's events are small (`{"conversation_id", "topic"}`); open inbox pages hear them over
the existing Server-Sent Events machinery (`tidings.webhooks.sse`), which reaches every worker
process on PostgreSQL (NOTIFY) and this process on SQLite, then fetch the fragments that changed.
"""

from __future__ import annotations

from tidings.conversations import service as conversation_service
from tidings.core.events import record_event
from tidings.core.uow import UnitOfWork

TOPIC = "tidings.inbox.conversation_changed"


def inbox_channel(workspace_id: str) -> str:
    return f"inbox:{workspace_id}"


async def on_announce(uow: UnitOfWork, topic: str, conversation_id: int) -> None:
    await record_event(
        uow,
        TOPIC,
        {"conversation_id": str(conversation_id), "topic": topic},
        subject_type="conversation",
        subject_id=str(conversation_id),
        channel=inbox_channel(uow.workspace_id),
    )


conversation_service.ANNOUNCE_LISTENERS.append(on_announce)
