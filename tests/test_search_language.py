"""The search language, property-based: random queries over random contacts select the same ids in SQL
(SQLite and PostgreSQL) as a plain in-memory evaluator written from the documented semantics.

This talks to a fresh, migrated database directly (no HTTP), so each example stays cheap.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, cast, insert, select

from tests.conftest import scratch_database
from tidings.contacts.search import contact_fields
from tidings.contacts.storage import contact_tags, contacts
from tidings.core.errors import TidingsError
from tidings.core.search import (
    FieldKind,
    FieldType,
    Searchable,
    SearchField,
    compile_query,
    count_statement,
    json_value,
)
from tidings.core.tables import workspaces
from tidings.db.storage import Storage, open_storage
from tidings.tags.storage import tags

DAY = 86400
BASE = 1_700_000_000 - 1_700_000_000 % DAY
CUSTOM_TYPES = {"plan": FieldType.STRING, "seats": FieldType.INTEGER, "vip": FieldType.BOOLEAN}
# The fields the property exercises and how the oracle reads each from a generated contact.
FIELD_TYPES = {
    "name": "string",
    "email": "string",
    "role": "string",
    "owner_id": "integer",
    "created_at": "date",
    "last_seen_at": "date",
    "unsubscribed_from_emails": "boolean",
    "custom_attributes.plan": "string",
    "custom_attributes.seats": "integer",
    "custom_attributes.vip": "boolean",
    "tag_id": "tags",
}
OPERATORS = {
    "string": ["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
    "integer": ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
    "date": ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
    "boolean": ["=", "!="],
    "tags": ["=", "!=", "IN", "NIN"],
}

words = st.text(alphabet="abAB%_\\ ", min_size=0, max_size=4)
timestamps = st.integers(min_value=BASE, max_value=BASE + 4 * DAY)
small_ints = st.integers(min_value=-2, max_value=3)


# ---------------------------------------------------------------- data


@st.composite
def contact_data(draw: st.DrawFn) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    for key, strategy in (
        # Values of the wrong JSON type must be ignored by typed comparisons, as by the oracle.
        ("plan", st.one_of(words, small_ints)),
        ("seats", st.one_of(small_ints, words, st.floats(min_value=-2, max_value=3, allow_nan=False))),
        ("vip", st.one_of(st.booleans(), words)),
    ):
        if draw(st.booleans()):
            custom[key] = draw(strategy)
    return {
        "role": draw(st.sampled_from(["user", "lead"])),
        "name": draw(st.none() | words),
        "email": draw(st.none() | words.map(lambda w: w + "@x.io")),
        "owner_id": draw(st.none() | small_ints),
        "created_at": draw(timestamps),
        "last_seen_at": draw(st.none() | timestamps),
        "unsubscribed_from_emails": draw(st.booleans()),
        "custom_attributes": custom,
        "tags": draw(st.sets(st.integers(min_value=0, max_value=2), max_size=2)),
    }


def value_for(kind: str) -> st.SearchStrategy[Any]:
    return {
        "string": words,
        "integer": small_ints,
        "date": timestamps,
        "boolean": st.booleans(),
        "tags": st.integers(min_value=0, max_value=3),
    }[kind]


@st.composite
def filters(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(FIELD_TYPES)))
    kind = FIELD_TYPES[field]
    operator = draw(st.sampled_from(OPERATORS[kind]))
    if operator in ("IN", "NIN"):
        value: Any = draw(st.lists(value_for(kind), min_size=1, max_size=3))
    elif operator in ("=", "!=") and kind != "boolean" and draw(st.integers(0, 5)) == 0:
        value = None
    else:
        value = draw(value_for(kind))
    return {"field": field, "operator": operator, "value": value}


def groups(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"operator": st.sampled_from(["AND", "OR"]), "value": st.lists(children, min_size=1, max_size=4)}
    )


queries = st.one_of(filters(), groups(filters()), groups(st.one_of(filters(), groups(filters()))))


# ---------------------------------------------------------------- the oracle


def day(ts: int) -> int:
    return ts - ts % DAY


def field_value(contact: dict[str, Any], field: str, tag_ids: list[int]) -> Any:
    kind = FIELD_TYPES[field]
    if kind == "tags":
        return {str(tag_ids[i]) for i in contact["tags"]}
    if field.startswith("custom_attributes."):
        raw = contact["custom_attributes"].get(field.split(".", 1)[1])
        typed = {
            "string": isinstance(raw, str),
            "integer": isinstance(raw, int | float) and not isinstance(raw, bool),
            "boolean": isinstance(raw, bool),
        }[kind]
        return raw if typed else None
    return contact[field]


def equals(actual: Any, wanted: Any, kind: str) -> bool:
    if kind == "date":
        return day(actual) == day(wanted)
    if kind == "string":
        return actual == str(wanted)
    return actual == wanted


def matches_filter(contact: dict[str, Any], node: dict[str, Any], tag_ids: list[int]) -> bool:
    field, operator, wanted = node["field"], node["operator"], node["value"]
    kind = FIELD_TYPES[field]
    actual = field_value(contact, field, tag_ids)
    if kind == "tags":
        if wanted is None:
            return (not actual) if operator == "=" else bool(actual)
        wanted_ids = {
            str(tag_ids[w]) if w < len(tag_ids) else "0" for w in (wanted if isinstance(wanted, list) else [wanted])
        }
        has = bool(actual & wanted_ids)
        return has if operator in ("=", "IN") else not has
    if operator == "=":
        return actual is None if wanted is None else actual is not None and equals(actual, wanted, kind)
    if operator == "!=":
        return actual is not None if wanted is None else actual is None or not equals(actual, wanted, kind)
    if operator in ("IN", "NIN"):
        hit = actual is not None and any(equals(actual, w, kind) for w in wanted)
        return hit if operator == "IN" else not hit
    if operator in ("~", "!~", "^", "$"):
        if actual is None:
            return operator == "!~"
        text, part = actual.lower(), wanted.lower()
        found = {"~": part in text, "!~": part in text, "^": text.startswith(part), "$": text.endswith(part)}[operator]
        return not found if operator == "!~" else found
    if actual is None:
        return False
    if kind == "date":
        start = day(wanted)
        return {"<": actual < start, "<=": actual < start + DAY, ">": actual >= start + DAY, ">=": actual >= start}[
            operator
        ]
    return {"<": actual < wanted, "<=": actual <= wanted, ">": actual > wanted, ">=": actual >= wanted}[operator]


def matches(contact: dict[str, Any], node: dict[str, Any], tag_ids: list[int]) -> bool:
    if node.get("operator") in ("AND", "OR"):
        results = [matches(contact, child, tag_ids) for child in node["value"]]
        return all(results) if node["operator"] == "AND" else any(results)
    return matches_filter(contact, node, tag_ids)


def sql_query(node: dict[str, Any], tag_ids: list[int]) -> dict[str, Any]:
    """The query as sent: tag indexes become real tag ids (an index past the end names no tag)."""
    if node.get("operator") in ("AND", "OR"):
        return {**node, "value": [sql_query(child, tag_ids) for child in node["value"]]}
    if node["field"] != "tag_id" or node["value"] is None:
        return node

    def tag(index: int) -> str:
        return str(tag_ids[index]) if index < len(tag_ids) else "0"

    value = node["value"]
    return {**node, "value": [tag(v) for v in value] if isinstance(value, list) else tag(value)}


# ---------------------------------------------------------------- the database


@dataclass
class SearchDatabase:
    storage: Storage
    loop: asyncio.AbstractEventLoop
    dialect: str
    counter: Iterator[int]

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def load(self, rows: list[dict[str, Any]]) -> tuple[str, list[int]]:
        workspace_id = f"ws{next(self.counter)}"
        tx = await self.storage.begin(write=True)
        try:
            await tx.execute(
                insert(workspaces).values(id=workspace_id, name="t", timezone="UTC", region="US", created_at=0)
            )
            tag_ids = []
            for i in range(3):
                result = await tx.execute(
                    insert(tags)
                    .values(workspace_id=workspace_id, name=f"t{i}", name_key=f"t{i}", created_at=0)
                    .returning(tags.c.id)
                )
                tag_ids.append(int(result.scalar_one()))
            for index, row in enumerate(rows):
                contact_id = f"{workspace_id}-{index}"
                await tx.execute(
                    insert(contacts).values(
                        id=contact_id,
                        workspace_id=workspace_id,
                        role=row["role"],
                        name=row["name"],
                        email=row["email"],
                        owner_id=row["owner_id"],
                        created_at=row["created_at"],
                        updated_at=row["created_at"],
                        last_seen_at=row["last_seen_at"],
                        unsubscribed_from_emails=row["unsubscribed_from_emails"],
                        has_hard_bounced=False,
                        marked_email_as_spam=False,
                        custom_attributes=row["custom_attributes"],
                        archived=False,
                        blocked=False,
                    )
                )
                for tag_index in row["tags"]:
                    await tx.execute(
                        insert(contact_tags).values(
                            workspace_id=workspace_id, contact_id=contact_id, tag_id=tag_ids[tag_index], applied_at=0
                        )
                    )
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()
        return workspace_id, tag_ids

    async def search(
        self, workspace_id: str, query: dict[str, Any], searchable: Searchable | None = None
    ) -> tuple[set[str], int]:
        """The ids the query selects in the workspace, and its total as searches count it."""
        fields = searchable or contact_fields(self.dialect)
        condition = compile_query(fields, query, self.dialect, CUSTOM_TYPES)
        workspace_contacts = select(contacts).where(contacts.c.workspace_id == workspace_id)
        tx = await self.storage.begin(write=False)
        try:
            result = await tx.execute(workspace_contacts.with_only_columns(contacts.c.id).where(condition))
            total = await tx.execute(count_statement(workspace_contacts, contacts.c.id, condition))
            return {r[0] for r in result}, total.scalar_one()
        finally:
            await tx.rollback()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def search_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchDatabase]:
    dialect = request.param
    with scratch_database(dialect, tmp_path_factory.mktemp("search")) as url:
        loop = asyncio.new_event_loop()
        storage = open_storage(url)
        try:
            yield SearchDatabase(storage=storage, loop=loop, dialect=dialect, counter=itertools.count())
        finally:
            loop.run_until_complete(storage.close())
            loop.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(contact_data(), min_size=0, max_size=8), query_list=st.lists(queries, min_size=1, max_size=4))
def test_sql_agrees_with_the_in_memory_evaluator(
    search_db: SearchDatabase, rows: list[dict[str, Any]], query_list: list[dict[str, Any]]
) -> None:
    workspace_id, tag_ids = search_db.run(search_db.load(rows))
    for query in query_list:
        expected = {f"{workspace_id}-{i}" for i, row in enumerate(rows) if matches(row, query, tag_ids)}
        assert search_db.run(search_db.search(workspace_id, sql_query(query, tag_ids))) == (expected, len(expected)), (
            query
        )


def contact(**fields: Any) -> dict[str, Any]:
    """A generated-like contact: a user seen at BASE, no custom attributes or tags, unless given."""
    defaults = {
        "role": "user",
        "name": None,
        "email": None,
        "owner_id": None,
        "created_at": BASE,
        "last_seen_at": BASE,
        "unsubscribed_from_emails": False,
        "custom_attributes": {},
        "tags": set(),
    }
    return {**defaults, **fields}


def test_an_or_with_a_tag_branch_is_counted_as_the_union_of_its_branches(search_db: SearchDatabase) -> None:
    rows = [
        contact(tags={0}),  # 0: the tag
        contact(custom_attributes={"seats": 3}),  # 1: the other branch
        contact(tags={0}, custom_attributes={"seats": 3}),  # 2: both, counted once
        contact(custom_attributes={"seats": 3}, last_seen_at=None),  # 3: half the other branch
        contact(tags={1}, custom_attributes={"seats": "3"}),  # 4: another tag, seats a string
        contact(role="lead", tags={0}),  # 5: the tag, but a lead
    ]
    seats_seen = {
        "operator": "AND",
        "value": [
            {"field": "custom_attributes.seats", "operator": ">", "value": 2},
            {"field": "last_seen_at", "operator": ">", "value": BASE - DAY},
        ],
    }
    tagged = {"field": "tag_id", "operator": "=", "value": 0}
    top_level = {"operator": "OR", "value": [tagged, seats_seen]}
    within_and = {
        "operator": "AND",
        "value": [
            {"field": "role", "operator": "=", "value": "user"},
            {"operator": "OR", "value": [tagged, seats_seen["value"][0]]},
        ],
    }
    workspace_id, tag_ids = search_db.run(search_db.load(rows))
    for query, selected in ((top_level, [0, 1, 2, 5]), (within_and, [0, 1, 2, 3])):
        sent = sql_query(query, tag_ids)
        condition = compile_query(contact_fields(search_db.dialect), sent, search_db.dialect, CUSTOM_TYPES)
        assert "UNION" in str(count_statement(select(contacts), contacts.c.id, condition))
        expected = {f"{workspace_id}-{i}" for i in selected}
        assert {f"{workspace_id}-{i}" for i, row in enumerate(rows) if matches(row, query, tag_ids)} == expected
        assert search_db.run(search_db.search(workspace_id, sent)) == (expected, len(expected))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
loose_filters = st.fixed_dictionaries(
    {},
    optional={
        "field": st.sampled_from([*sorted(FIELD_TYPES), "nope", "custom_attributes.nope", ""]) | json_values,
        "operator": st.sampled_from(["=", "!=", "IN", "NIN", "<", ">", "~", "!~", "^", "$", "AND", "OR", "LIKE"]),
        "value": json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(query=st.recursive(loose_filters | json_values, lambda inner: groups(inner), max_leaves=20))
def test_any_query_compiles_or_is_refused_with_400(query: Any) -> None:
    """Whatever arrives as a query is either compiled or refused with Intercom's 400, never a crash."""
    for dialect in ("sqlite", "postgresql"):
        refusal = refusal_of(query, dialect)
        assert refusal in (None, (400, "parameter_invalid"), (400, "parameter_not_found"))


