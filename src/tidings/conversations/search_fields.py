"""The searchable fields of `POST /conversations/search`, declared for the core search language.

Only a declaration: `tidings.core.search` turns a query into a condition over these. Fields the
server never populates (conversation ratings, AI agent details) are declared as NULL, so a query
on them answers as Intercom would for conversations without ratings or AI involvement.
Conversations document `>`/`<` as "greater (or equal)"/"lower (or equal)" and compare timestamps to
the second; results come most recently updated first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    not_,
    null,
    or_,
    select,
)

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
from tidings.core.search import (
    ANY_TYPE_OPERATORS,
    STRING_OPERATORS,
    FieldKind,
    FieldType,
    Searchable,
    SearchField,
)

STRING, INTEGER, TIMESTAMP, BOOLEAN = FieldType.STRING, FieldType.INTEGER, FieldType.TIMESTAMP, FieldType.BOOLEAN
c = conversations.c


def _column(kind: FieldType, expression: Any) -> SearchField:
    return SearchField(expression, kind)


def _related(expression: Any, lift: Any) -> SearchField:
    return SearchField(expression, STRING, kind=FieldKind.RELATED, related=lift, sortable=False)


def _with_contact(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    m = conversation_contacts.c
    return exists(select(m.id).where(m.conversation_id == c.id, condition))


def _with_teammate_part(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    p = conversation_parts.c
    return exists(select(p.id).where(p.conversation_id == c.id, p.author_type == "admin", condition))


def _with_tag(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    t = conversation_tags.c
    return exists(select(t.id).where(t.conversation_id == c.id, condition))


def _source_author(column_name: str) -> Any:
    """The source author's name or email, from the contact or admin who wrote it."""
    from_contact = select(contacts.c[column_name]).where(contacts.c.id == c.source_author_id).scalar_subquery()
    from_admin = select(admins.c[column_name]).where(cast(admins.c.id, String) == c.source_author_id).scalar_subquery()
    return func.coalesce(from_contact, from_admin)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _has_word(word: Any) -> ColumnElement[bool]:
    """One whole word of the source; a phrase never matches (the spec's `source.body` rule)."""
    tokens = str(word).lower().split()
    if len(tokens) != 1:
        return false()
    return c.source_words.like(f"% {_escape(tokens[0])} %", escape="\\")


def _body_words(operator: str, value: Any) -> ColumnElement[bool]:
    """`source.body` by word token: the words are stored lower-cased and space-padded (`source_words`)."""
    words = c.source_words
    if value is None:
        return words.is_(None) if operator == "=" else words.is_not(None)
    if operator in ANY_TYPE_OPERATORS:
        hit = or_(*(_has_word(v) for v in (value if isinstance(value, list) else [value])))
        return hit if operator in ("=", "IN") else not_(hit)
    needle = _escape(str(value).lower())
    pattern = {"~": f"%{needle}%", "!~": f"%{needle}%", "^": f"% {needle}%", "$": f"%{needle} %"}[operator]
    matched = words.like(pattern, escape="\\")
    return not_(matched) if operator == "!~" else matched


# A snooze that has run out reads as open until the next write records its wake-up.
_now = bindparam("search_now", callable_=clock.now, type_=BigInteger)
_snooze_over = and_(c.state == "snoozed", c.snoozed_until <= _now)
EFFECTIVE_STATE = case((_snooze_over, "open"), else_=c.state)
EFFECTIVE_SNOOZED_UNTIL = case((_snooze_over, null()), else_=c.snoozed_until)

