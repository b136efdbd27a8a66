"""Intercom's search query language, once, for every resource that can be searched.

A query is a filter `{"field", "operator", "value"}` or a group `{"operator": "AND"|"OR",
"value": [filters or groups]}`. Groups nest at most two levels deep and hold at most 15 items;
anything else is refused with 400 `parameter_invalid`, as is an unknown field, an operator the
field's type does not take, or a value of the wrong type. Nothing here knows any resource.

Using it from a resource (contacts, conversations, tickets, companies...):

    FIELDS = Searchable(
        fields={
            "id": SearchField(table.c.id, FieldType.STRING),
            "created_at": SearchField(table.c.created_at, FieldType.DATE),   # day granularity
            "updated_at": SearchField(table.c.updated_at, FieldType.TIMESTAMP),  # exact seconds
            "open": SearchField(table.c.open, FieldType.BOOLEAN),
            "tag_id": SearchField(kind=FieldKind.MEMBERSHIP,   # values None: related to anything
                                  members=lambda values: <select of the owner ids related to any of values>),
        },
        owner=table.c.id,
        custom_attributes=table.c.custom_attributes,   # enables `custom_attributes.{name}`
    )
    condition = compile_query(FIELDS, body["query"], uow.dialect,
                              {"plan": FieldType.STRING})   # custom attribute types, e.g. from
                              # tidings.data_attributes.service.custom_types(uow, "contact")
    page = await search_page(uow, uow.select(table), FIELDS, condition=condition, sort=body.get("sort"),
                             pagination=body.get("pagination"), default_per_page=20, max_per_page=150)
    # page.rows (mappings, plus a `_sort_key` column), page.total_count, page.pages (the spec's cursor_pages)

- A field of kind `RELATED` compares a column of another table (a ticket's attribute values, a
  conversation's tags): `related(condition)` lifts a condition on that column to one on the searched
  row (an EXISTS or IN). It takes every operator of its type; a negated one (`!=`, `NIN`, `!~`)
  means no related row matches, `= null` that no related row has a value.
- `SearchField.convert` maps a value, once checked against the field's type, to the stored one
  (e.g. a category's search term to its stored name); it may raise `TidingsError`, and a `None`
  it returns matches absence (so `IN` may mix both).
- `Searchable.families` declares dynamic field names: a prefix such as `"ticket_attribute."`
  maps to a function from the rest of the name to its `SearchField` (None: unknown; it may raise
  its own error). `Searchable.unknown_field_code` is the error code for unknown fields.
- `Searchable.inclusive_ranges`: `>`/`<` include the bound (conversations and tickets document
  "greater (or equal)"). `Searchable.default_sort` names the field results are ordered by without
  a `sort` (descending), `created_at` unless said otherwise.
- `compile_query(searchable, query, dialect, custom_types)` validates and returns a
  SQLAlchemy Core boolean expression. `custom_types` maps a custom attribute's name to its type;
  a `custom_attributes.{name}` absent from it is an unknown field. A field of kind `PREDICATE`
  calls `predicate(operator, value)` to build its own condition (e.g. `segment_id`, whose
  segments are saved queries the resource compiles in turn, or a word-token match such as
  conversations' `source.body`); it takes `= != IN NIN`, as MEMBERSHIP fields do, unless it
  declares `operators`.
- `json_value(column, key, type, dialect)` is a typed value inside a JSON column (for declaring
  fields such as `location.country`); NULL where absent or of another JSON type.
- `saved_query_predicate(searchable, dialect, saved)` builds the predicate of a `segment_id`-like
  field from saved queries.
- `validate_query(searchable, query, custom_types)` only checks (used to store saved queries).
- `search_page(...)` orders (by `sort` `{"field", "order": "ascending"|"descending"}`, default
  the `default_sort` field descending when declared, then the owner key), pages with the keyset
  cursors of `tidings.core.paging`, and returns `SearchPage(rows, total_count, pages)`. Pass the
  compiled query as `condition`, apart from the statement it filters: `count_statement` then
  counts an OR with a subquery branch (e.g. a tag) as a union, which indexes can serve.

Semantics shared by SQL and the in-memory reference (tests/test_search_language.py):
- `=`/`!=` with `null` test absence; `!=`, `NIN` and `!~` also match rows where the field is absent.
- Strings: `=`, `!=`, `IN`, `NIN` compare exactly; `~`, `!~`, `^`, `$` compare case-insensitively
  (ASCII). Integers, floats and dates take `<`, `>`, `<=`, `>=`. Booleans take `=`, `!=`.
- DATE fields compare by UTC day (Intercom's contacts search): `> t` means from the day after
  t's day, `< t` before t's day, `= t` on t's day. TIMESTAMP fields compare to the second.
- Numeric strings are accepted for integer and date fields; "true"/"false" for booleans.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
    union,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BooleanClauseList, Grouping
from sqlalchemy.sql.selectable import SelectBase

from tidings.core.errors import INVALID_SORT_ORDER, TidingsError, invalid, missing
from tidings.core.ids import is_integer_text
from tidings.core.limits import MAX_IN_VALUES, MAX_MATCHED_LENGTH, MAX_SEARCH_VALUE_LENGTH
from tidings.core.paging import CursorPages, clamp_per_page, cursor_pages, decode_cursor, invalid_cursor

MAX_DEPTH = 2
MAX_ITEMS = 15
DAY = 86400
CUSTOM_PREFIX = "custom_attributes."


class FieldType(enum.Enum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"


class FieldKind(enum.Enum):
    COLUMN = "column"
    MEMBERSHIP = "membership"
    PREDICATE = "predicate"
    RELATED = "related"


ANY_TYPE_OPERATORS = frozenset({"=", "!=", "IN", "NIN"})
ORDERED_OPERATORS = frozenset({"<", ">", "<=", ">="})
STRING_OPERATORS = frozenset({"~", "!~", "^", "$"})
OPERATORS = ANY_TYPE_OPERATORS | ORDERED_OPERATORS | STRING_OPERATORS
NUMERIC = frozenset({FieldType.INTEGER, FieldType.FLOAT, FieldType.DATE, FieldType.TIMESTAMP})
NEGATED = {"!=": "=", "NIN": "IN", "!~": "~"}
INCLUSIVE = {">": ">=", "<": "<="}


@dataclass(frozen=True)
class SearchField:
    """A searchable field: a column expression, a membership (has any of), a resource predicate,
    or a column of a related table."""

    expression: Any = None
    type: FieldType = FieldType.STRING
    kind: FieldKind = FieldKind.COLUMN
    # MEMBERSHIP: values (None: any value) -> a select of the owner keys related to any of them.
    members: Callable[[list[Any] | None], Select[Any]] | None = None
    # PREDICATE: (operator, value) -> condition.
    predicate: Callable[[str, Any], ColumnElement[bool]] | None = None
    # PREDICATE: the operators it takes, when more than `= != IN NIN`.
    operators: frozenset[str] | None = None
    # RELATED: a condition on `expression` (another table's column) -> a condition on the owner row.
    related: Callable[[ColumnElement[bool]], ColumnElement[bool]] | None = None
    # A checked wire value -> the stored value (None matches absence).
    convert: Callable[[Any], Any] | None = None
    sortable: bool = True


FieldFamily = Callable[[str], SearchField | None]


@dataclass(frozen=True)
class Searchable:
    fields: Mapping[str, SearchField]
    owner: Any
    custom_attributes: Any = None
    # Prefix -> the field for the rest of a dynamic name, e.g. "ticket_attribute." -> attribute by id.
    families: Mapping[str, FieldFamily] = field(default_factory=dict)
    inclusive_ranges: bool = False
    default_sort: str = "created_at"
    unknown_field_code: str = "parameter_invalid"


@dataclass(frozen=True)
class SearchPage:
    rows: list[Any]
    total_count: int
    pages: CursorPages


@dataclass
class _Context:
    searchable: Searchable
    dialect: str
    custom_types: Mapping[str, FieldType]


def invalid_query(message: str, field_name: str = "query") -> TidingsError:
    return invalid(message, field_name)


def _shown(value: Any) -> str:
    """A client's value as quoted in a message: never more than a line of it."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:100] + "..."


