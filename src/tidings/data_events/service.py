from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tidings.contacts import storage as contact_storage
from tidings.contacts.lookup import contact_not_found
from tidings.core import clock
from tidings.core.errors import invalid, missing
from tidings.core.paging import clamp_per_page, decode_cursor, encode_cursor
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.data_events import storage
from tidings.data_events.schemas import (
    CreateDataEvent,
    CreateDataEventSummaries,
    DataEventOut,
    DataEventsOut,
    EventPages,
    EventSummaryIn,
    EventSummaryItem,
)
from tidings.events.record import record_event

NAME_LIMIT = 255
METADATA_KEYS = 10
METADATA_TEXT_LIMIT = 2048
LISTABLE_SECONDS = 90 * 86_400
TIME_RANGE = (0, 2**40)
IDENTIFIERS = ("user_id", "intercom_user_id", "email")
LOOKUP_KEYWORD = {"user_id": "user_id", "intercom_user_id": "id", "email": "email"}


def _event_name(value: Any) -> str:
    if value is UNSET or value is None or not str(value).strip():
        raise missing("event_name")
    name = str(value).strip()
    if len(name) > NAME_LIMIT:
        raise invalid(f"event_name must be at most {NAME_LIMIT} characters", "event_name")
    return name


def _time(value: Any, field: str) -> int:
    if value is UNSET or value is None:
        raise missing(field)
    if isinstance(value, bool) or not isinstance(value, int) or not TIME_RANGE[0] <= value < TIME_RANGE[1]:
        raise invalid(f"{field} must be a Unix timestamp", field)
    return value


