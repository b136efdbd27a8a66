"""Folders: named, nested places for articles and internal articles; a folder holding anything
(content or folders) cannot be deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from tidings.articles import storage as article_storage
from tidings.core import clock
from tidings.core.errors import UNPROCESSABLE_ENTITY, TidingsError, found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.folders import storage
from tidings.folders.schemas import DeletedFolder, FolderFields, FolderList, FolderOut, FolderRequest
from tidings.internal_articles import storage as internal_storage

FOLDERS_PER_PAGE = 50
MAX_PER_PAGE = 150
NAME_LIMIT = 255
MAX_DEPTH = 16


def folder_not_found() -> TidingsError:
    return not_found("Folder not found")


async def folder_row(uow: UnitOfWork, folder_id: str | int) -> Any:
    numeric = parse_numeric_id(folder_id)
    row = found(await storage.get_folder(uow, numeric) if numeric else None, folder_not_found())
    return row


async def check_folder(uow: UnitOfWork, value: Any, field: str = "folder_id") -> int | None:
    """A content item's `folder_id`: None, or a folder of the workspace."""
    if value is UNSET or value is None or value == "":
        return None
    numeric = parse_numeric_id(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if numeric is None or await storage.get_folder(uow, numeric) is None:
        raise invalid(f"{field} must name a folder of the workspace", field)
    return numeric


async def content_counts(uow: UnitOfWork) -> dict[int, int]:
    """Items directly in each folder (articles and internal articles)."""
    counts: dict[int, int] = {}
    for table in (article_storage.articles, internal_storage.internal_articles):
        stmt = (
            uow.select(table, table.c.folder_id, func.count())
            .where(table.c.folder_id.is_not(None))
            .group_by(table.c.folder_id)
        )
        for row in (await uow.execute(stmt)).all():
            counts[int(row[0])] = counts.get(int(row[0]), 0) + int(row[1])
    return counts


def folder_out(row: Any, counts: dict[int, int]) -> FolderOut:
    return FolderOut(
        id=int(row["id"]),
        name=row["name"],
        description=row["description"],
        emoji=row["emoji"],
        parent_folder_id=row["parent_folder_id"],
        content_count=counts.get(int(row["id"]), 0),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def descendants(uow: UnitOfWork, folder_id: int) -> list[int]:
    """The folder and every folder below it."""
    rows = await storage.all_folders(uow)
    found = [folder_id]
    for current in found:
        found.extend(int(r["id"]) for r in rows if r["parent_folder_id"] == current)
    return found


async def list_folders(
    uow: UnitOfWork, page: int | None, per_page: int | None, parent_folder_id: int | None
) -> FolderList:
    number, size, offset = numbered_page(page, per_page, FOLDERS_PER_PAGE, MAX_PER_PAGE)
    total = await storage.count_folders(uow, parent_folder_id)
    rows = await storage.list_folders(uow, parent_folder_id, offset, size)
    counts = await content_counts(uow)
    return FolderList(
        data=[folder_out(r, counts) for r in rows], total_count=total, pages=numbered_pages(number, size, total)
    )


async def get_folder(uow: UnitOfWork, folder_id: str) -> FolderOut:
    return folder_out(await folder_row(uow, folder_id), await content_counts(uow))


def _fields(data: FolderRequest) -> FolderFields:
    if data.folder is UNSET:
        raise missing("folder")
    return data.folder


def _text(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > NAME_LIMIT:
        raise invalid(f"{field} must be at most {NAME_LIMIT} characters", field)
    return value


async def _parent(uow: UnitOfWork, value: Any, moving: int | None) -> int | None:
    parent = await check_folder(uow, value, "parent_folder_id")
    if parent is None:
        return None
    if moving is not None and parent in await descendants(uow, moving):
        raise invalid("parent_folder_id cannot be the folder itself or one of its descendants", "parent_folder_id")
    depth, current = 1, await storage.get_folder(uow, parent)
    while current is not None and current["parent_folder_id"] is not None:
        depth += 1
        current = await storage.get_folder(uow, current["parent_folder_id"])
    if depth >= MAX_DEPTH:
        raise invalid(f"folders nest at most {MAX_DEPTH} levels deep", "parent_folder_id")
    return parent


async def create_folder(uow: UnitOfWork, data: FolderRequest) -> FolderOut:
    fields = _fields(data)
    if fields.name in (UNSET, None) or not str(fields.name).strip():
        raise missing("name")
    now = clock.now()
    folder_id = await storage.insert_folder(
        uow,
        {
            "name": _text(fields.name, "name"),
            "description": None if fields.description is UNSET else _text(fields.description, "description"),
            "emoji": None if fields.emoji is UNSET else _text(fields.emoji, "emoji"),
            "parent_folder_id": await _parent(uow, fields.parent_folder_id, None),
            "created_at": now,
            "updated_at": now,
        },
    )
    return folder_out(await storage.get_folder(uow, folder_id), {})


async def update_folder(uow: UnitOfWork, folder_id: str, data: FolderRequest) -> FolderOut:
    row = await folder_row(uow, folder_id)
    fields = _fields(data)
    values: dict[str, Any] = {}
    if fields.name is not UNSET:
        if fields.name is None or not fields.name.strip():
            raise invalid("name must not be blank", "name")
        values["name"] = _text(fields.name, "name")
    for key in ("description", "emoji"):
        if getattr(fields, key) is not UNSET:
            values[key] = _text(getattr(fields, key), key)
    if fields.parent_folder_id is not UNSET:
        values["parent_folder_id"] = await _parent(uow, fields.parent_folder_id, int(row["id"]))
    await storage.update_folder(uow, row["id"], values | {"updated_at": clock.now()})
    return folder_out(await storage.get_folder(uow, row["id"]), await content_counts(uow))


async def delete_folder(uow: UnitOfWork, folder_id: str) -> DeletedFolder:
    row = await folder_row(uow, folder_id)
    counts = await content_counts(uow)
    if counts.get(int(row["id"])) or len(await descendants(uow, int(row["id"]))) > 1:
        raise UNPROCESSABLE_ENTITY("Folder contains content")
    await storage.delete_folder(uow, row["id"])
    return DeletedFolder(id=int(row["id"]))
