from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class CreateDataEvent(Request):
    event_name: str | UnsetType = UNSET
    created_at: int | UnsetType = UNSET
    # Exactly one contact identifier: Intercom's contact id, your user id, or an email.
    id: str | UnsetType = UNSET
    user_id: str | UnsetType = UNSET
    email: str | UnsetType = UNSET
    metadata: dict[str, Any] | UnsetType = UNSET


class EventSummaryIn(Request):
    event_name: str | UnsetType = UNSET
    count: int | UnsetType = UNSET
    first: int | UnsetType = UNSET
    last: int | UnsetType = UNSET


class CreateDataEventSummaries(Request):
    user_id: str | UnsetType = UNSET
    # The spec types it as one object; a list of them is accepted too.
    event_summaries: EventSummaryIn | list[EventSummaryIn] | UnsetType = UNSET


class DataEventOut(msgspec.Struct):
    id: str
    event_name: str
    created_at: int
    intercom_user_id: str
    metadata: dict[str, Any]
    user_id: str | UnsetType = UNSET
    email: str | UnsetType = UNSET
    type: str = "event"


class EventSummaryItem(msgspec.Struct):
    name: str
    first: str
    last: str
    count: int
    description: str


class EventPages(msgspec.Struct):
    since: str
    next: str | UnsetType = UNSET


class DataEventsOut(msgspec.Struct):
    """Both answers of `GET /events`: the events (newest first) or, with `summary=true`, their summary.

    The spec's schema for both is `data_event_summary`, whose `type` admits only `event.summary`."""

    intercom_user_id: str
    # DataEventOut items, or EventSummaryItem ones with summary=true (one list type: msgspec and the
    # OpenAPI generator accept no union of two list types).
    events: list[Any]
    pages: EventPages
    email: str | UnsetType = UNSET
    user_id: str | UnsetType = UNSET
    type: str = "event.summary"
