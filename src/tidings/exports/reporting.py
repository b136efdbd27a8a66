"""Reporting datasets: what `get_datasets` lists and the reporting export writes, from tidings' own tables.

One dataset, `conversation`: a row per conversation started in the asked range (Preview includes
conversations without a user reply), its columns the attributes asked for, in the order asked.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidings.conversations.storage import conversations
from tidings.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Attribute:
    id: str
    prefix: str
    name: str
    value: Callable[[Any], Any]

    @property
    def qualified_id(self) -> str:
        return f"{self.prefix}.{self.id}"


def _column(name: str) -> Callable[[Any], Any]:
    return lambda row: row[name]


CONVERSATION_ATTRIBUTES = (
    Attribute("conversation_id", "standard", "Conversation ID", _column("id")),
    Attribute("conversation_started_at", "timestamp", "Conversation started at", _column("created_at")),
    Attribute("conversation_last_updated_at", "timestamp", "Conversation last updated at", _column("updated_at")),
    Attribute("first_teammate_reply_at", "timestamp", "First teammate reply at", _column("stat_first_admin_reply_at")),
    Attribute("last_closed_at", "timestamp", "Last closed at", _column("stat_last_close_at")),
    Attribute("conversation_state", "conversation", "Conversation state", _column("state")),
    Attribute("channel", "conversation", "Channel", _column("source_type")),
    Attribute("started_by", "conversation", "Started by", _column("source_delivered_as")),
    Attribute("conversation_title", "conversation", "Conversation title", _column("title")),
    Attribute("priority", "conversation", "Priority", _column("priority")),
    Attribute("teammate_assigned", "conversation", "Teammate currently assigned", _column("admin_assignee_id")),
    Attribute("team_assigned", "conversation", "Team currently assigned", _column("team_assignee_id")),
    Attribute("fin_ai_agent_involved", "conversation", "Fin AI Agent involved", _column("ai_agent_participated")),
    Attribute(
        "time_to_first_response", "conversation", "Time to first response (s)", _column("stat_time_to_admin_reply")
    ),
    Attribute("time_to_first_close", "conversation", "Time to first close (s)", _column("stat_time_to_first_close")),
    Attribute("handling_time", "conversation", "Handling time (s)", _column("stat_handling_time")),
    Attribute("reopens", "conversation", "Number of reopens", _column("stat_count_reopens")),
    Attribute("assignments", "conversation", "Number of assignments", _column("stat_count_assignments")),
    Attribute(
        "conversation_parts", "conversation", "Number of conversation parts", _column("stat_count_conversation_parts")
    ),
)


@dataclass(frozen=True, slots=True)
class Dataset:
    id: str
    name: str
    description: str
    default_time_attribute_id: str
    attributes: tuple[Attribute, ...]

    def resolve(self, given: str) -> Attribute | None:
        """An attribute by qualified id, or by plain id while that is unambiguous."""
        matches = [a for a in self.attributes if given in (a.qualified_id, a.id)]
        return matches[0] if len(matches) == 1 else None


DATASETS = {
    "conversation": Dataset(
        id="conversation",
        name="Conversation",
        description="Conversation-level details: status, channel, assignee, response and close times.",
        default_time_attribute_id="conversation_started_at",
        attributes=CONVERSATION_ATTRIBUTES,
    )
}


async def write_csv(uow: UnitOfWork, dataset: Dataset, attribute_ids: list[str], start: int, end: int) -> bytes:
    """The dataset's rows in range as gzip-compressed CSV, a header row of attribute ids first."""
    chosen = [a for a in (dataset.resolve(i) for i in attribute_ids) if a is not None]
    t = conversations
    stmt = uow.select(t).where(t.c.created_at.between(start, end)).order_by(t.c.created_at, t.c.id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([a.id for a in chosen])
    for row in await uow.all(stmt.limit(1_000_000)):
        writer.writerow(["" if (v := a.value(row)) is None else v for a in chosen])
    return gzip.compress(out.getvalue().encode())