def refusal_of(query: Any, dialect: str) -> tuple[int, str] | None:
    try:
        compile_query(contact_fields(dialect), query, dialect, CUSTOM_TYPES)
    except TidingsError as error:
        return error.status, error.code
    return None


# ---------------------------------------------------------------- the engine's extensions
#
# The same contacts, searched through a Searchable that uses what conversations and tickets need:
# timestamps to the second with inclusive `>`/`<`, a RELATED field (string operators over related
# rows), a converted value (0 stands for absence) and a field family.

EXTENDED_TYPES = {
    "name": "string",
    "created_at": "timestamp",
    "owner_id": "assignee",
    "tag": "related",
    "extra.plan": "string",
}
EXTENDED_OPERATORS = {
    **OPERATORS,
    "timestamp": OPERATORS["integer"],
    "assignee": OPERATORS["integer"],
    "related": OPERATORS["string"],
}
digits = st.text(alphabet="0123456789", min_size=0, max_size=2)


def extended_searchable(dialect: str) -> Searchable:
    def tagged(condition: Any) -> Any:
        return contacts.c.id.in_(select(contact_tags.c.contact_id).where(condition))

    def extra(name: str) -> SearchField | None:
        if name != "plan":
            return None
        return SearchField(json_value(contacts.c.custom_attributes, "plan", FieldType.STRING, dialect))

    return Searchable(
        fields={
            "name": SearchField(contacts.c.name),
            "created_at": SearchField(contacts.c.created_at, FieldType.TIMESTAMP),
            "owner_id": SearchField(contacts.c.owner_id, FieldType.INTEGER, convert=lambda v: None if v == 0 else v),
            "tag": SearchField(
                cast(contact_tags.c.tag_id, String), kind=FieldKind.RELATED, related=tagged, sortable=False
            ),
        },
        owner=contacts.c.id,
        families={"extra.": extra},
        inclusive_ranges=True,
    )


