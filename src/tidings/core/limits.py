"""The bounds every input has, decided once and enforced before the database (docs/areas/limits.md).

Identical on SQLite and PostgreSQL; Intercom's own caps where they are known.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

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
