from __future__ import annotations

from typing import Any

from tidings.core.limits import AttributeName, Description
from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class DataAttributeOut(Out, tag="data_attribute"):
    name: str
    full_name: str
    label: str
    description: str
    data_type: str
    api_writable: bool
    ui_writable: bool
    messenger_writable: bool
    custom: bool
    archived: bool
    model: str
    id: int | UnsetType = UNSET
    options: list[str] | UnsetType = UNSET
    admin_id: str | UnsetType = UNSET
    created_at: int | UnsetType = UNSET
    updated_at: int | UnsetType = UNSET

    @classmethod
    def from_row(cls, row: Any) -> DataAttributeOut:
        return cls(
            id=int(row["id"]),
            name=row["name"],
            full_name=f"custom_attributes.{row['name']}",
            label=row["label"],
            description=row["description"] or "",
            data_type=row["data_type"],
            options=list(row["options"]) if row["options"] else UNSET,
            api_writable=True,
            ui_writable=True,
            messenger_writable=row["messenger_writable"],
            custom=True,
            archived=row["archived"],
            admin_id=str(row["admin_id"]) if row["admin_id"] is not None else UNSET,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            model=row["model"],
        )


class DataAttributeList(Out, tag="list"):
    data: list[DataAttributeOut]


class OptionValue(PlainOut):
    value: str


class CreateDataAttributeRequest(Request):
    name: AttributeName
    model: str
    data_type: str
    description: Description | None = None
    options: list[OptionValue] | None = None
    messenger_writable: bool = False


class UpdateDataAttributeRequest(Request):
    archived: bool | UnsetType = UNSET
    description: Description | None | UnsetType = UNSET
    options: Any = UNSET
    messenger_writable: bool | UnsetType = UNSET
