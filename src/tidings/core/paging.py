"""Intercom's paging, once for every list and search: the two `pages` objects of the spec and the
cursor behind `pages.next.starting_after`.

- `CursorPages` (spec `cursor_pages`): `next` is `{per_page, starting_after}` while more rows
  follow.
- `Pages` (spec `pages_link`): numbered pages; `next` is the next page's URL while more follow.

On the last page `next` is left out or null, as the spec's example for that list shows (contacts,
conversations and tickets leave it out; companies, notes and activity logs send null).

A cursor is opaque: base64 of the page number and the last row's sort key, so paging is keyset
based and stable under concurrent inserts. A cursor that does not decode is refused as Intercom
refuses it.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from tidings.core.errors import CLIENT_ERROR, TidingsError, invalid
from tidings.core.schemas import UNSET, Out, PlainOut, UnsetType

if TYPE_CHECKING:
    from litestar import Request

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
    return CLIENT_ERROR(_INVALID_CURSOR, "starting_after")


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
        raise invalid("per_page must be a positive integer", "per_page")
    return min(per_page, maximum)


class StartingAfter(PlainOut):
    per_page: int
    starting_after: str


class CursorPages(Out, tag="pages"):
    per_page: int
    # Some lists (WhatsApp statuses) carry neither the page number nor the page count.
    page: int | UnsetType = UNSET
    total_pages: int | UnsetType = UNSET
    next: StartingAfter | None | UnsetType = UNSET


class Pages(Out, tag="pages"):
    page: int
    per_page: int
    total_pages: int
    next: str | None | UnsetType = UNSET


def total_pages(total: int, per_page: int) -> int:
    return math.ceil(total / per_page) if total else 0


def cursor_pages(
    page: int, per_page: int, total: int, next_key: list[Any] | None, last: None | UnsetType = UNSET
) -> CursorPages:
    """Cursor pages of `total` rows: `next_key` is the sort key of this page's last row while more
    follow; on the last page `next` is `last`."""
    return CursorPages(
        page=page,
        per_page=per_page,
        total_pages=total_pages(total, per_page),
        next=last if next_key is None else StartingAfter(per_page, encode_cursor(page + 1, next_key)),
    )


def numbered_pages(
    page: int, per_page: int, total: int, next_url: str | None = None, last: None | UnsetType = UNSET
) -> Pages:
    """Numbered pages of `total` rows: `next` is `next_url` (formatted with `page` and `per_page`)
    while more follow, else `last`."""
    count = total_pages(total, per_page)
    more = next_url is not None and page < count
    return Pages(
        page=page,
        per_page=per_page,
        total_pages=count,
        next=next_url.format(page=page + 1, per_page=per_page) if more else last,
    )


def requested_page(page: int | None, starting_after: str | None) -> int | None:
    """A numbered list's page: the one a `numbered_cursor_pages` cursor names, else `page`."""
    cursor = decode_cursor(starting_after)
    return cursor.page if cursor is not None else page


def numbered_cursor_pages(page: int, per_page: int, total: int) -> CursorPages:
    """Numbered pages in the spec's `cursor_pages` shape (companies, notes): `next` carries a cursor
    naming the next page (`requested_page` reads it), null on the last page."""
    count = total_pages(total, per_page)
    more = page < count
    return CursorPages(
        page=page,
        per_page=per_page,
        total_pages=count,
        next=StartingAfter(per_page, encode_cursor(page + 1, [])) if more else None,
    )


def next_page_url(request: Request[Any, Any, Any]) -> str:
    """A template of the next page's link for `numbered_pages`: this URL with `page` and `per_page`."""
    return str(request.url.with_replacements(query="")) + "?page={page}&per_page={per_page}"


def numbered_page(page: int | None, per_page: int | None, default: int, maximum: int) -> tuple[int, int, int]:
    """Page-number paging (help center, news, folders...): (page, per page, offset). Pages past the
    end are valid and empty, as the SDKs page until an empty `data`."""
    size = clamp_per_page(per_page, default, maximum)
    number = 1 if page is None else page
    if number < 1:
        raise invalid("page must be a positive integer", "page")
    return number, size, (number - 1) * size
