"""Identifier shapes Intercom uses: numeric strings (most objects), 24-hex (contacts, companies, segments)."""

from __future__ import annotations

import os
import re
import secrets
import string
import threading
import time

_ALNUM = string.ascii_lowercase + string.digits
_counter = int.from_bytes(os.urandom(3), "big")
_counter_lock = threading.Lock()
_INTEGER = re.compile(r"-?[0-9]+")
_UNSIGNED = re.compile(r"[0-9]+")


def is_integer_text(text: str, *, signed: bool = False) -> bool:
    """Whether `int(text)` reads `text` as written: ASCII digits, with a leading minus if `signed`.

    Not `str.isdigit()`, which also accepts digits `int()` refuses (`²`), nor `lstrip("-")`, which
    lets `--5` through.
    """
    return (_INTEGER if signed else _UNSIGNED).fullmatch(text) is not None


def hex24() -> str:
    """An ObjectId-like 24-hex id: 4 bytes of time, 5 random, 3 of a counter, so ids sort by creation."""
    global _counter
    with _counter_lock:
        _counter = (_counter + 1) & 0xFFFFFF
        count = _counter
    return f"{int(time.time()):08x}{secrets.token_hex(5)}{count:06x}"


def app_id() -> str:
    """A workspace (app) id in Intercom's id_code shape, e.g. `a86dr8yl`."""
    return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(_ALNUM) for _ in range(7))


def parse_numeric_id(value: object) -> int | None:
    """Numeric-string ids map to integer primary keys; anything else (a float, an object...) cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    return int(value) if is_integer_text(value) and len(value) < 19 else None
