from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Request, UnsetType


class TagOut(msgspec.Struct):
    id: str
    name: str
    type: str = "tag"

    @classmethod
    def from_row(cls, row: Any) -> TagOut:
        return cls(id=str(row["id"]), name=row["name"])


class TagList(msgspec.Struct):
    data: list[TagOut]
    type: str = "list"


class CreateOrUpdateTagRequest(Request):
    name: str
    # The spec says string; examples elsewhere send numbers: accept both.
    id: str | int | UnsetType = UNSET
    companies: list[dict[str, Any]] | UnsetType = UNSET
    users: list[dict[str, Any]] | UnsetType = UNSET
