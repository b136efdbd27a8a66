"""Phone numbers as Intercom takes them: E.164 (`+` and up to 15 digits)."""

from __future__ import annotations

import re

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def is_e164(value: str) -> bool:
    return _E164.fullmatch(value) is not None
