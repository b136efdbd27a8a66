from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class FolderOut(msgspec.Struct):
    """Intercom's folder has no `type` and integer ids [spec: folder]."""

    id: int
    name: str
    description: str | None
    emoji: str | None
    parent_folder_id: int | None
    content_count: int
    created_at: int
    updated_at: int


class FolderList(msgspec.Struct):
    data: list[FolderOut]
    total_count: int
    pages: dict[str, Any]
    type: str = "list"


class DeletedFolder(msgspec.Struct):
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
