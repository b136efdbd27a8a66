"""A compact compiler for Intercom's search language (`field`/`operator`/`value` filters, AND/OR groups).

It knows nothing of tickets: it asks `resolve(field_name)` for a `SearchField` (declared in
`search_fields.py`) and turns the query into one SQLAlchemy condition. Meant to be swapped for the
shared engine (`tidings.core.search`) once that exists; the field declarations stay as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from tidings.core.errors import TidingsError, invalid

FieldKind = Literal["string", "integer", "float", "date", "boolean"]

MAX_DEPTH = 2
MAX_FILTERS_PER_GROUP = 15
_OPERATORS: dict[FieldKind, frozenset[str]] = {
    "string": frozenset({"=", "!=", "IN", "NIN", "~", "!~", "^", "$"}),
    "integer": frozenset({"=", "!=", "IN", "NIN", "<", ">", "<=", ">="}),
    "float": frozenset({"=", "!=", "IN", "NIN", "<", ">", "<=", ">="}),
    "date": frozenset({"=", "!=", "IN", "NIN", "<", ">", "<=", ">="}),
    "boolean": frozenset({"=", "!="}),
}
_NEGATIONS = {"!=": "=", "NIN": "IN", "!~": "~"}


@dataclass(frozen=True, slots=True)
class SearchField:
    """How one searchable field is compared.

    `column` is what a value is compared to. `within`, when set, lifts a condition on `column`
    (a column of another table) to a condition on the searched row, e.g. an EXISTS subquery; a
    negated operator then means "no related row matches". `translate` maps a wire value to the
    stored one (e.g. a category's search term to its stored name).
    """

    kind: FieldKind
    column: Any
    within: Callable[[ColumnElement[bool]], ColumnElement[bool]] | None = None
    translate: Callable[[Any], Any] | None = None


Resolver = Callable[[str], Awaitable[SearchField]]


def _scalar(field_name: str, field: SearchField, value: Any) -> Any:
    kind = field.kind
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        ok = isinstance(value, bool)
    elif kind == "float":
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        # Integers and dates (Unix seconds) also come as numeric strings, as in the spec's own examples.
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok:
        raise invalid(f"The value for {field_name} must be of type {kind}", field_name)
    return field.translate(value) if field.translate else value


def _compare(column: Any, operator: str, value: Any) -> ColumnElement[bool]:
    if operator == "=":
        return column.is_(None) if value is None else column == value
    if operator == "IN":
        known = [v for v in value if v is not None]
        matches = column.in_(known) if known else false()
        return or_(matches, column.is_(None)) if None in value else matches
    if operator == "<":
        return column < value
    if operator == ">":
        return column > value
    if operator == "<=":
        return column <= value
    if operator == ">=":
        return column >= value
    if operator == "~":
        return column.icontains(value, autoescape=True)
    if operator == "^":
        return column.istartswith(value, autoescape=True)
    return column.iendswith(value, autoescape=True)


def _filter(field_name: str, field: SearchField, operator: str, raw: Any) -> ColumnElement[bool]:
    if operator not in _OPERATORS[field.kind]:
        raise invalid(f"The operator {operator} cannot be used with {field_name}", field_name)
    if operator in ("IN", "NIN"):
        if not isinstance(raw, list):
            raise invalid(f"The value for {operator} must be an array", field_name)
        value: Any = [_scalar(field_name, field, v) for v in raw]
    elif raw is None and operator in ("=", "!="):
        value = None
    else:
        value = _scalar(field_name, field, raw)
    positive = _NEGATIONS.get(operator, operator)
    condition = _compare(field.column, positive, value)
    lifted = field.within(condition) if field.within else condition
    if positive == operator:
        return lifted
    if field.within is None and value is not None:
        # A row whose column is null does not equal the value either.
        return or_(not_(lifted), field.column.is_(None))
    return not_(lifted)


async def _compile(query: Any, resolve: Resolver, depth: int) -> ColumnElement[bool]:
    if not isinstance(query, dict):
        raise invalid("A search query must be an object", "query")
    operator = query.get("operator")
    if operator in ("AND", "OR"):
        members = query.get("value")
        if not isinstance(members, list) or not members:
            raise invalid(f"An {operator} query needs a non-empty array of filters", "query")
        if depth >= MAX_DEPTH:
            raise invalid(f"Search queries can nest at most {MAX_DEPTH} levels", "query")
        if len(members) > MAX_FILTERS_PER_GROUP:
            raise invalid(f"Search queries allow at most {MAX_FILTERS_PER_GROUP} filters in each group", "query")
        parts = [await _compile(member, resolve, depth + 1) for member in members]
        return and_(true(), *parts) if operator == "AND" else or_(false(), *parts)
    field_name = query.get("field")
    if not isinstance(field_name, str) or not isinstance(operator, str):
        raise TidingsError(400, "parameter_invalid", "A search filter needs a field, an operator and a value", "query")
    return _filter(field_name, await resolve(field_name), operator, query.get("value"))


async def compile_query(query: Any, resolve: Resolver) -> ColumnElement[bool]:
    return await _compile(query, resolve, 0)