# ---------------------------------------------------------------- validation


def resolve_field(
    searchable: Searchable, name: Any, custom_types: Mapping[str, FieldType]
) -> tuple[SearchField, str | None]:
    """The field named, and the custom attribute's name when it is one."""
    if not isinstance(name, str) or not name:
        raise invalid_query("Each filter needs a field")
    if len(name) > MAX_SEARCH_VALUE_LENGTH:
        raise invalid_query(f"{_shown(name)} is not a searchable field")
    if name.startswith(CUSTOM_PREFIX) and searchable.custom_attributes is not None:
        attribute = name.removeprefix(CUSTOM_PREFIX)
        if attribute not in custom_types:
            raise invalid_query(f"{_shown(name)} is not a searchable field")
        return SearchField(searchable.custom_attributes, custom_types[attribute]), attribute
    declared = searchable.fields.get(name)
    if declared is not None:
        return declared, None
    for prefix, family in searchable.families.items():
        if name.startswith(prefix) and (member := family(name.removeprefix(prefix))) is not None:
            return member, None
    raise invalid(f"{name} is not a searchable field", name, code=searchable.unknown_field_code)


def _coerce_scalar(value: Any, kind: FieldType, name: str) -> Any:
    if value is None:
        return None
    if kind is FieldType.STRING:
        if isinstance(value, str):
            if len(value) > MAX_SEARCH_VALUE_LENGTH:
                limit = MAX_SEARCH_VALUE_LENGTH
                raise invalid_query(f"Search values for {name} may be at most {limit} characters", name)
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    elif kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
    elif kind is FieldType.FLOAT:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) < 2**63:
            return value
    elif isinstance(value, str) and is_integer_text(value, signed=True) and abs(int(value)) < 2**63:
        return int(value)
    raise invalid_query(f"{_shown(value)} is not a valid {kind.value} value for {name}", name)


