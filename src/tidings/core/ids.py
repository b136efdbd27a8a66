"""Identifier shapes Intercom uses: numeric strings (most objects), 24-hex (contacts, companies, segments).

A workspace given a seed (`tidings.control.seeds`) hands out deterministic ids: its random parts
(24-hex ids, uuids) are drawn from a hash chain of the seed, and its numeric ids are counted in a
range of their own (`SeededIds.base`), one past the highest id of the table in that range. The same
sequence of calls then yields the same ids (with a frozen clock, the same bodies too).
"""

from __future__ import annotations

import os
import re
import secrets
import string
import threading
import uuid
from dataclasses import dataclass
from hashlib import sha256

from tidings.core import clock

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


# Seeded numeric ids live above this, in ranges of SEEDED_SPAN per seed, all below 2**31 (some
# reference columns are 32-bit integers on PostgreSQL).
SEEDED_FLOOR = 10**9
SEEDED_SPAN = 10**6
SEEDED_SLOTS = 1000


@dataclass(slots=True)
class SeededIds:
    seed: str
    # Bumped at each server start, so a restarted server does not draw the same random ids again.
    generation: int = 0
    drawn: int = 0

    @property
    def base(self) -> int:
        slot = int.from_bytes(sha256(f"tidings-ids:{self.seed}".encode()).digest()[:8], "big") % SEEDED_SLOTS
        return SEEDED_FLOOR + slot * SEEDED_SPAN

    def draw(self, size: int) -> bytes:
        self.drawn += 1
        return sha256(f"{self.seed}:{self.generation}:{self.drawn}".encode()).digest()[:size]


_seeded: dict[str, SeededIds] = {}


def seeded(workspace_id: str | None) -> SeededIds | None:
    return _seeded.get(workspace_id) if workspace_id is not None and _seeded else None


def any_seeded() -> bool:
    return bool(_seeded)


def set_seeded(workspace_id: str, ids: SeededIds | None) -> None:
    if ids is None:
        _seeded.pop(workspace_id, None)
    else:
        _seeded[workspace_id] = ids


def random_bytes(size: int) -> bytes:
    """Random bytes, drawn from the bound workspace's seed when it has one."""
    ids = seeded(clock.bound_workspace())
    return ids.draw(size) if ids is not None else secrets.token_bytes(size)


def uuid4() -> str:
    """A version-4 uuid string (seeded in a seeded workspace)."""
    return str(uuid.UUID(bytes=random_bytes(16), version=4))


def random_hex(size: int) -> str:
    return random_bytes(size).hex()


def hex24() -> str:
    """An ObjectId-like 24-hex id: 4 bytes of time, 5 random, 3 of a counter, so ids sort by creation."""
    global _counter
    ids = seeded(clock.bound_workspace())
    if ids is not None:
        return f"{clock.now():08x}{ids.draw(5).hex()}{ids.drawn & 0xFFFFFF:06x}"
    with _counter_lock:
        _counter = (_counter + 1) & 0xFFFFFF
        count = _counter
    return f"{clock.now():08x}{secrets.token_hex(5)}{count:06x}"


def app_id(seed: str | None = None) -> str:
    """A workspace (app) id in Intercom's id_code shape, e.g. `a86dr8yl`; derived from `seed` if given."""
    if seed is None:
        return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(_ALNUM) for _ in range(7))
    digest = sha256(f"tidings-app:{seed}".encode()).digest()
    return string.ascii_lowercase[digest[0] % 26] + "".join(_ALNUM[b % len(_ALNUM)] for b in digest[1:8])


def parse_numeric_id(value: object) -> int | None:
    """Numeric-string ids map to integer primary keys; anything else (a float, an object...) cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    return int(value) if is_integer_text(value) and len(value) < 19 else None
