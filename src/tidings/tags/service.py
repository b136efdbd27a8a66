from __future__ import annotations

from typing import Any

from tidings.core import clock
from tidings.core.errors import TAG_HAS_DEPENDENT_OBJECTS, TidingsError, found, invalid, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.segments import storage as segment_storage
from tidings.tags import storage
from tidings.tags.schemas import CreateOrUpdateTagRequest, TagList, TagOut


def tag_not_found(code: str = "not_found", message: str = "Resource Not Found") -> TidingsError:
    """Unknown tag: `not_found` on the tag routes; the tag routes of conversations and tickets
    answer `tag_not_found` / "Tag not found" (the spec's examples)."""
    return not_found(message, code)


async def row_by_id(uow: UnitOfWork, tag_id: str | int, missing: TidingsError | None = None) -> Any:
    numeric = parse_numeric_id(tag_id)
    row = found(await storage.get_tag(uow, numeric) if numeric else None, missing or tag_not_found())
    return row


async def get(uow: UnitOfWork, tag_id: str) -> TagOut:
    return TagOut.from_row(await row_by_id(uow, tag_id))


async def list_all(uow: UnitOfWork) -> TagList:
    return TagList(data=[TagOut.from_row(r) for r in await storage.list_tags(uow)])


async def find_or_create(uow: UnitOfWork, name: str) -> Any:
    """The tag with this name (case-insensitive), created when there is none."""
    if not name.strip():
        raise invalid("invalid tag parameters", "name")
    await uow.serialise("tag-name", storage.name_key(name))
    row = await storage.find_by_name(uow, name)
    if row is None:
        row = await storage.get_tag(uow, await storage.insert_tag(uow, name, clock.now()))
    return row


async def save(uow: UnitOfWork, data: CreateOrUpdateTagRequest) -> Any:
    """`POST /tags` without its `users`/`companies` (tags/bulk.py): the named tag found or
    created, or (with `id`) renamed; returns its row."""
    if data.id is UNSET:
        row = await find_or_create(uow, data.name)
    else:
        row = await row_by_id(uow, data.id)
        if not data.name.strip():
            raise invalid("invalid tag parameters", "name")
        await uow.serialise("tag-name", storage.name_key(data.name))
        clash = await storage.find_by_name(uow, data.name)
        if clash is not None and clash["id"] != row["id"]:
            raise invalid(f"A tag named {data.name!r} already exists", "name")
        await storage.rename_tag(uow, row["id"], data.name)
        row = await storage.get_tag(uow, row["id"])
    return row


async def delete(uow: UnitOfWork, tag_id: str) -> None:
    row = await row_by_id(uow, tag_id)
    using = [s["name"] for s in await segment_storage.list_segments(uow) if _names_tag(s["query"], str(row["id"]))]
    if using:
        message = f"Unable to delete Tag with dependent objects. Segments: {', '.join(using)}."
        raise TAG_HAS_DEPENDENT_OBJECTS(message)
    await storage.delete_tag(uow, row["id"])


def _names_tag(query: Any, tag_id: str) -> bool:
    """Whether a saved query filters on the tag (a `tag_id` filter, at any depth)."""
    if not isinstance(query, dict):
        return False
    value = query.get("value")
    if query.get("field") == "tag_id":
        return tag_id in ([str(v) for v in value] if isinstance(value, list) else [str(value)])
    return isinstance(value, list) and any(_names_tag(member, tag_id) for member in value)
