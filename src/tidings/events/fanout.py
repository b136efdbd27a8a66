"""In-process signals: waking this process's delivery workers, and handing channel events to its SSE streams.

Both are fed after a commit: in-process by unit-of-work hooks, and on PostgreSQL from every
process by the LISTEN connection (`tidings.events.listener`), so a stream on any worker process
sees events committed by any other.
"""

from __future__ import annotations

import asyncio

# Sent to a stream instead of an event id: re-read the channel from the last event sent.
CATCH_UP = 0

_workers: set[asyncio.Event] = set()


def register_worker(wake: asyncio.Event) -> None:
    _workers.add(wake)


def unregister_worker(wake: asyncio.Event) -> None:
    _workers.discard(wake)


def wake_workers() -> None:
    for wake in _workers:
        wake.set()


class ChannelHub:
    """SSE subscribers of this process by (workspace, channel); each gets the ids of new events."""

    def __init__(self) -> None:
        self._subscribers: dict[tuple[str, str], set[asyncio.Queue[int]]] = {}

    def subscribe(self, workspace_id: str, channel: str) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue()
        self._subscribers.setdefault((workspace_id, channel), set()).add(queue)
        return queue

    def unsubscribe(self, workspace_id: str, channel: str, queue: asyncio.Queue[int]) -> None:
        key = (workspace_id, channel)
        subscribers = self._subscribers.get(key)
        if subscribers is not None:
            subscribers.discard(queue)
            if not subscribers:
                del self._subscribers[key]

    def publish(self, workspace_id: str, channel: str, event_id: int) -> None:
        for queue in self._subscribers.get((workspace_id, channel), ()):
            queue.put_nowait(event_id)

    def resync(self) -> None:
        """Ask every stream to catch up from the stored events (notifications may have been missed)."""
        for queues in self._subscribers.values():
            for queue in queues:
                queue.put_nowait(CATCH_UP)


hub = ChannelHub()