def check_filter(searchable: Searchable, node: Mapping[str, Any], custom_types: Mapping[str, FieldType]) -> Any:
    """Validate one filter; returns its value coerced to the field's type."""
    name = node.get("field")
    spec, _ = resolve_field(searchable, name, custom_types)
    operator = node.get("operator")
    if not isinstance(operator, str) or operator not in OPERATORS:
        raise invalid_query(f"{_shown(operator)} is not a valid operator for {name}", str(name))
    kind = spec.type
    if operator in ORDERED_OPERATORS and kind not in NUMERIC:
        raise invalid_query(f"The {operator} operator cannot be used on {name} ({kind.value})", str(name))
    if operator in STRING_OPERATORS and kind is not FieldType.STRING:
        raise invalid_query(f"The {operator} operator cannot be used on {name} ({kind.value})", str(name))
    if operator not in _operators_of(spec):
        raise invalid_query(f"The {operator} operator cannot be used on {name}", str(name))
    value = node.get("value")
    if operator in ("IN", "NIN"):
        if not isinstance(value, list) or not value:
            raise invalid_query(f"The {operator} operator needs a non-empty array value for {name}", str(name))
        if len(value) > MAX_IN_VALUES:
            raise invalid_query(f"The {operator} operator takes at most {MAX_IN_VALUES} values for {name}", str(name))
        return [_converted(spec, _coerce_scalar(v, kind, str(name))) for v in value if v is not None]
    if isinstance(value, list | dict):
        raise invalid_query(f"The {operator} operator needs a single value for {name}", str(name))
    if value is None and operator not in ("=", "!="):
        raise invalid_query(f"The {operator} operator needs a value for {name}", str(name))
    return _converted(spec, _coerce_scalar(value, kind, str(name)))


def _operators_of(spec: SearchField) -> frozenset[str]:
    if spec.kind is FieldKind.PREDICATE:
        return spec.operators or ANY_TYPE_OPERATORS
    if spec.kind is FieldKind.MEMBERSHIP:
        return ANY_TYPE_OPERATORS
    return OPERATORS


def _converted(spec: SearchField, value: Any) -> Any:
    return spec.convert(value) if spec.convert is not None and value is not None else value


