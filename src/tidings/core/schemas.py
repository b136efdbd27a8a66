"""Wire-model helpers shared by every area."""

from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.errors import invalid, missing

UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType


class Out(msgspec.Struct, kw_only=True, tag_field="type"):
    """Base of every response object whose `type` is fixed: `class CompanyOut(Out, tag="company")`.

    msgspec always writes the tag as `"type"`, in API bodies and in `msgspec.to_builtins` (event
    items) alike. Every field is written, null included; `UNSET` is the only way to leave one out.
    A subclass must give `tag=` (otherwise msgspec would write its class name): see
    tests/test_wire_idiom.py.
    """


class PlainOut(msgspec.Struct, kw_only=True):
    """Base of response objects with no fixed `type`: none at all (`{"id", "deleted"}` bodies), or
    one that varies per object and is an ordinary field (a message's `user_message`/`admin_message`).
    Same rule: every field written, `UNSET` the only way to leave one out."""


class Request(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Base of request bodies: unknown fields are ignored, as Intercom ignores them.

    Text holding a NUL character is refused: PostgreSQL cannot store it, and the same request must
    get the same answer on either database. (Nested bodies check their own fields.)
    """

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            if _holds_nul(getattr(self, name)):
                raise invalid(f"{name} must not contain NUL characters", name)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False


def unset_to_none(value: Any) -> Any:
    return None if value is UNSET else value


def present(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields a request actually carried (explicit null included), for partial updates."""
    return {name: value for name in struct.__struct_fields__ if (value := getattr(struct, name)) is not UNSET}


def require(value: Any, field: str) -> Any:
    if value is UNSET or value is None or value == "":
        raise missing(field)
    return value
