"""A compact compiler for Intercom's search query language over declared fields.

    {"field": f, "operator": op, "value": v}            a filter
    {"operator": "AND" | "OR", "value": [queries]}      a group (≤ 2 levels of nesting, ≤ 15 per group)

Stands in for the shared engine (`tidings.core.search`) until it lands: it takes nothing but a
query and a field declaration (`search_fields.py`), so swapping it is a one-line change in the
service. Bad queries are refused with 400 `parameter_invalid`, naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import and_, false, not_, or_, true

from tidings.conversations.search_fields import BOOLEAN, DATE, INTEGER, NUMERIC_ID, SearchField
from tidings.core.errors import TidingsError

MAX_NESTING = 2
MAX_FILTERS_PER_GROUP = 15
ORDERING = {"<", ">", "<=", ">="}
TEXT_MATCHING = {"~", "!~", "^", "$"}
OPERATORS = {"=", "!=", "IN", "NIN", *ORDERING, *TEXT_MATCHING}


def refuse(message: str, field: str = "query") -> TidingsError:
    return TidingsError(400, "parameter_invalid", message, field)


def compile_query(query: Any, fields: Mapping[str, SearchField], *, inclusive_ranges: bool = False) -> Any:
    """The SQL condition for `query`. `inclusive_ranges`: `>`/`<` include the bound (conversations, tickets)."""
    return _compile(query, fields, inclusive_ranges, depth=0)


def _compile(query: Any, fields: Mapping[str, SearchField], inclusive: bool, depth: int) -> Any:
    if not isinstance(query, dict):
        raise refuse("query must be an object")
    operator = query.get("operator")
    if operator in ("AND", "OR") and "field" not in query:
        members = query.get("value")
        if not isinstance(members, list) or not members:
            raise refuse(f"{operator} needs a non-empty list of filters as its value")
        if depth >= MAX_NESTING:
            raise refuse(f"queries can nest at most {MAX_NESTING} levels")
        if len(members) > MAX_FILTERS_PER_GROUP:
            raise refuse(f"at most {MAX_FILTERS_PER_GROUP} filters are allowed in each {operator} group")
        parts = [_compile(member, fields, inclusive, depth + 1) for member in members]
        return and_(*parts) if operator == "AND" else or_(*parts)
    return _filter(query, fields, inclusive)


def _filter(query: dict[str, Any], fields: Mapping[str, SearchField], inclusive: bool) -> Any:
    name = query.get("field")
    operator = query.get("operator")
    if not isinstance(name, str) or name not in fields:
        raise refuse(f"{name!r} is not a searchable field", "query.field")
    if operator not in OPERATORS:
        raise refuse(f"{operator!r} is not a valid operator", "query.operator")
    if "value" not in query:
        raise TidingsError(400, "parameter_not_found", "value is a required parameter", "query.value")
    field = fields[name]
    value = query["value"]
    if operator in ("IN", "NIN"):
        if not isinstance(value, list) or not value:
            raise refuse(f"{operator} on {name} needs a non-empty array value", name)
        values = [_coerce(field, name, v) for v in value]
    else:
        values = [_coerce(field, name, value)]
    if operator in ORDERING and field.type not in (INTEGER, DATE, NUMERIC_ID):
        raise refuse(f"{operator} is not valid for {name}, a {field.type} field", name)
    if operator in TEXT_MATCHING and field.type in (INTEGER, DATE, BOOLEAN, NUMERIC_ID):
        raise refuse(f"{operator} is not valid for {name}, a {field.type} field", name)
    if operator in ORDERING and values[0] is None:
        raise refuse(f"{operator} on {name} needs a value", name)
    if field.members is not None:
        return _members(field, operator, values)
    return _condition(field, field.column, operator, values, inclusive)


def _members(field: SearchField, operator: str, values: list[Any]) -> Any:
    negated = operator in ("!=", "NIN", "!~")
    positive = {"!=": "=", "NIN": "IN", "!~": "~"}.get(operator, operator)
    if values == [None]:
        # `contact_ids = null`: conversations with no such members.
        return field.members(lambda _: true()) if negated else not_(field.members(lambda _: true()))
    condition = field.members(lambda column: _condition(field, column, positive, values, inclusive=False))
    return not_(condition) if negated else condition


def _condition(field: SearchField, column: Any, operator: str, values: list[Any], inclusive: bool) -> Any:
    value = values[0]
    if operator == "=":
        if value is None:
            return column.is_(None)
        if field.words:
            return _word(column, str(value))
        return column == value
    if operator == "!=":
        if value is None:
            return column.is_not(None)
        if field.words:
            return not_(_word(column, str(value)))
        return or_(column != value, column.is_(None))
    if operator == "IN":
        present = [v for v in values if v is not None]
        return or_(column.in_(present) if present else false(), *([column.is_(None)] if None in values else []))
    if operator == "NIN":
        present = [v for v in values if v is not None]
        kept = or_(column.not_in(present), column.is_(None)) if present else true()
        return and_(kept, column.is_not(None)) if None in values else kept
    if operator in ORDERING:
        return _ordering(column, operator, value, inclusive)
    return _text(column, operator, "" if value is None else str(value), field.words)


def _word(column: Any, value: str) -> Any:
    """One whole word of the text; a phrase never matches (the spec's `source.body` rule)."""
    tokens = value.lower().split()
    if len(tokens) != 1:
        return false()
    return column.like(f"% {_escape(tokens[0])} %", escape="\\")


def _ordering(column: Any, operator: str, value: Any, inclusive: bool) -> Any:
    comparisons: dict[str, Callable[[Any, Any], Any]] = {
        ">": (lambda a, b: a >= b) if inclusive else (lambda a, b: a > b),
        "<": (lambda a, b: a <= b) if inclusive else (lambda a, b: a < b),
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
    }
    return comparisons[operator](column, value)


def _text(column: Any, operator: str, value: str, words: bool) -> Any:
    needle = _escape(value.lower() if words else value)
    patterns = {"~": f"%{needle}%", "!~": f"%{needle}%", "^": f"{needle}%", "$": f"%{needle}"}
    if words and operator in ("^", "$"):
        patterns = {"^": f" {needle}%", "$": f"%{needle} "}
    matched = column.like(patterns[operator], escape="\\")
    return or_(not_(matched), column.is_(None)) if operator == "!~" else matched


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _coerce(field: SearchField, name: str, value: Any) -> Any:
    if value is None:
        return None
    if field.type in (INTEGER, DATE, NUMERIC_ID):
        if isinstance(value, bool):
            raise refuse(f"{name} needs an integer value", name)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise refuse(f"{name} needs {'a date (Unix timestamp)' if field.type == DATE else 'an integer'} value", name)
    if field.type == BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise refuse(f"{name} needs a boolean value", name)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise refuse(f"{name} needs a string value", name)
