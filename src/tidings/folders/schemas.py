from __future__ import annotations

from tidings.core.paging import Pages
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class FolderOut(PlainOut):
    """Intercom's folder has no `type` and integer ids [spec: folder]."""

    id: int
    name: str
    description: str | None
    emoji: str | None
    parent_folder_id: int | None
    content_count: int
    created_at: int
    updated_at: int


class FolderList(Out, tag="list"):
    data: list[FolderOut]
    total_count: int
    pages: Pages


class DeletedFolder(PlainOut):
    id: int
    object: str = "folder"
    deleted: bool = True


class FolderFields(Request):
    name: str | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    emoji: str | None | UnsetType = UNSET
    parent_folder_id: int | str | None | UnsetType = UNSET


class FolderRequest(Request):
    folder: FolderFields | UnsetType = UNSET
