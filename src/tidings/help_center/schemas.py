from __future__ import annotations

from typing import Any

from tidings.core.paging import Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class HelpCenterOut(PlainOut):
    id: str
    workspace_id: str
    created_at: int
    updated_at: int
    identifier: str
    website_turned_on: bool
    display_name: str
    url: str
    custom_domain: str | None


class HelpCenterList(Out, tag="list"):
    data: list[HelpCenterOut]


class CollectionOut(PlainOut):
    id: str
    workspace_id: str
    name: str
    url: str | None
    order: int
    created_at: int
    updated_at: int
    description: str | None
    icon: str | None
    parent_id: str | None
    help_center_id: int | None
    # Only when the help center has more than one language.
    default_locale: str | UnsetType = UNSET
    translated_content: dict[str, Any] | UnsetType = UNSET


class CollectionList(Out, tag="list"):
    data: list[CollectionOut]
    pages: Pages
    total_count: int


class DeletedCollection(PlainOut):
    id: str
    object: str = "collection"
    deleted: bool = True


class CreateCollectionRequest(Request):
    name: str | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    translated_content: dict[str, Any] | None | UnsetType = UNSET
    parent_id: str | int | None | UnsetType = UNSET
    help_center_id: int | str | None | UnsetType = UNSET


class UpdateCollectionRequest(Request):
    name: str | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    translated_content: dict[str, Any] | None | UnsetType = UNSET
    parent_id: str | int | None | UnsetType = UNSET


class HelpCenterSettings(Request):
    """Management API: what Intercom's Settings > Help Center page sets."""

    identifier: str | UnsetType = UNSET
    display_name: str | UnsetType = UNSET
    website_turned_on: bool | UnsetType = UNSET
    custom_domain: str | None | UnsetType = UNSET
    # The help center's languages, default first.
    locales: list[str] | UnsetType = UNSET
