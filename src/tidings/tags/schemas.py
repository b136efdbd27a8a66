from __future__ import annotations

from typing import Any

from tidings.core.schemas import UNSET, Out, Request, UnsetType


class TagOut(Out, tag="tag"):
    id: str
    name: str

    @classmethod
    def from_row(cls, row: Any) -> TagOut:
        return cls(id=str(row["id"]), name=row["name"])


class TagList(Out, tag="list"):
    data: list[TagOut]


class CreateOrUpdateTagRequest(Request):
    name: str
    # The spec says string; examples elsewhere send numbers: accept both.
    id: str | int | UnsetType = UNSET
    companies: list[dict[str, Any]] | UnsetType = UNSET
    users: list[dict[str, Any]] | UnsetType = UNSET
