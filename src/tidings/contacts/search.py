"""The fields of `POST /contacts/search` (and of contact segments), declared for the core search language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from tidings.contacts.storage import contact_tags, contacts
from tidings.core.ids import parse_numeric_id
from tidings.core.search import FieldKind, FieldType, Searchable, SearchField, json_value, saved_query_predicate

STRING_COLUMNS = (
    "id",
    "role",
    "name",
    "avatar",
    "email",
    "email_domain",
    "phone",
    "external_id",
    "language_override",
    "browser",
    "browser_language",
    "os",
)
DATE_COLUMNS = (
    "created_at",
    "signed_up_at",
    "updated_at",
    "last_seen_at",
    "last_contacted_at",
    "last_replied_at",
    "last_email_opened_at",
    "last_email_clicked_at",
)
BOOLEAN_COLUMNS = ("unsubscribed_from_emails", "marked_email_as_spam", "has_hard_bounced")
DEVICE_STRINGS = tuple(
    f"{platform}_{name}"
    for platform in ("android", "ios")
    for name in ("app_name", "app_version", "device", "os_version", "sdk_version")
)
DEVICE_DATES = ("android_last_seen_at", "ios_last_seen_at")


def _tagged(values: list[Any] | None) -> Any:
    stmt = select(contact_tags.c.contact_id)
    if values is None:
        return stmt
    return stmt.where(contact_tags.c.tag_id.in_([n for v in values if (n := parse_numeric_id(str(v)))]))


def contact_fields(dialect: str, segment_queries: Mapping[str, Any] | None = None) -> Searchable:
    """The searchable contact fields; `segment_id` matches contacts the named segment's saved query selects."""
    fields: dict[str, SearchField] = {name: SearchField(contacts.c[name], FieldType.STRING) for name in STRING_COLUMNS}
    fields["formatted_phone"] = SearchField(contacts.c.phone, FieldType.STRING)
    fields["owner_id"] = SearchField(contacts.c.owner_id, FieldType.INTEGER)
    fields.update({name: SearchField(contacts.c[name], FieldType.DATE) for name in DATE_COLUMNS})
    fields.update({name: SearchField(contacts.c[name], FieldType.BOOLEAN) for name in BOOLEAN_COLUMNS})
    for part in ("country", "region", "city"):
        fields[f"location.{part}"] = SearchField(
            json_value(contacts.c.location, part, FieldType.STRING, dialect), FieldType.STRING
        )
    for name in DEVICE_STRINGS:
        fields[name] = SearchField(json_value(contacts.c.device, name, FieldType.STRING, dialect), FieldType.STRING)
    for name in DEVICE_DATES:
        fields[name] = SearchField(json_value(contacts.c.device, name, FieldType.DATE, dialect), FieldType.DATE)
    fields["tag_id"] = SearchField(kind=FieldKind.MEMBERSHIP, members=_tagged, sortable=False)
    if segment_queries is not None:
        plain = Searchable(fields=dict(fields), owner=contacts.c.id, custom_attributes=contacts.c.custom_attributes)
        fields["segment_id"] = SearchField(
            kind=FieldKind.PREDICATE, predicate=saved_query_predicate(plain, dialect, segment_queries), sortable=False
        )
    return Searchable(fields=fields, owner=contacts.c.id, custom_attributes=contacts.c.custom_attributes)
