"""The searchable ticket fields (the spec's table for `POST /tickets/search`), declared for the core search language.

Only declarations live here: which column a field compares, of which type, how a related table's
condition is lifted to the ticket, and the `ticket_attribute.{id}` family, whose types come from the
attributes the query names (`ticket_search`). `tidings.core.search` turns queries into SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from tidings.core.errors import UNKNOWN_TICKET_ATTRIBUTE, found, invalid
from tidings.core.ids import is_integer_text
from tidings.core.search import FieldKind, FieldType, Searchable, SearchField
from tidings.core.uow import UnitOfWork
from tidings.tickets import storage
from tidings.tickets.storage import (
    ticket_attribute_values,
    ticket_parts,
    ticket_states,
    ticket_type_attributes,
    ticket_types,
    tickets,
)
from tidings.tickets.types_service import DESCRIPTION, TITLE

# Search names categories by Intercom's internal terms.
CATEGORY_TERMS = {"request": "Customer", "task": "Back-office", "tracker": "Tracker"}
ATTRIBUTE_PREFIX = "ticket_attribute."
_VALUES = ticket_attribute_values


def _assignee(value: int) -> int | None:
    # 0 is Intercom's "unassigned".
    return None if value == 0 else value


def _category(value: str) -> str:
    if value not in CATEGORY_TERMS:
        raise invalid(f"category must be one of {', '.join(CATEGORY_TERMS)}", "category")
    return CATEGORY_TERMS[value]


def _related(
    kind: FieldType,
    column: Any,
    lift: Callable[[ColumnElement[bool]], ColumnElement[bool]],
    convert: Callable[[Any], Any] | None = None,
) -> SearchField:
    return SearchField(column, kind, kind=FieldKind.RELATED, related=lift, convert=convert, sortable=False)


def _attribute_named(name: str) -> Callable[[ColumnElement[bool]], ColumnElement[bool]]:
    def lift(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(
            select(_VALUES.c.ticket_id)
            .join(ticket_type_attributes, ticket_type_attributes.c.id == _VALUES.c.attribute_id)
            .where(_VALUES.c.ticket_id == tickets.c.id, ticket_type_attributes.c.name == name, condition)
        )

    return lift


def _attribute_id(attribute_id: int) -> Callable[[ColumnElement[bool]], ColumnElement[bool]]:
    def lift(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(
            select(_VALUES.c.ticket_id).where(
                _VALUES.c.ticket_id == tickets.c.id, _VALUES.c.attribute_id == attribute_id, condition
            )
        )

    return lift


def _teammate_part(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(ticket_parts.c.id).where(
            ticket_parts.c.ticket_id == tickets.c.id, ticket_parts.c.author_type == "admin", condition
        )
    )


def _type_with(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return tickets.c.ticket_type_id.in_(select(ticket_types.c.id).where(condition))


def _state_with(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return tickets.c.ticket_state_id.in_(select(ticket_states.c.id).where(condition))


STRING, INTEGER, TIMESTAMP = FieldType.STRING, FieldType.INTEGER, FieldType.TIMESTAMP
TICKET_FIELDS: dict[str, SearchField] = {
    "id": SearchField(tickets.c.id, INTEGER),
    "created_at": SearchField(tickets.c.created_at, TIMESTAMP),
    "updated_at": SearchField(tickets.c.updated_at, TIMESTAMP),
    "snoozed_until": SearchField(tickets.c.snoozed_until, TIMESTAMP),
    "title": _related(STRING, _VALUES.c.text_value, _attribute_named(TITLE)),
    "description": _related(STRING, _VALUES.c.text_value, _attribute_named(DESCRIPTION)),
    "category": _related(STRING, ticket_types.c.category, _type_with, convert=_category),
    "ticket_type_id": SearchField(tickets.c.ticket_type_id, INTEGER),
    "contact_ids": SearchField(tickets.c.contact_id, STRING),
    "teammate_ids": _related(STRING, ticket_parts.c.author_id, _teammate_part),
    "admin_assignee_id": SearchField(tickets.c.admin_assignee_id, INTEGER, convert=_assignee),
    "team_assignee_id": SearchField(tickets.c.team_assignee_id, INTEGER, convert=_assignee),
    "open": SearchField(tickets.c.open, FieldType.BOOLEAN),
    # `state` is the state's category (submitted, in_progress, waiting_on_customer, resolved).
    "state": _related(STRING, ticket_states.c.category, _state_with),
}

# Attribute data types → how their values compare (the typed columns of ticket_attribute_values).
_ATTRIBUTE_TYPES: dict[str, tuple[FieldType, Any]] = {
    "string": (STRING, _VALUES.c.text_value),
    "list": (STRING, _VALUES.c.text_value),
    "files": (STRING, _VALUES.c.text_value),
    "integer": (FieldType.FLOAT, _VALUES.c.number_value),
    "decimal": (FieldType.FLOAT, _VALUES.c.number_value),
    "datetime": (TIMESTAMP, _VALUES.c.number_value),
    "boolean": (FieldType.BOOLEAN, _VALUES.c.bool_value),
}


def _list_label(attribute: Any) -> Callable[[Any], Any]:
    """A list attribute is searched by its option id (what tickets are set with) or its label."""
    labels = {o["id"]: o["label"] for o in (attribute["input_options"] or {}).get("list_options", [])}
    return lambda value: labels.get(value, value)


def _attribute_field(attribute: Any) -> SearchField:
    kind, column = _ATTRIBUTE_TYPES[attribute["data_type"]]
    convert = _list_label(attribute) if attribute["data_type"] == "list" else None
    return _related(kind, column, _attribute_id(attribute["id"]), convert=convert)


def _attribute_family(attributes: dict[int, Any]) -> Callable[[str], SearchField]:
    def field(raw_id: str) -> SearchField:
        name = ATTRIBUTE_PREFIX + raw_id
        if not is_integer_text(raw_id):
            raise UNKNOWN_TICKET_ATTRIBUTE("The request ticket attribute ID is not a valid integer", name)
        attribute = found(
            attributes.get(int(raw_id)), UNKNOWN_TICKET_ATTRIBUTE(f"No ticket attribute has the id {raw_id}", name)
        )
        return _attribute_field(attribute)

    return field


def _named_attribute_ids(query: Any) -> Iterator[int]:
    """The ids of the `ticket_attribute.{id}` fields a (not yet validated) query names."""
    if isinstance(query, dict):
        name = query.get("field")
        if isinstance(name, str) and name.startswith(ATTRIBUTE_PREFIX):
            raw_id = name.removeprefix(ATTRIBUTE_PREFIX)
            if is_integer_text(raw_id) and len(raw_id) < 19:
                yield int(raw_id)
        yield from _named_attribute_ids(query.get("value"))
    elif isinstance(query, list):
        for item in query:
            yield from _named_attribute_ids(item)


async def ticket_search(uow: UnitOfWork, query: Any) -> Searchable:
    """The ticket fields, with the `ticket_attribute.{id}` fields of the attributes `query` names."""
    ids = sorted(set(_named_attribute_ids(query)))
    attributes = {row["id"]: row for row in await storage.attributes_by_id(uow, ids)} if ids else {}
    return Searchable(
        fields=TICKET_FIELDS,
        owner=tickets.c.id,
        families={ATTRIBUTE_PREFIX: _attribute_family(attributes)},
        unknown_field_code="field_not_found",
    )
