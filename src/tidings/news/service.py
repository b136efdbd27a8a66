"""News items (draft or live, published to newsfeeds) and newsfeeds (set up by the workspace)."""

from __future__ import annotations

from typing import Any

from tidings.admins import storage as admin_storage
from tidings.core import clock
from tidings.core.errors import found, invalid, missing
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.news import storage
from tidings.news.schemas import (
    AssignmentIn,
    CreateNewsfeed,
    DeletedNewsItem,
    NewsfeedAssignment,
    NewsfeedList,
    NewsfeedOut,
    NewsItemList,
    NewsItemOut,
    NewsItemRequest,
)

ITEMS_PER_PAGE = 10
FEEDS_PER_PAGE = 10
LIVE_PER_PAGE = 20
MAX_PER_PAGE = 150
STATES = ("draft", "live")
TITLE_LIMIT = 255
BODY_LIMIT = 1_000_000
MAX_LABELS = 50
MAX_REACTIONS = 8
MAX_FEEDS = 50
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def newsfeed_out(row: Any) -> NewsfeedOut:
    return NewsfeedOut(id=str(row["id"]), name=row["name"], created_at=row["created_at"], updated_at=row["updated_at"])


def item_out(row: Any, assignments: list[Any]) -> NewsItemOut:
    return NewsItemOut(
        id=str(row["id"]),
        workspace_id=row["workspace_id"],
        title=row["title"],
        body=row["body"],
        sender_id=int(row["sender_id"]),
        state=row["state"],
        labels=list(row["labels"]),
        cover_image_url=row["cover_image_url"],
        reactions=list(row["reactions"]),
        deliver_silently=bool(row["deliver_silently"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        newsfeed_assignments=[
            NewsfeedAssignment(
                newsfeed_id=int(a["newsfeed_id"]),
                published_at=UNSET if a["published_at"] is None else a["published_at"],
            )
            for a in assignments
        ],
    )


async def _items_out(uow: UnitOfWork, rows: list[Any]) -> list[NewsItemOut]:
    assignments = await storage.assignments_of(uow, [int(r["id"]) for r in rows])
    return [item_out(r, assignments[int(r["id"])]) for r in rows]


async def item_row(uow: UnitOfWork, item_id: str | int) -> Any:
    numeric = parse_numeric_id(item_id)
    row = found(await storage.get_item(uow, numeric) if numeric else None)
    return row


async def newsfeed_row(uow: UnitOfWork, newsfeed_id: str | int) -> Any:
    numeric = parse_numeric_id(newsfeed_id)
    row = found(await storage.get_newsfeed(uow, numeric) if numeric else None)
    return row


# Newsfeeds.
async def list_newsfeeds(uow: UnitOfWork, page: int | None, per_page: int | None) -> NewsfeedList:
    number, size, offset = numbered_page(page, per_page, FEEDS_PER_PAGE, MAX_PER_PAGE)
    total = await storage.count_newsfeeds(uow)
    rows = await storage.newsfeed_page(uow, offset, size)
    return NewsfeedList(
        data=[newsfeed_out(r) for r in rows], pages=numbered_pages(number, size, total), total_count=total
    )


async def get_newsfeed(uow: UnitOfWork, newsfeed_id: str) -> NewsfeedOut:
    return newsfeed_out(await newsfeed_row(uow, newsfeed_id))


async def create_newsfeed(uow: UnitOfWork, data: CreateNewsfeed) -> NewsfeedOut:
    if not data.name.strip() or len(data.name) > TITLE_LIMIT:
        raise invalid("name must be 1 to 255 characters", "name")
    now = clock.now()
    newsfeed_id = await storage.insert_newsfeed(uow, {"name": data.name, "created_at": now, "updated_at": now})
    return newsfeed_out(await storage.get_newsfeed(uow, newsfeed_id))


async def live_items(uow: UnitOfWork, newsfeed_id: str, page: int | None, per_page: int | None) -> NewsItemList:
    """The feed's live items, most recently published first."""
    feed = await newsfeed_row(uow, newsfeed_id)
    number, size, offset = numbered_page(page, per_page, LIVE_PER_PAGE, MAX_PER_PAGE)
    total = await storage.count_live(uow, int(feed["id"]))
    rows = await storage.live_page(uow, int(feed["id"]), offset, size)
    return NewsItemList(data=await _items_out(uow, rows), pages=numbered_pages(number, size, total), total_count=total)


# News items.
async def list_items(uow: UnitOfWork, page: int | None, per_page: int | None) -> NewsItemList:
    number, size, offset = numbered_page(page, per_page, ITEMS_PER_PAGE, MAX_PER_PAGE)
    total = await storage.count_items(uow)
    rows = await storage.item_page(uow, offset, size)
    return NewsItemList(data=await _items_out(uow, rows), pages=numbered_pages(number, size, total), total_count=total)


async def get_item(uow: UnitOfWork, item_id: str) -> NewsItemOut:
    return (await _items_out(uow, [await item_row(uow, item_id)]))[0]


def _text(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if len(value) > limit:
        raise invalid(f"{field} must be at most {limit} characters", field)
    return value


async def _sender(uow: UnitOfWork, value: Any) -> int:
    numeric = parse_numeric_id(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if numeric is None or await admin_storage.get_admin(uow, numeric) is None:
        raise invalid("sender_id must be a teammate", "sender_id")
    return numeric


def _labels(value: Any) -> list[str]:
    labels = sorted(set(value or []))
    if len(labels) > MAX_LABELS or any(not label.strip() or len(label) > TITLE_LIMIT for label in labels):
        raise invalid(f"labels must be at most {MAX_LABELS} names of 1 to 255 characters", "labels")
    return labels


def _reactions(value: Any) -> list[str | None]:
    reactions = list(value or [])
    if len(reactions) > MAX_REACTIONS or any(r is not None and (not r or len(r) > 16) for r in reactions):
        raise invalid(f"reactions must be at most {MAX_REACTIONS} emoji", "reactions")
    return reactions


def _cover(value: Any) -> str | None:
    if value in (None, ""):
        return None
    path = value.split("?", 1)[0].lower()
    if len(value) > 2048 or not value.startswith(("http://", "https://")) or not path.endswith(IMAGE_SUFFIXES):
        raise invalid("cover_image_url must be an http(s) URL of a .jpg or .png image", "cover_image_url")
    return value


async def _assignments(uow: UnitOfWork, value: list[AssignmentIn] | None, state: str, now: int) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for assignment in value or []:
        feed = found(
            await storage.get_newsfeed(uow, parse_numeric_id(assignment.newsfeed_id) or 0),
            invalid("newsfeed_id must name a newsfeed of the workspace", "newsfeed_assignments"),
        )
        published = assignment.published_at
        if published is not None and published > now:
            raise invalid("Publish dates cannot be in the future", "newsfeed_assignments")
        # Ignored while the item is a draft; going live without one publishes now.
        rows[int(feed["id"])] = {"newsfeed_id": int(feed["id"]), "published_at": published}
    if len(rows) > MAX_FEEDS:
        raise invalid(f"newsfeed_assignments must name at most {MAX_FEEDS} newsfeeds", "newsfeed_assignments")
    return [row | {"published_at": _published(row["published_at"], state, now)} for row in rows.values()]


def _published(published_at: int | None, state: str, now: int) -> int | None:
    if state != "live":
        return published_at
    return now if published_at is None else published_at


def _state(value: Any) -> str:
    if value not in STATES:
        raise invalid("state must be one of draft, live", "state")
    return value


async def create_item(uow: UnitOfWork, data: NewsItemRequest) -> NewsItemOut:
    if data.title in (UNSET, None) or not str(data.title).strip():
        raise missing("title")
    if data.sender_id in (UNSET, None):
        raise missing("sender_id")
    now = clock.now()
    state = "draft" if data.state in (UNSET, None) else _state(data.state)
    feeds = await _assignments(
        uow, None if data.newsfeed_assignments is UNSET else data.newsfeed_assignments, state, now
    )
    item_id = await storage.insert_item(
        uow,
        {
            "title": _text(data.title, "title", TITLE_LIMIT),
            "body": "" if data.body is UNSET else _text(data.body, "body", BODY_LIMIT),
            "sender_id": await _sender(uow, data.sender_id),
            "state": state,
            "labels": [] if data.labels is UNSET else _labels(data.labels),
            "cover_image_url": None if data.cover_image_url is UNSET else _cover(data.cover_image_url),
            "reactions": [] if data.reactions is UNSET else _reactions(data.reactions),
            "deliver_silently": bool(data.deliver_silently) if data.deliver_silently is not UNSET else False,
            "created_at": now,
            "updated_at": now,
        },
    )
    await storage.set_assignments(uow, item_id, feeds)
    return await get_item(uow, str(item_id))


async def update_item(uow: UnitOfWork, item_id: str, data: NewsItemRequest) -> NewsItemOut:
    """Partial, though the spec's schema marks title and sender_id required on PUT too."""
    row = await item_row(uow, item_id)
    now = clock.now()
    values: dict[str, Any] = {}
    if data.title is not UNSET:
        if data.title is None or not data.title.strip():
            raise invalid("title must not be blank", "title")
        values["title"] = _text(data.title, "title", TITLE_LIMIT)
    if data.body is not UNSET:
        values["body"] = _text(data.body, "body", BODY_LIMIT)
    if data.sender_id is not UNSET:
        values["sender_id"] = await _sender(uow, data.sender_id)
    if data.state is not UNSET:
        values["state"] = _state(data.state)
    if data.labels is not UNSET:
        values["labels"] = _labels(data.labels)
    if data.reactions is not UNSET:
        values["reactions"] = _reactions(data.reactions)
    if data.cover_image_url is not UNSET:
        values["cover_image_url"] = _cover(data.cover_image_url)
    if data.deliver_silently is not UNSET:
        values["deliver_silently"] = bool(data.deliver_silently)
    state = values.get("state", row["state"])
    if data.newsfeed_assignments is not UNSET:
        await storage.set_assignments(uow, row["id"], await _assignments(uow, data.newsfeed_assignments, state, now))
    elif state == "live" and row["state"] != "live":
        # Going live publishes the existing assignments that have no date yet.
        current = (await storage.assignments_of(uow, [int(row["id"])]))[int(row["id"])]
        feeds = [
            {"newsfeed_id": int(a["newsfeed_id"]), "published_at": _published(a["published_at"], state, now)}
            for a in current
        ]
        await storage.set_assignments(uow, row["id"], feeds)
    await storage.update_item(uow, row["id"], values | {"updated_at": now})
    return await get_item(uow, str(row["id"]))


async def delete_item(uow: UnitOfWork, item_id: str) -> DeletedNewsItem:
    row = await item_row(uow, item_id)
    await storage.delete_item(uow, row["id"])
    return DeletedNewsItem(id=str(row["id"]))
