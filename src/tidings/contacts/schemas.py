from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tidings.core.limits import Name, ShortText, Url
from tidings.core.schemas import UNSET, Request, UnsetType


class Avatar(msgspec.Struct):
    image_url: str | None
    type: str = "avatar"


class Addressable(msgspec.Struct):
    type: str
    id: str
    url: str


class AddressableList(msgspec.Struct):
    data: list[Addressable]
    url: str
    total_count: int
    has_more: bool
    type: str = "list"


class Location(msgspec.Struct):
    country: str | None = None
    region: str | None = None
    city: str | None = None
    country_code: str | None = None
    continent_code: str | None = None
    type: str = "location"


class SocialProfiles(msgspec.Struct):
    data: list[dict[str, Any]]
    type: str = "list"


class ContactOut(msgspec.Struct):
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
    type: str = "contact"


class ContactList(msgspec.Struct):
    data: list[ContactOut]
    total_count: int
    pages: dict[str, Any]
    type: str = "list"


class ContactDeleted(msgspec.Struct):
    id: str
    external_id: str | None
    deleted: bool
    type: str = "contact"


class ContactArchived(msgspec.Struct):
    id: str
    external_id: str | None
    archived: bool
    type: str = "contact"


class ContactBlocked(msgspec.Struct):
    id: str
    external_id: str | None
    blocked: bool
    type: str = "contact"


class AppliedBy(msgspec.Struct):
    id: str
    type: str = "admin"


class ContactTagOut(msgspec.Struct):
    id: str
    name: str
    applied_at: int | None
    applied_by: AppliedBy | None
    type: str = "tag"


class ContactTagList(msgspec.Struct):
    data: list[ContactTagOut]
    type: str = "list"


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