def _walk(searchable: Searchable, node: Any, custom_types: Mapping[str, FieldType], depth: int) -> None:
    if not isinstance(node, Mapping):
        raise invalid_query("A query must be an object")
    if node.get("operator") in ("AND", "OR"):
        if depth >= MAX_DEPTH:
            raise invalid_query(f"Queries may nest AND/OR groups at most {MAX_DEPTH} levels deep")
        items = node.get("value")
        if not isinstance(items, list) or not items:
            raise invalid_query(f"An {node['operator']} group needs a non-empty array of filters")
        if len(items) > MAX_ITEMS:
            raise invalid_query(f"An {node['operator']} group may hold at most {MAX_ITEMS} filters")
        for item in items:
            _walk(searchable, item, custom_types, depth + 1)
        return
    check_filter(searchable, node, custom_types)


def validate_query(searchable: Searchable, query: Any, custom_types: Mapping[str, FieldType] | None = None) -> None:
    if query is None:
        raise missing("query")
    _walk(searchable, query, custom_types or {}, 0)


# ---------------------------------------------------------------- compilation


def json_value(column: Any, attribute: str, kind: FieldType, dialect: str) -> ColumnElement[Any]:
    """A custom attribute's value, NULL where it is absent or stored with another JSON type."""
    if dialect == "postgresql":
        node = type_coerce(column, JSONB)[attribute]
        json_type = func.jsonb_typeof(node)
        text = node.astext
        if kind is FieldType.STRING:
            return case((json_type == "string", text), else_=None)
        if kind is FieldType.BOOLEAN:
            return case((json_type == "boolean", cast(text, Boolean)), else_=None)
        return case((json_type == "number", cast(text, Float)), else_=None)
    path = '$."' + attribute.replace('"', '\\"') + '"'
    json_type = func.json_type(column, path)
    extracted = func.json_extract(column, path)
    if kind is FieldType.STRING:
        return case((json_type == "text", extracted), else_=None)
    if kind is FieldType.BOOLEAN:
        return case((json_type == "true", true()), (json_type == "false", false()), else_=None)
    return case((json_type.in_(["integer", "real"]), extracted), else_=None)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _string_match(expr: ColumnElement[Any], operator: str, value: str, dialect: str) -> ColumnElement[bool]:
    """`~ !~ ^ $`, ASCII case-insensitive. Only `^` is a LIKE (a prefix pattern costs its own length
    and can use a NOCASE index); contains and ends-with are a substring search and a suffix
    comparison, and contains looks at the first MAX_MATCHED_LENGTH characters of the stored text:
    a LIKE '%...%' costs the stored length times the value's, and a substring search over a
    megabyte is still milliseconds per row, in one step a statement budget cannot interrupt."""
    wanted = value.lower()
    if not wanted:
        matched: ColumnElement[bool] = true()
    elif operator == "^":
        pattern = f"{_escape_like(wanted)}%"
        # Inlined, not bound: a plan made for an unknown pattern cannot use a prefix index.
        inlined = bindparam(None, pattern, String(), literal_execute=True)
        # SQLite's LIKE already ignores ASCII case, and on a bare column it can use a NOCASE index.
        matched = (expr if dialect == "sqlite" else func.lower(expr)).like(inlined, escape="\\")
    elif operator == "$":
        tail = func.right(expr, len(wanted)) if dialect == "postgresql" else func.substr(expr, -len(wanted))
        matched = func.lower(tail) == wanted
    else:
        searched = func.lower(func.substr(expr, 1, MAX_MATCHED_LENGTH))
        position = func.strpos(searched, wanted) if dialect == "postgresql" else func.instr(searched, wanted)
        matched = position > 0
    if operator == "!~":
        return or_(expr.is_(None), not_(matched))
    return and_(expr.is_not(None), matched)


def _day_start(value: int) -> int:
    return value - value % DAY


def _ordered(expr: ColumnElement[Any], operator: str, value: Any, kind: FieldType) -> ColumnElement[bool]:
    if value is None:
        # A value converted to "absent" (e.g. an "unassigned" id) has no order.
        return false()
    if kind is FieldType.DATE:
        start = _day_start(value)
        bounds = {"<": expr < start, "<=": expr < start + DAY, ">": expr >= start + DAY, ">=": expr >= start}
        return bounds[operator]
    return {"<": expr < value, "<=": expr <= value, ">": expr > value, ">=": expr >= value}[operator]


