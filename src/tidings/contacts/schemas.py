from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tidings.core.limits import Name, ShortText, Url
from tidings.core.paging import CursorPages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class Avatar(Out, tag="avatar"):
    image_url: str | None


class Addressable(PlainOut):
    type: str
    id: str
    url: str


class AddressableList(Out, tag="list"):
    data: list[Addressable]
    url: str
    total_count: int
    has_more: bool


class Location(Out, tag="location"):
    country: str | None = None
    region: str | None = None
    city: str | None = None
    country_code: str | None = None
    continent_code: str | None = None


class SocialProfiles(Out, tag="list"):
    data: list[dict[str, Any]]


class ContactOut(Out, tag="contact"):
    id: str
    workspace_id: str
    external_id: str | None
    role: str
    email: str
    email_domain: str
    phone: str | None
    formatted_phone: str | None
    name: str | None
    avatar: Avatar | None
    owner_id: int | None
    social_profiles: SocialProfiles
    has_hard_bounced: bool
    marked_email_as_spam: bool
    unsubscribed_from_emails: bool
    created_at: int
    updated_at: int
    signed_up_at: int | None
    last_seen_at: int | None
    last_replied_at: int | None
    last_contacted_at: int | None
    last_email_opened_at: int | None
    last_email_clicked_at: int | None
    language_override: str | None
    browser: str | None
    browser_version: str | None
    browser_language: str | None
    os: str | None
    location: Location
    android_app_name: str | None
    android_app_version: str | None
    android_device: str | None
    android_os_version: str | None
    android_sdk_version: str | None
    android_last_seen_at: int | None
    ios_app_name: str | None
    ios_app_version: str | None
    ios_device: str | None
    ios_os_version: str | None
    ios_sdk_version: str | None
    ios_last_seen_at: int | None
    custom_attributes: dict[str, Any]
    tags: AddressableList
    notes: AddressableList
    companies: AddressableList
    opted_out_subscription_types: AddressableList
    opted_in_subscription_types: AddressableList
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_medium: str | None = None
    utm_source: str | None = None
    utm_term: str | None = None
    referrer: str | None = None
    enabled_push_messaging: bool | None = None


class ContactList(Out, tag="list"):
    data: list[ContactOut]
    total_count: int
    pages: CursorPages


class ContactDeleted(Out, tag="contact"):
    id: str
    external_id: str | None
    deleted: bool


class ContactArchived(Out, tag="contact"):
    id: str
    external_id: str | None
    archived: bool


class ContactBlocked(Out, tag="contact"):
    id: str
    external_id: str | None
    blocked: bool


class AppliedBy(Out, tag="admin"):
    id: str


class ContactTagOut(Out, tag="tag"):
    id: str
    name: str
    applied_at: int | None
    applied_by: AppliedBy | None


class ContactTagList(Out, tag="list"):
    data: list[ContactTagOut]


class ContactWrite(Request):
    role: Annotated[str, msgspec.Meta(max_length=16)] | UnsetType = UNSET
    external_id: ShortText | None | UnsetType = UNSET
    email: ShortText | None | UnsetType = UNSET
    phone: Annotated[str, msgspec.Meta(max_length=64)] | None | UnsetType = UNSET
    name: Name | None | UnsetType = UNSET
    avatar: Url | None | UnsetType = UNSET
    signed_up_at: int | None | UnsetType = UNSET
    last_seen_at: int | None | UnsetType = UNSET
    owner_id: int | None | UnsetType = UNSET
    unsubscribed_from_emails: bool | None | UnsetType = UNSET
    language_override: Annotated[str, msgspec.Meta(max_length=16)] | None | UnsetType = UNSET
    custom_attributes: dict[str, Any] | None | UnsetType = UNSET


class MergeRequest(Request):
    from_: str | None = msgspec.field(default=None, name="from")
    into: str | None = None


class SearchRequest(Request):
    query: Any = None
    pagination: Any = None
    sort: Any = None


class TagIdRequest(Request):
    id: str | int | None = None