def extended_value(kind: str, operator: str) -> st.SearchStrategy[Any]:
    if kind == "related":
        # Tag indexes for the equality operators (made real ids as sent), digits for the string ones.
        return st.integers(min_value=0, max_value=3) if operator in ("=", "!=", "IN", "NIN") else digits
    return {"string": words, "timestamp": timestamps, "assignee": small_ints}[kind]


@st.composite
def extended_filters(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(EXTENDED_TYPES)))
    kind = EXTENDED_TYPES[field]
    operator = draw(st.sampled_from(EXTENDED_OPERATORS[kind]))
    if operator in ("IN", "NIN"):
        value: Any = draw(st.lists(extended_value(kind, operator), min_size=1, max_size=3))
    elif operator in ("=", "!=") and draw(st.integers(0, 5)) == 0:
        value = None
    else:
        value = draw(extended_value(kind, operator))
    return {"field": field, "operator": operator, "value": value}


extended_queries = st.one_of(
    extended_filters(), groups(extended_filters()), groups(st.one_of(extended_filters(), groups(extended_filters())))
)


def _text_match(text: str, operator: str, part: str) -> bool:
    text, part = text.lower(), part.lower()
    return {"~": part in text, "^": text.startswith(part), "$": text.endswith(part)}[operator]


def matches_extended_filter(contact: dict[str, Any], node: dict[str, Any], tag_ids: list[int]) -> bool:
    field, operator, wanted = node["field"], node["operator"], node["value"]
    kind = EXTENDED_TYPES[field]
    operator = {">": ">=", "<": "<="}.get(operator, operator)
    if kind == "related":
        tags = {str(tag_ids[i]) for i in contact["tags"]}
        if wanted is None:
            return (not tags) if operator == "=" else bool(tags)
        positive = {"!=": "=", "NIN": "IN", "!~": "~"}.get(operator, operator)
        if positive in ("=", "IN"):
            names = {str(tag_ids[w]) if w < len(tag_ids) else "0" for w in (wanted if positive == "IN" else [wanted])}
            has = bool(tags & names)
        else:
            has = any(_text_match(tag, positive, wanted) for tag in tags)
        return has if positive == operator else not has
    if field == "extra.plan":
        actual = contact["custom_attributes"].get("plan")
        actual = actual if isinstance(actual, str) else None
    else:
        actual = contact[field]
    if kind == "assignee":
        # 0 is converted to "absent".
        if isinstance(wanted, list):
            wanted = [None if w == 0 else w for w in wanted]
        elif wanted == 0:
            wanted = None
    if operator in ("IN", "NIN"):
        present = [w for w in wanted if w is not None]
        hit = (actual is not None and actual in present) or (actual is None and len(present) < len(wanted))
        return hit if operator == "IN" else not hit
    if operator == "=":
        return actual is None if wanted is None else actual == wanted
    if operator == "!=":
        return actual is not None if wanted is None else actual != wanted
    if operator in ("~", "!~", "^", "$"):
        if actual is None:
            return operator == "!~"
        found = _text_match(actual, "~" if operator == "!~" else operator, wanted)
        return not found if operator == "!~" else found
    if actual is None or wanted is None:
        return False
    return {"<=": actual <= wanted, ">=": actual >= wanted}[operator]