def _equals(expr: ColumnElement[Any], value: Any, kind: FieldType) -> ColumnElement[bool]:
    if kind is FieldType.DATE:
        start = _day_start(value)
        return and_(expr >= start, expr < start + DAY)
    return expr == value


def _column_condition(
    expr: ColumnElement[Any], operator: str, value: Any, kind: FieldType, dialect: str
) -> ColumnElement[bool]:
    if operator in STRING_OPERATORS:
        return _string_match(expr, operator, value, dialect)
    if operator in ORDERED_OPERATORS:
        return _ordered(expr, operator, value, kind)
    if operator == "=":
        return expr.is_(None) if value is None else _equals(expr, value, kind)
    if operator == "!=":
        return expr.is_not(None) if value is None else or_(expr.is_(None), not_(_equals(expr, value, kind)))
    present = [v for v in value if v is not None]
    matches = or_(*(_equals(expr, v, kind) for v in present)) if kind is FieldType.DATE else expr.in_(present)
    if len(present) < len(value):
        # A converted value that stands for absence.
        hit = or_(expr.is_(None), matches) if present else expr.is_(None)
        return hit if operator == "IN" else and_(expr.is_not(None), not_(matches) if present else true())
    if operator == "IN":
        return matches if present else false()
    return or_(expr.is_(None), not_(matches)) if present else true()


def _membership_condition(spec: SearchField, owner: Any, operator: str, value: Any) -> ColumnElement[bool]:
    assert spec.members is not None
    if value is None:
        # `= null`: nothing related at all; `!= null`: something.
        has_any = owner.in_(spec.members(None))
        return not_(has_any) if operator == "=" else has_any
    has = owner.in_(spec.members(value if isinstance(value, list) else [value]))
    return has if operator in ("=", "IN") else not_(has)


def _related_condition(spec: SearchField, operator: str, value: Any, dialect: str) -> ColumnElement[bool]:
    assert spec.related is not None
    if value is None:
        # `= null`: no related row has a value; `!= null`: one has.
        has_any = spec.related(spec.expression.is_not(None))
        return not_(has_any) if operator == "=" else has_any
    positive = NEGATED.get(operator, operator)
    has = spec.related(_column_condition(spec.expression, positive, value, spec.type, dialect))
    return not_(has) if operator in NEGATED else has


def _filter(ctx: _Context, node: Mapping[str, Any]) -> ColumnElement[bool]:
    value = check_filter(ctx.searchable, node, ctx.custom_types)
    spec, attribute = resolve_field(ctx.searchable, node["field"], ctx.custom_types)
    operator = node["operator"]
    if spec.kind is FieldKind.PREDICATE:
        assert spec.predicate is not None
        return spec.predicate(operator, value)
    if spec.kind is FieldKind.MEMBERSHIP:
        return _membership_condition(spec, ctx.searchable.owner, operator, value)
    if ctx.searchable.inclusive_ranges:
        operator = INCLUSIVE.get(operator, operator)
    if spec.kind is FieldKind.RELATED:
        return _related_condition(spec, operator, value, ctx.dialect)
    expr = spec.expression
    if attribute is not None:
        if (
            ctx.dialect == "postgresql"
            and operator == "="
            and value is not None
            and spec.type in (FieldType.STRING, FieldType.BOOLEAN)
        ):
            # Containment uses the GIN index on the JSON column.
            return type_coerce(expr, JSONB).contains({attribute: value})
        expr = json_value(expr, attribute, spec.type, ctx.dialect)
    return _column_condition(expr, operator, value, spec.type, ctx.dialect)


def _node(ctx: _Context, node: Mapping[str, Any]) -> ColumnElement[bool]:
    if node.get("operator") in ("AND", "OR"):
        parts = [_node(ctx, item) for item in node["value"]]
        return and_(*parts) if node["operator"] == "AND" else or_(*parts)
    return _filter(ctx, node)


