"""Intercom's cursor paging (`pages.next.starting_after`), once for every list and search.

A cursor is opaque: base64 of the page number and the last row's sort key, so paging is keyset
based and stable under concurrent inserts. A cursor that does not decode is refused as Intercom
refuses it.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import msgspec

from tidings.core.errors import TidingsError

_INVALID_CURSOR = (
    "Invalid starting_after param. Please try again using a starting_after value from a paginated response"
)


@dataclass(frozen=True, slots=True)
class Cursor:
    page: int
    key: list[Any]


def encode_cursor(page: int, key: list[Any]) -> str:
    raw = msgspec.json.encode([page, key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invalid_cursor() -> TidingsError:
    return TidingsError(400, "client_error", _INVALID_CURSOR, field="starting_after")


def decode_cursor(value: str | None) -> Cursor | None:
    if not value:
        return None
    try:
        padded = value + "=" * (-len(value) % 4)
        page, key = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(page, int) or not isinstance(key, list):
            raise ValueError
    except (ValueError, TypeError, msgspec.DecodeError):
        raise invalid_cursor() from None
    return Cursor(page=page, key=key)


def clamp_per_page(per_page: int | None, default: int, maximum: int) -> int:
    if per_page is None:
        return default
    if per_page < 1:
        raise TidingsError(400, "parameter_invalid", "per_page must be a positive integer", field="per_page")
    return min(per_page, maximum)


def cursor_pages(page: int, per_page: int, total: int, next_key: list[Any] | None) -> dict[str, Any]:
    """The spec's `cursor_pages` object; `next` only while more rows follow."""
    pages: dict[str, Any] = {
        "type": "pages",
        "page": page,
        "per_page": per_page,
        "total_pages": math.ceil(total / per_page) if total else 0,
    }
    if next_key is not None:
        pages["next"] = {"per_page": per_page, "starting_after": encode_cursor(page + 1, next_key)}
    return pages


def numbered_page(page: int | None, per_page: int | None, default: int, maximum: int) -> tuple[int, int, int]:
    """Page-number paging (help center, news, folders...): (page, per page, offset). Pages past the
    end are valid and empty, as the SDKs page until an empty `data`."""
    size = clamp_per_page(per_page, default, maximum)
    number = 1 if page is None else page
    if number < 1:
        raise TidingsError(400, "parameter_invalid", "page must be a positive integer", field="page")
    return number, size, (number - 1) * size


def numbered_pages(page: int, per_page: int, total: int) -> dict[str, Any]:
    """The `pages` object of a page-number list (no `next`: no client reads it, §0.3)."""
    return {
        "type": "pages",
        "page": page,
        "per_page": per_page,
        "total_pages": math.ceil(total / per_page) if total else 0,
    }
