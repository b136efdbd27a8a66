from __future__ import annotations

import msgspec

from tidings.core.paging import Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class NewsfeedAssignment(PlainOut):
    newsfeed_id: int
    # Absent until the item goes live (not nullable in the spec).
    published_at: int | UnsetType = UNSET


class NewsItemOut(Out, tag="news-item"):
    id: str
    workspace_id: str
    title: str
    body: str
    sender_id: int
    state: str
    labels: list[str]
    cover_image_url: str | None
    reactions: list[str | None]
    deliver_silently: bool
    created_at: int
    updated_at: int
    newsfeed_assignments: list[NewsfeedAssignment]


class NewsfeedOut(Out, tag="newsfeed"):
    id: str
    name: str
    created_at: int
    updated_at: int


class NewsItemList(Out, tag="list"):
    data: list[NewsItemOut]
    pages: Pages
    total_count: int


class NewsfeedList(Out, tag="list"):
    data: list[NewsfeedOut]
    pages: Pages
    total_count: int


class DeletedNewsItem(PlainOut):
    id: str
    object: str = "news-item"
    deleted: bool = True


class AssignmentIn(msgspec.Struct, forbid_unknown_fields=False):
    newsfeed_id: int | str
    published_at: int | None = None


class NewsItemRequest(Request):
    title: str | None | UnsetType = UNSET
    body: str | None | UnsetType = UNSET
    sender_id: int | str | None | UnsetType = UNSET
    state: str | None | UnsetType = UNSET
    deliver_silently: bool | None | UnsetType = UNSET
    labels: list[str] | None | UnsetType = UNSET
    reactions: list[str | None] | None | UnsetType = UNSET
    newsfeed_assignments: list[AssignmentIn] | None | UnsetType = UNSET
    cover_image_url: str | None | UnsetType = UNSET


class CreateNewsfeed(Request):
    """Management API: newsfeeds are set up in Intercom's UI, never through its API."""

    name: str