# Typed NULLs: PostgreSQL cannot infer the type of an untyped NULL parameter.
NEVER_SET_TEXT = cast(null(), String)
NEVER_SET_NUMBER = cast(null(), BigInteger)
FIELDS: dict[str, SearchField] = {
    "id": _column(INTEGER, c.id),
    "created_at": _column(TIMESTAMP, c.created_at),
    "updated_at": _column(TIMESTAMP, c.updated_at),
    "title": _column(STRING, c.title),
    "source.type": _column(STRING, c.source_type),
    "source.id": _column(STRING, c.source_id),
    "source.delivered_as": _column(STRING, c.source_delivered_as),
    "source.subject": _column(STRING, c.source_subject),
    "source.body": SearchField(
        kind=FieldKind.PREDICATE,
        predicate=_body_words,
        operators=ANY_TYPE_OPERATORS | STRING_OPERATORS,
        sortable=False,
    ),
    "source.author.id": _column(STRING, c.source_author_id),
    "source.author.type": _column(STRING, c.source_author_type),
    "source.author.name": _column(STRING, _source_author("name")),
    "source.author.email": _column(STRING, _source_author("email")),
    "source.url": _column(STRING, c.source_url),
    "contact_ids": _related(conversation_contacts.c.contact_id, _with_contact),
    "teammate_ids": _related(conversation_parts.c.author_id, _with_teammate_part),
    "tag_ids": _related(cast(conversation_tags.c.tag_id, String), _with_tag),
    "admin_assignee_id": _column(INTEGER, c.admin_assignee_id),
    "team_assignee_id": _column(INTEGER, c.team_assignee_id),
    "channel_initiated": _column(STRING, c.source_type),
    "open": _column(BOOLEAN, c.open),
    "read": _column(BOOLEAN, c.read),
    "state": _column(STRING, EFFECTIVE_STATE),
    "waiting_since": _column(TIMESTAMP, c.waiting_since),
    "snoozed_until": _column(TIMESTAMP, EFFECTIVE_SNOOZED_UNTIL),
    "priority": _column(STRING, c.priority),
    **{f"statistics.{name}": _column(TIMESTAMP, c[f"stat_{name}"]) for name in STAT_TIMESTAMPS},
    **{f"statistics.{name}": _column(INTEGER, c[f"stat_{name}"]) for name in (*STAT_DURATIONS, *STAT_COUNTS)},
    "statistics.last_closed_by_id": _column(STRING, c.stat_last_closed_by_id),
    "conversation_rating.requested_at": _column(TIMESTAMP, NEVER_SET_NUMBER),
    "conversation_rating.replied_at": _column(TIMESTAMP, NEVER_SET_NUMBER),
    "conversation_rating.score": _column(INTEGER, NEVER_SET_NUMBER),
    "conversation_rating.remark": _column(STRING, NEVER_SET_TEXT),
    "conversation_rating.contact_id": _column(STRING, NEVER_SET_TEXT),
    "conversation_rating.admin_id": _column(STRING, NEVER_SET_TEXT),
    # Sic: the spec's table spells it `admin_d`.
    "conversation_rating.admin_d": _column(STRING, NEVER_SET_TEXT),
    "ai_agent_participated": _column(BOOLEAN, c.ai_agent_participated),
    "ai_agent.resolution_state": _column(STRING, NEVER_SET_TEXT),
    "ai_agent.last_answer_type": _column(STRING, NEVER_SET_TEXT),
    "ai_agent.rating": _column(INTEGER, NEVER_SET_NUMBER),
    "ai_agent.rating_remark": _column(STRING, NEVER_SET_TEXT),
    "ai_agent.source_type": _column(STRING, NEVER_SET_TEXT),
    "ai_agent.source_title": _column(STRING, NEVER_SET_TEXT),
}

CONVERSATION_SEARCH = Searchable(
    fields=FIELDS,
    owner=c.id,
    custom_attributes=c.custom_attributes,
    inclusive_ranges=True,
    default_sort="updated_at",
)

_VALUE_TYPES = ((bool, BOOLEAN), (int, INTEGER), (float, FieldType.FLOAT), (str, STRING))


def custom_attribute_types(query: Any) -> dict[str, FieldType]:
    """The types of the `custom_attributes.{name}` fields a query names, read from its values.

    Conversation attributes are defined in Intercom's web UI; here they are free-form, so the
    value a query compares with says the attribute's type (a list, as for IN, by its first item).
    """
    found: dict[str, FieldType] = {}
    if isinstance(query, dict):
        name, value = query.get("field"), query.get("value")
        if isinstance(name, str) and name.startswith("custom_attributes."):
            sample = value[0] if isinstance(value, list) and value else value
            kind = next((t for python, t in _VALUE_TYPES if isinstance(sample, python)), STRING)
            found[name.removeprefix("custom_attributes.")] = kind
        elif isinstance(value, list):
            for member in value:
                found.update(custom_attribute_types(member))
    return found
