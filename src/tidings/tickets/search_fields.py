"""The searchable ticket fields (the spec's table for `POST /tickets/search`), declared for the compiler.

Only declarations live here: which column a field compares, of which kind, and how a related
table's condition is lifted to the ticket. `search_compiler.py` turns queries into SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from tidings.core.errors import TidingsError, invalid
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.tickets import storage
from tidings.tickets.search_compiler import FieldKind, Resolver, SearchField
from tidings.tickets.storage import (
    ticket_attribute_values,
    ticket_parts,
    ticket_states,
    ticket_type_attributes,
    ticket_types,
    tickets,
)
from tidings.tickets.types_service import DESCRIPTION, TITLE

# Ids are strings on the wire; numeric strings compare with the integer keys.
# Search names categories by Intercom's internal terms.
CATEGORY_TERMS = {"request": "Customer", "task": "Back-office", "tracker": "Tracker"}
ATTRIBUTE_PREFIX = "ticket_attribute."
_VALUES = ticket_attribute_values


def _numeric_id(value: Any) -> int:
    numeric = parse_numeric_id(value) if isinstance(value, str | int) else None
    # No row has id 0 or a non-numeric id: -1 matches nothing, as such an id would.
    return numeric or -1


def _assignee(value: Any) -> int | None:
    # "0" is Intercom's "unassigned".
    return None if str(value) == "0" else _numeric_id(value)


def _category(value: str) -> str:
    if value not in CATEGORY_TERMS:
        raise invalid(f"category must be one of {', '.join(CATEGORY_TERMS)}", "category")
    return CATEGORY_TERMS[value]


def _attribute_named(name: str) -> Callable[[ColumnElement[bool]], ColumnElement[bool]]:
    def within(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(
            select(_VALUES.c.ticket_id)
            .join(ticket_type_attributes, ticket_type_attributes.c.id == _VALUES.c.attribute_id)
            .where(_VALUES.c.ticket_id == tickets.c.id, ticket_type_attributes.c.name == name, condition)
        )

    return within


def _attribute_id(attribute_id: int) -> Callable[[ColumnElement[bool]], ColumnElement[bool]]:
    def within(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(
            select(_VALUES.c.ticket_id).where(
                _VALUES.c.ticket_id == tickets.c.id, _VALUES.c.attribute_id == attribute_id, condition
            )
        )

    return within


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


TICKET_FIELDS: dict[str, SearchField] = {
    "id": SearchField("integer", tickets.c.id, translate=_numeric_id),
    "created_at": SearchField("date", tickets.c.created_at),
    "updated_at": SearchField("date", tickets.c.updated_at),
    "snoozed_until": SearchField("date", tickets.c.snoozed_until),
    "title": SearchField("string", _VALUES.c.text_value, within=_attribute_named(TITLE)),
    "description": SearchField("string", _VALUES.c.text_value, within=_attribute_named(DESCRIPTION)),
    "category": SearchField("string", ticket_types.c.category, within=_type_with, translate=_category),
    "ticket_type_id": SearchField("integer", tickets.c.ticket_type_id, translate=_numeric_id),
    "contact_ids": SearchField("string", tickets.c.contact_id),
    "teammate_ids": SearchField("string", ticket_parts.c.author_id, within=_teammate_part, translate=str),
    "admin_assignee_id": SearchField("integer", tickets.c.admin_assignee_id, translate=_assignee),
    "team_assignee_id": SearchField("integer", tickets.c.team_assignee_id, translate=_assignee),
    "open": SearchField("boolean", tickets.c.open),
    # `state` is the state's category (submitted, in_progress, waiting_on_customer, resolved).
    "state": SearchField("string", ticket_states.c.category, within=_state_with),
}

# Attribute data types → how their values compare (the typed columns of ticket_attribute_values).
_ATTRIBUTE_KINDS: dict[str, tuple[FieldKind, Any]] = {
    "string": ("string", _VALUES.c.text_value),
    "list": ("string", _VALUES.c.text_value),
    "files": ("string", _VALUES.c.text_value),
    "integer": ("float", _VALUES.c.number_value),
    "decimal": ("float", _VALUES.c.number_value),
    "datetime": ("date", _VALUES.c.number_value),
    "boolean": ("boolean", _VALUES.c.bool_value),
}


def _list_label(attribute: Any) -> Callable[[Any], Any]:
    """A list attribute is searched by its option id (what tickets are set with) or its label."""
    labels = {o["id"]: o["label"] for o in (attribute["input_options"] or {}).get("list_options", [])}
    return lambda value: labels.get(value, value)


async def _attribute_field(uow: UnitOfWork, name: str) -> SearchField:
    raw_id = name.removeprefix(ATTRIBUTE_PREFIX)
    if not raw_id.isdigit():
        raise TidingsError(400, "field_not_found", "The request ticket attribute ID is not a valid integer", name)
    attribute = await storage.get_attribute(uow, int(raw_id))
    if attribute is None:
        raise TidingsError(400, "field_not_found", f"No ticket attribute has the id {raw_id}", name)
    kind, column = _ATTRIBUTE_KINDS[attribute["data_type"]]
    translate = _list_label(attribute) if attribute["data_type"] == "list" else None
    return SearchField(kind, column, within=_attribute_id(attribute["id"]), translate=translate)


def ticket_field_resolver(uow: UnitOfWork) -> Resolver:
    async def resolve(name: str) -> SearchField:
        if name.startswith(ATTRIBUTE_PREFIX):
            return await _attribute_field(uow, name)
        field = TICKET_FIELDS.get(name)
        if field is None:
            raise TidingsError(400, "field_not_found", f"{name} is not a searchable ticket field", name)
        return field

    return resolve
