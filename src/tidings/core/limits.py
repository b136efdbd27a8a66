"""The bounds every input has, decided once and enforced before the database (docs/areas/limits.md).

Identical on SQLite and PostgreSQL; Intercom's own caps where they are known.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tidings.core.errors import TidingsError, invalid

# A search filter's string value (`~ !~ ^ $ = !=` and each IN/NIN item): matching costs the stored
# length times this one, on every row scanned.
MAX_SEARCH_VALUE_LENGTH = 255
# `~`/`!~` look for the value in the first this many characters of a stored text (far beyond
# Intercom's caps on what is stored; it bounds the work on text stored before the caps existed).
MAX_MATCHED_LENGTH = 10_000
# Values in one IN/NIN list (PostgreSQL takes at most 32,767 bind parameters in a statement).
MAX_IN_VALUES = 1_000
# Names (contacts, companies, admins...): Intercom's 255 characters.
MAX_NAME_LENGTH = 255
# Short identifying text: emails, phones, external ids, plans, industries (PostgreSQL's columns are 255).
MAX_SHORT_TEXT_LENGTH = 255
MAX_URL_LENGTH = 2048

Name = Annotated[str, msgspec.Meta(max_length=MAX_NAME_LENGTH)]
ShortText = Annotated[str, msgspec.Meta(max_length=MAX_SHORT_TEXT_LENGTH)]
Url = Annotated[str, msgspec.Meta(max_length=MAX_URL_LENGTH)]
# A custom data attribute's string value (contacts, companies, conversations, Fin users): Intercom's 255.
MAX_ATTRIBUTE_VALUE_LENGTH = 255
# A ticket's string attribute (descriptions are multi-line text) and a custom object instance's string.
MAX_TEXT_ATTRIBUTE_LENGTH = 65_535
# An attribute's name: Intercom's 190 characters (custom attribute names in the Fin and custom channel docs).
MAX_ATTRIBUTE_NAME_LENGTH = 190
# Custom attributes one object (a conversation) carries that need no definition.
MAX_CUSTOM_ATTRIBUTES = 250
# Descriptions of ticket types, their attributes and data attributes.
MAX_DESCRIPTION_LENGTH = 65_535

AttributeName = Annotated[str, msgspec.Meta(max_length=MAX_ATTRIBUTE_NAME_LENGTH)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)]


def too_long(field: str, limit: int) -> TidingsError:
    return invalid(f"{field} may be at most {limit} characters", field)


def check_length(value: Any, field: str, limit: int) -> None:
    """A string value past `limit` characters is a 400 naming `field` (other values pass)."""
    if isinstance(value, str) and len(value) > limit:
        raise too_long(field, limit)