def compile_query(
    searchable: Searchable,
    query: Any,
    dialect: str,
    custom_types: Mapping[str, FieldType] | None = None,
) -> ColumnElement[bool]:
    """Validate `query` and compile it to a boolean SQL expression over the resource's table."""
    types = custom_types or {}
    validate_query(searchable, query, types)
    return _node(_Context(searchable, dialect, types), query)


def saved_query_predicate(
    searchable: Searchable, dialect: str, saved: Mapping[str, Mapping[str, Any]]
) -> Callable[[str, Any], ColumnElement[bool]]:
    """A PREDICATE for fields such as `segment_id`: `= id` matches what the saved query `id` selects.

    `saved` maps an id to `{"query": ..., "types": custom types}`; an unknown id matches nothing.
    """

    def condition(key: Any) -> ColumnElement[bool]:
        entry = saved.get(str(key))
        return compile_query(searchable, entry["query"], dialect, entry["types"]) if entry is not None else false()

    def predicate(operator: str, value: Any) -> ColumnElement[bool]:
        if value is None:
            return true() if operator == "!=" else false()
        values = value if isinstance(value, list) else [value]
        matched = or_(*(condition(v) for v in values)) if values else false()
        return matched if operator in ("=", "IN") else not_(matched)

    return predicate


# ---------------------------------------------------------------- ordering and paging

_NULL_SORT_KEY: dict[FieldType, Any] = {
    FieldType.STRING: "",
    FieldType.BOOLEAN: False,
    FieldType.INTEGER: -(2**62),
    FieldType.FLOAT: -1e308,
    FieldType.DATE: -(2**62),
    FieldType.TIMESTAMP: -(2**62),
}


def sort_expression(searchable: Searchable, sort: Any) -> tuple[ColumnElement[Any], bool]:
    """The expression results are ordered by (nulls folded to the type's lowest key) and whether descending."""
    if sort is None:
        default = searchable.fields.get(searchable.default_sort)
        expr = default.expression if default is not None else searchable.owner
        return expr, True
    if not isinstance(sort, Mapping):
        raise invalid_query("sort must be an object", "sort")
    order = sort.get("order", "descending")
    if order not in ("ascending", "descending"):
        raise INVALID_SORT_ORDER(field="sort.order")
    name = sort.get("field")
    spec = searchable.fields.get(name) if isinstance(name, str) else None
    if spec is None or spec.kind is not FieldKind.COLUMN or not spec.sortable:
        raise invalid_query(f"{name} is not a sortable field", "sort.field")
    return func.coalesce(spec.expression, _NULL_SORT_KEY[spec.type]), order == "descending"


async def search_page(
    uow: Any,
    stmt: Select[Any],
    searchable: Searchable,
    *,
    condition: ColumnElement[bool] | None = None,
    sort: Any = None,
    pagination: Any = None,
    default_per_page: int,
    max_per_page: int,
) -> SearchPage:
    """One page of the rows of `stmt` (one per owner key) that meet `condition` (a compiled query),
    in sort order, with the total count and keyset `pages`."""
    if pagination is not None and not isinstance(pagination, Mapping):
        raise invalid_query("pagination must be an object", "pagination")
    paging = pagination or {}
    per_page_value = paging.get("per_page")
    if per_page_value is not None and (not isinstance(per_page_value, int) or isinstance(per_page_value, bool)):
        raise invalid_query("per_page must be an integer", "pagination.per_page")
    per_page = clamp_per_page(per_page_value, default_per_page, max_per_page)
    cursor = decode_cursor(paging.get("starting_after"))
    key_expr, descending = sort_expression(searchable, sort)
    owner = searchable.owner
    total = int(await uow.scalar(count_statement(stmt, owner, condition)) or 0)
    paged = stmt if condition is None else stmt.where(condition)
    if cursor is not None:
        if len(cursor.key) != 2 or not all(map(_fits, cursor.key, (key_expr, owner))):
            raise invalid_cursor()
        position = tuple_(key_expr, owner)
        after = tuple_(literal(cursor.key[0]), literal(cursor.key[1]))
        paged = paged.where(position < after if descending else position > after)
    ordering = (key_expr.desc(), owner.desc()) if descending else (key_expr.asc(), owner.asc())
    paged = paged.add_columns(key_expr.label("_sort_key")).order_by(*ordering).limit(per_page + 1)
    rows = await uow.all(paged)
    page_rows = rows[:per_page]
    next_key = None
    if len(rows) > per_page:
        last = page_rows[-1]
        next_key = [last["_sort_key"], _owner_value(last, owner)]
    page = cursor.page if cursor is not None else 1
    return SearchPage(rows=page_rows, total_count=total, pages=cursor_pages(page, per_page, total, next_key))