def matches_extended(contact: dict[str, Any], node: dict[str, Any], tag_ids: list[int]) -> bool:
    if node.get("operator") in ("AND", "OR"):
        results = [matches_extended(contact, child, tag_ids) for child in node["value"]]
        return all(results) if node["operator"] == "AND" else any(results)
    return matches_extended_filter(contact, node, tag_ids)


def extended_sql_query(node: dict[str, Any], tag_ids: list[int]) -> dict[str, Any]:
    if node.get("operator") in ("AND", "OR"):
        return {**node, "value": [extended_sql_query(child, tag_ids) for child in node["value"]]}
    if node["field"] != "tag" or node["operator"] not in ("=", "!=", "IN", "NIN") or node["value"] is None:
        return node

    def tag(index: int) -> str:
        return str(tag_ids[index]) if index < len(tag_ids) else "0"

    value = node["value"]
    return {**node, "value": [tag(v) for v in value] if isinstance(value, list) else tag(value)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(contact_data(), min_size=0, max_size=8), query_list=st.lists(extended_queries, min_size=1, max_size=4)
)
def test_extensions_agree_with_the_in_memory_evaluator(
    search_db: SearchDatabase, rows: list[dict[str, Any]], query_list: list[dict[str, Any]]
) -> None:
    workspace_id, tag_ids = search_db.run(search_db.load(rows))
    searchable = extended_searchable(search_db.dialect)
    for query in query_list:
        expected = {f"{workspace_id}-{i}" for i, row in enumerate(rows) if matches_extended(row, query, tag_ids)}
        sent = extended_sql_query(query, tag_ids)
        assert search_db.run(search_db.search(workspace_id, sent, searchable)) == (expected, len(expected)), query


def test_unknown_family_members_and_fields_are_refused_with_the_declared_code() -> None:
    searchable = extended_searchable("sqlite")
    custom = Searchable(fields=searchable.fields, owner=contacts.c.id, unknown_field_code="field_not_found")
    for query, code in (
        ({"field": "extra.nope", "operator": "=", "value": "x"}, "parameter_invalid"),
        ({"field": "tag", "operator": "<", "value": "1"}, "parameter_invalid"),
        ({"field": "owner_id", "operator": "=", "value": 2**63}, "parameter_invalid"),
    ):
        with pytest.raises(TidingsError) as refused:
            compile_query(searchable, query, "sqlite")
        assert (refused.value.status, refused.value.code) == (400, code)
    with pytest.raises(TidingsError) as refused:
        compile_query(custom, {"field": "nope", "operator": "=", "value": "x"}, "sqlite")
    assert (refused.value.status, refused.value.code) == (400, "field_not_found")