def _metadata_value(key: str, value: Any) -> Any:
    """Intercom's typed metadata: scalars, a rich link `{url, value}` or money `{amount, currency}`."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > METADATA_TEXT_LIMIT:
            raise invalid(f"metadata.{key} is too long", f"metadata.{key}")
        return value
    if isinstance(value, dict) and set(value) in ({"url", "value"}, {"amount", "currency"}):
        if all(isinstance(v, str | int) and not isinstance(v, bool) for v in value.values()):
            return value
    raise invalid(
        f"metadata.{key} must be a string, number, rich link {{url, value}} or money {{amount, currency}}",
        f"metadata.{key}",
    )


def _metadata(value: Any) -> dict[str, Any]:
    if value is UNSET or value is None:
        return {}
    # Intercom keeps the first ten keys as sent and ignores the rest.
    kept = list(value.items())[:METADATA_KEYS]
    return {str(k)[:NAME_LIMIT]: _metadata_value(str(k), v) for k, v in kept}


async def _contact(uow: UnitOfWork, *, id: Any = None, user_id: Any = None, email: Any = None) -> Any:
    """Leads are found only by Intercom id; `user_id` and `email` name users (Intercom's rule)."""
    if id is not None:
        row = await contact_storage.find_contact(uow, id=str(id))
    elif user_id is not None:
        row = await contact_storage.find_contact(uow, external_id=str(user_id))
    elif email is not None:
        row = await contact_storage.find_contact(uow, email=str(email))
    else:
        raise missing("user_id")
    if row is None or (id is None and row["role"] != "user"):
        raise contact_not_found()
    return row


def _given(value: Any) -> Any:
    return None if value is UNSET or value in (None, "") else value


def event_out(row: Any, contact: Any) -> DataEventOut:
    return DataEventOut(
        id=str(row["id"]),
        event_name=row["event_name"],
        created_at=row["created_at"],
        intercom_user_id=contact["id"],
        metadata=row["metadata"],
        user_id=contact["external_id"] if contact["external_id"] is not None else UNSET,
        email=contact["email"] if contact["email"] is not None else UNSET,
    )


async def create(uow: UnitOfWork, data: CreateDataEvent) -> None:
    name = _event_name(data.event_name)
    created_at = _time(data.created_at, "created_at")
    metadata = _metadata(data.metadata)
    contact = await _contact(uow, id=_given(data.id), user_id=_given(data.user_id), email=_given(data.email))
    values = {
        "contact_id": contact["id"],
        "event_name": name,
        "created_at": created_at,
        "metadata": metadata,
        "received_at": clock.now(),
    }
    event_id = await storage.insert_event(uow, values)
    if event_id is None:
        return  # a repeat of a stored event: dropped, still 202
    await storage.add_to_counter(uow, contact["id"], name, 1, created_at, created_at)
    await record_event(uow, "event.created", event_out({**values, "id": event_id}, contact))


def _summaries(value: Any) -> list[EventSummaryIn]:
    if value is UNSET or value is None:
        raise missing("event_summaries")
    items = value if isinstance(value, list) else [value]
    if len(items) > 100:
        raise invalid("event_summaries takes at most 100 summaries", "event_summaries")
    return items


async def add_summaries(uow: UnitOfWork, data: CreateDataEventSummaries) -> None:
    if _given(data.user_id) is None:
        raise missing("user_id")
    contact = await _contact(uow, user_id=data.user_id)
    for summary in _summaries(data.event_summaries):
        name = _event_name(summary.event_name)
        count = summary.count if summary.count is not UNSET else 1
        if isinstance(count, bool) or not 1 <= count < 2**31:
            raise invalid("event_summaries.count must be a positive integer", "event_summaries.count")
        first = _time(summary.first, "event_summaries.first")
        last = _time(summary.last if summary.last is not UNSET else first, "event_summaries.last")
        await storage.add_to_counter(uow, contact["id"], name, count, min(first, last), max(first, last))


def read_filter(query: dict[str, str]) -> tuple[str, str]:
    """The contact identifier, in any of the three spellings clients use: `user_id=…` (the spec),
    `filter[user_id]=…` (Python SDK) or `filter={"user_id": "…"}` (Node SDK)."""
    found = {key: query[key] for key in IDENTIFIERS if query.get(key)}
    found |= {key: query[f"filter[{key}]"] for key in IDENTIFIERS if query.get(f"filter[{key}]")}
    if query.get("filter"):
        try:
            decoded = json.loads(query["filter"])
        except ValueError:
            raise invalid("filter must name user_id, intercom_user_id or email", "filter") from None
        if isinstance(decoded, dict):
            found |= {key: str(decoded[key]) for key in IDENTIFIERS if decoded.get(key) not in (None, "")}
    if len(found) != 1:
        raise invalid("Exactly one of user_id, intercom_user_id or email is required", "filter")
    return next(iter(found.items()))


def _link(base_url: str, identifier: tuple[str, str], **params: Any) -> str:
    return f"{base_url}/events?{urlencode({identifier[0]: identifier[1], 'type': 'user', **params})}"


async def list_events(uow: UnitOfWork, query: dict[str, str], base_url: str) -> DataEventsOut:
    if query.get("type") != "user":
        raise invalid("type must be user", "type")
    identifier = read_filter(query)
    kind, value = identifier
    contact = await _contact(uow, **{LOOKUP_KEYWORD[kind]: value})
    head = {
        "intercom_user_id": contact["id"],
        "email": contact["email"] if contact["email"] is not None else UNSET,
        "user_id": contact["external_id"] if contact["external_id"] is not None else UNSET,
    }
    since_link = _link(base_url, identifier, since=clock.now_ms())
    if query.get("summary") == "true":
        items = [
            EventSummaryItem(
                name=row["event_name"],
                first=clock.iso_offset(row["first"]),
                last=clock.iso_offset(row["last"]),
                count=row["count"],
                description="",
            )
            for row in await storage.counters(uow, contact["id"])
        ]
        return DataEventsOut(events=items, pages=EventPages(since=since_link), **head)
    per_page = clamp_per_page(_per_page(query.get("per_page")), 15, 100)
    cursor = decode_cursor(query.get("before"))
    before = (int(cursor.key[0]), int(cursor.key[1])) if cursor and len(cursor.key) == 2 else None
    since = _since(query.get("since"))
    rows = await storage.events_of(uow, contact["id"], clock.now() - LISTABLE_SECONDS, before, since, per_page + 1)
    page = rows[:per_page]
    pages = EventPages(since=since_link)
    if len(rows) > per_page:
        last = page[-1]
        pages.next = _link(
            base_url, identifier, per_page=per_page, before=encode_cursor(0, [last["created_at"], last["id"]])
        )
    return DataEventsOut(events=[event_out(row, contact) for row in page], pages=pages, **head)


def _per_page(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise invalid("per_page must be a positive integer", "per_page")
    return int(value)


def _since(value: str | None) -> int | None:
    """`since` is in milliseconds, as in Intercom's links."""
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 16:
        raise invalid("since must be a Unix timestamp in milliseconds", "since")
    return int(value) // 1000
