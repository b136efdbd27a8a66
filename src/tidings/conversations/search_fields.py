"""The searchable fields of `POST /conversations/search`: field name → SQL expression and value type.

Only a declaration: `search_compiler.py` turns a query into a condition over these. Fields the
server never populates (conversation ratings, AI agent details) are declared as NULL, so a query
on them answers as Intercom would for conversations without ratings or AI involvement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, String, and_, bindparam, case, cast, exists, func, null, select

from tidings.admins.storage import admins
from tidings.contacts.storage import contacts
from tidings.conversations.storage import (
    STAT_COUNTS,
    STAT_DURATIONS,
    STAT_TIMESTAMPS,
    conversation_contacts,
    conversation_parts,
    conversation_tags,
    conversations,
)
from tidings.core import clock

# Value types, as the spec's field table names them ("numeric_id": a string id over an integer key).
STRING, INTEGER, DATE, BOOLEAN, NUMERIC_ID = "string", "integer", "date", "boolean", "numeric_id"


@dataclass(frozen=True, slots=True)
class SearchField:
    type: str
    # A scalar column expression, or...
    column: Any = None
    # ...for a many-valued field, a function from a condition on the member value to an EXISTS.
    members: Callable[[Callable[[Any], Any]], Any] | None = None
    # `source.body`: `=` matches a whole word of the padded word column.
    words: bool = False


def _contact_members(condition: Callable[[Any], Any]) -> Any:
    c = conversation_contacts.c
    return exists(select(c.id).where(c.conversation_id == conversations.c.id, condition(c.contact_id)))


def _teammate_members(condition: Callable[[Any], Any]) -> Any:
    p = conversation_parts.c
    return exists(
        select(p.id).where(p.conversation_id == conversations.c.id, p.author_type == "admin", condition(p.author_id))
    )


def _tag_members(condition: Callable[[Any], Any]) -> Any:
    t = conversation_tags.c
    return exists(select(t.id).where(t.conversation_id == conversations.c.id, condition(cast(t.tag_id, String))))


def _source_author(column_name: str) -> Any:
    """The source author's name or email, from the contact or admin who wrote it."""
    source = conversations.c
    from_contact = select(contacts.c[column_name]).where(contacts.c.id == source.source_author_id).scalar_subquery()
    from_admin = (
        select(admins.c[column_name]).where(cast(admins.c.id, String) == source.source_author_id).scalar_subquery()
    )
    return func.coalesce(from_contact, from_admin)


c = conversations.c

# A snooze that has run out reads as open until the next write records its wake-up.
_now = bindparam("search_now", callable_=clock.now, type_=BigInteger)
_snooze_over = and_(c.state == "snoozed", c.snoozed_until <= _now)
EFFECTIVE_STATE = case((_snooze_over, "open"), else_=c.state)
EFFECTIVE_SNOOZED_UNTIL = case((_snooze_over, null()), else_=c.snoozed_until)

# Typed NULLs: PostgreSQL cannot infer the type of an untyped NULL parameter.
NEVER_SET_TEXT = cast(null(), String)
NEVER_SET_NUMBER = cast(null(), BigInteger)
CONVERSATION_FIELDS: dict[str, SearchField] = {
    "id": SearchField(NUMERIC_ID, c.id),
    "created_at": SearchField(DATE, c.created_at),
    "updated_at": SearchField(DATE, c.updated_at),
    "title": SearchField(STRING, c.title),
    "source.type": SearchField(STRING, c.source_type),
    "source.id": SearchField(STRING, c.source_id),
    "source.delivered_as": SearchField(STRING, c.source_delivered_as),
    "source.subject": SearchField(STRING, c.source_subject),
    "source.body": SearchField(STRING, c.source_words, words=True),
    "source.author.id": SearchField(STRING, c.source_author_id),
    "source.author.type": SearchField(STRING, c.source_author_type),
    "source.author.name": SearchField(STRING, _source_author("name")),
    "source.author.email": SearchField(STRING, _source_author("email")),
    "source.url": SearchField(STRING, c.source_url),
    "contact_ids": SearchField(STRING, members=_contact_members),
    "teammate_ids": SearchField(STRING, members=_teammate_members),
    "tag_ids": SearchField(STRING, members=_tag_members),
    "admin_assignee_id": SearchField(INTEGER, c.admin_assignee_id),
    "team_assignee_id": SearchField(INTEGER, c.team_assignee_id),
    "channel_initiated": SearchField(STRING, c.source_type),
    "open": SearchField(BOOLEAN, c.open),
    "read": SearchField(BOOLEAN, c.read),
    "state": SearchField(STRING, EFFECTIVE_STATE),
    "waiting_since": SearchField(DATE, c.waiting_since),
    "snoozed_until": SearchField(DATE, EFFECTIVE_SNOOZED_UNTIL),
    "priority": SearchField(STRING, c.priority),
    **{f"statistics.{name}": SearchField(DATE, c[f"stat_{name}"]) for name in STAT_TIMESTAMPS},
    **{f"statistics.{name}": SearchField(INTEGER, c[f"stat_{name}"]) for name in (*STAT_DURATIONS, *STAT_COUNTS)},
    "statistics.last_closed_by_id": SearchField(STRING, c.stat_last_closed_by_id),
    "conversation_rating.requested_at": SearchField(DATE, NEVER_SET_NUMBER),
    "conversation_rating.replied_at": SearchField(DATE, NEVER_SET_NUMBER),
    "conversation_rating.score": SearchField(INTEGER, NEVER_SET_NUMBER),
    "conversation_rating.remark": SearchField(STRING, NEVER_SET_TEXT),
    "conversation_rating.contact_id": SearchField(STRING, NEVER_SET_TEXT),
    "conversation_rating.admin_id": SearchField(STRING, NEVER_SET_TEXT),
    # Sic: the spec's table spells it `admin_d`.
    "conversation_rating.admin_d": SearchField(STRING, NEVER_SET_TEXT),
    "ai_agent_participated": SearchField(BOOLEAN, c.ai_agent_participated),
    "ai_agent.resolution_state": SearchField(STRING, NEVER_SET_TEXT),
    "ai_agent.last_answer_type": SearchField(STRING, NEVER_SET_TEXT),
    "ai_agent.rating": SearchField(INTEGER, NEVER_SET_NUMBER),
    "ai_agent.rating_remark": SearchField(STRING, NEVER_SET_TEXT),
    "ai_agent.source_type": SearchField(STRING, NEVER_SET_TEXT),
    "ai_agent.source_title": SearchField(STRING, NEVER_SET_TEXT),
}