# ---------------------------------------------------------------- counting


def count_statement(stmt: Select[Any], owner: Any, condition: ColumnElement[bool] | None = None) -> Select[Any]:
    """The statement counting the rows of `stmt` (one per `owner` key) that meet `condition`.

    PostgreSQL cannot serve an OR from indexes when one of its branches queries other rows (a
    subquery: `tag_id`, a related field, a saved query): the subquery becomes a filter evaluated on
    every row of the workspace. So such an OR among the conditions `condition` ANDs is counted as the
    union of the owner keys each branch selects (with the other conditions): each branch is planned
    on its own and can use its own index (the membership table's, an indexed column's). ORs of
    plain columns stay as they are: the planner can bitmap-OR those itself, where a union would
    scan once per branch. (SQLite already plans either form as a union of index lookups.)
    """
    conditions = list(_conjuncts(condition))
    disjunction = next((c for c in conditions if _is_disjunction_with_subquery(c)), None)
    if disjunction is None:
        filtered = stmt if condition is None else stmt.where(condition)
        return select(func.count()).select_from(filtered.order_by(None).subquery())
    rest = [c for c in conditions if c is not disjunction]
    keys = stmt.with_only_columns(owner).order_by(None)
    branches = [keys.where(*rest, branch) for branch in _ungrouped(disjunction).clauses]
    return select(func.count()).select_from(union(*branches).subquery())


def _conjuncts(clause: Any) -> Iterator[Any]:
    """The conditions `clause` ANDs together, nested ANDs flattened."""
    inner = _ungrouped(clause)
    if isinstance(inner, BooleanClauseList) and inner.operator is operators.and_:
        for part in inner.clauses:
            yield from _conjuncts(part)
    elif clause is not None:
        yield clause


def _ungrouped(clause: Any) -> Any:
    while isinstance(clause, Grouping):
        clause = clause.element
    return clause


def _is_disjunction_with_subquery(clause: Any) -> bool:
    inner = _ungrouped(clause)
    return (
        isinstance(inner, BooleanClauseList)
        and inner.operator is operators.or_
        and any(isinstance(element, SelectBase) for element in visitors.iterate(inner))
    )


def _fits(value: Any, expr: Any) -> bool:
    """A cursor's key value has the Python type of the expression it is compared with (or is null)."""
    try:
        expected = expr.type.python_type
    except NotImplementedError:
        return value is None or isinstance(value, str | int | float | bool)
    if value is None:
        return True
    if expected is bool or isinstance(value, bool):
        return expected is bool and isinstance(value, bool)
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def _owner_value(row: Any, owner: Any) -> Any:
    return row[owner.name]


def field_types(types: Mapping[str, str]) -> dict[str, FieldType]:
    """Map data-attribute data types (string, integer, float, boolean, date, datetime, options) to field types."""
    mapping = {
        "string": FieldType.STRING,
        "options": FieldType.STRING,
        "integer": FieldType.INTEGER,
        "float": FieldType.FLOAT,
        "decimal": FieldType.FLOAT,
        "boolean": FieldType.BOOLEAN,
        "date": FieldType.DATE,
        "datetime": FieldType.TIMESTAMP,
    }
    return {name: mapping.get(kind, FieldType.STRING) for name, kind in types.items()}


__all__: Sequence[str] = [
    "FieldFamily",
    "FieldKind",
    "FieldType",
    "SearchField",
    "SearchPage",
    "Searchable",
    "compile_query",
    "count_statement",
    "field_types",
    "json_value",
    "saved_query_predicate",
    "search_page",
    "validate_query",
]
