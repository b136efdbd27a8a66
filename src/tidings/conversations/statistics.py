"""Conversation statistics, recomputed from the conversation's history whenever a part is added.

Definitions follow the spec's `conversation_statistics` descriptions. The history is the opening
message (the source) followed by the parts, in order; order is by position, not timestamp, since
several parts can share a second. Business hours are not modelled: durations are wall-clock.

- first_contact_reply_at: first comment by a contact (a contact-initiated source counts; so does
  the `open` part a contact's comment becomes when it reopens the conversation).
- first_assignment_at / last_assignment_at / count_assignments: assignments (`assignment`,
  `assign_and_reopen`) after it.
- first_admin_reply_at: first admin comment after it; time_to_admin_reply measures from it.
- time_to_assignment: last assignment before the first admin reply (or so far), from it.
- last_assignment_admin_reply_at: first admin comment since the most recent assignment.
- first_close_at / count_reopens: closes and closed→open transitions after it;
  last_close_at, last_closed_by_id: the most recent close at any time.
- median_time_to_reply: median wait of every contact run that an admin comment answered.
- handling_time: from first assignment to last close.
- count_conversation_parts: the number of parts (the source is not a part).
"""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass
from typing import Any

CONTACT_AUTHORS = frozenset({"user", "lead", "contact"})
REPLY_PARTS = frozenset({"comment", "quick_reply"})
ASSIGNMENT_PARTS = frozenset({"assignment", "assign_and_reopen"})


@dataclass(frozen=True, slots=True, eq=False)
class Moment:
    """One step of a conversation's history: the source or a part (compared by identity: positions matter)."""

    part_type: str
    author_type: str
    author_id: str
    created_at: int
    state: str

    @property
    def is_contact_reply(self) -> bool:
        # A contact's comment that reopens the conversation is recorded as an `open` part.
        return self.author_type in CONTACT_AUTHORS and (self.part_type in REPLY_PARTS or self.part_type == "open")

    @property
    def is_admin_reply(self) -> bool:
        return self.part_type in REPLY_PARTS and self.author_type == "admin"


def history(conversation: Any, parts: list[Any]) -> list[Moment]:
    source = Moment(
        part_type="comment",
        author_type=conversation["source_author_type"],
        author_id=conversation["source_author_id"],
        created_at=conversation["created_at"],
        state="open",
    )
    return [source] + [
        Moment(p["part_type"], p["author_type"], p["author_id"], p["created_at"], p["state"]) for p in parts
    ]


def waiting_since(moments: list[Moment]) -> int | None:
    """When the contact started waiting: the first contact reply after the last admin reply."""
    waiting: int | None = None
    for moment in moments:
        if moment.is_admin_reply:
            waiting = None
        elif moment.is_contact_reply and waiting is None:
            waiting = moment.created_at
    return waiting


def _first(moments: list[Moment], kind: Any) -> Moment | None:
    return next((m for m in moments if kind(m)), None)


def _last(moments: list[Moment], kind: Any) -> Moment | None:
    return next((m for m in reversed(moments) if kind(m)), None)


def _at(moment: Moment | None) -> int | None:
    return moment.created_at if moment else None


def _since(moment: Moment | None, start: int | None) -> int | None:
    return moment.created_at - start if moment and start is not None else None


def _reply_waits(moments: list[Moment]) -> list[int]:
    waits, waiting = [], None
    for moment in moments:
        if moment.is_contact_reply and waiting is None:
            waiting = moment.created_at
        elif moment.is_admin_reply and waiting is not None:
            waits.append(moment.created_at - waiting)
            waiting = None
    return waits


def _count_reopens(moments: list[Moment]) -> int:
    reopens, previous = 0, None
    for moment in moments:
        if previous == "closed" and moment.state == "open":
            reopens += 1
        previous = moment.state
    return reopens


def _handling_time(first_assignment: Moment | None, last_close: Moment | None) -> int | None:
    if first_assignment is None or last_close is None or last_close.created_at < first_assignment.created_at:
        return None
    return last_close.created_at - first_assignment.created_at


def compute(moments: list[Moment]) -> dict[str, Any]:
    """The `stat_*` column values for this history."""

    def is_assignment(m: Moment) -> bool:
        return m.part_type in ASSIGNMENT_PARTS

    def is_close(m: Moment) -> bool:
        return m.part_type == "close"

    first_contact = _first(moments, lambda m: m.is_contact_reply)
    start = _at(first_contact)
    after = moments[moments.index(first_contact) :] if first_contact else []
    assignments = [m for m in after if is_assignment(m)]
    first_admin_reply = _first(after, lambda m: m.is_admin_reply)
    until_reply = after[: after.index(first_admin_reply)] if first_admin_reply else after
    last_assignment_any = _last(moments, is_assignment)
    since_assignment = moments[moments.index(last_assignment_any) :] if last_assignment_any else []
    first_close = _first(after, is_close)
    last_close = _last(moments, is_close)
    first_assignment = assignments[0] if assignments else None
    waits = _reply_waits(moments)
    values: dict[str, Any] = {
        "first_contact_reply_at": start,
        "first_assignment_at": _at(first_assignment),
        "first_admin_reply_at": _at(first_admin_reply),
        "first_close_at": _at(first_close),
        "last_assignment_at": _at(assignments[-1] if assignments else None),
        "last_assignment_admin_reply_at": _at(_first(since_assignment, lambda m: m.is_admin_reply)),
        "last_contact_reply_at": _at(_last(moments, lambda m: m.is_contact_reply)),
        "last_admin_reply_at": _at(_last(moments, lambda m: m.is_admin_reply)),
        "last_close_at": _at(last_close),
        "last_closed_by_id": last_close.author_id if last_close else None,
        "time_to_assignment": _since(_last(until_reply, is_assignment), start),
        "time_to_admin_reply": _since(first_admin_reply, start),
        "time_to_first_close": _since(first_close, start),
        "time_to_last_close": _since(last_close, start) if first_close else None,
        "median_time_to_reply": int(stats.median(waits)) if waits else None,
        "handling_time": _handling_time(first_assignment, last_close),
        "count_reopens": _count_reopens(after),
        "count_assignments": len(assignments),
        "count_conversation_parts": len(moments) - 1,
    }
    return {f"stat_{name}": value for name, value in values.items()}
