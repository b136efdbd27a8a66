from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType
from tidings.custom_objects.attributes import render

# Intercom API.


class InstanceOut(PlainOut):
    id: str
    type: str
    external_id: str
    external_created_at: int | None
    external_updated_at: int | None
    created_at: int
    updated_at: int
    custom_attributes: dict[str, str]

    @classmethod
    def from_row(cls, row: Any, type_identifier: str) -> InstanceOut:
        return cls(
            id=str(row["id"]),
            type=type_identifier,
            external_id=row["external_id"],
            external_created_at=row["external_created_at"],
            external_updated_at=row["external_updated_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            custom_attributes={name: render(value) for name, value in row["custom_attributes"].items()},
        )


class InstanceDeleted(PlainOut):
    id: str
    object: str
    deleted: bool = True


class CreateOrUpdateInstanceRequest(Request):
    # The spec says string; a number is taken as its digits, as for other Intercom ids.
    external_id: str | int | UnsetType = UNSET
    external_created_at: int | None | UnsetType = UNSET
    external_updated_at: int | None | UnsetType = UNSET
    # Values are checked against the type's attributes by the service, not here.
    custom_attributes: dict[str, Any] | None | UnsetType = UNSET


# Management API.


class AttributeSpec(Request):
    name: str
    data_type: str
    # Reference attributes only: what carries them, "contact" or "conversation".
    owner_type: str | None = None


class AttributeOut(PlainOut):
    name: str
    data_type: str
    # Reference attributes only.
    owner_type: str | UnsetType = UNSET


class CreateTypeRequest(Request):
    identifier: str
    name: str | UnsetType = UNSET
    attributes: list[AttributeSpec] = msgspec.field(default_factory=list)


class UpdateTypeRequest(Request):
    identifier: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    attributes: list[AttributeSpec] = msgspec.field(default_factory=list)


class TypeOut(Out, tag="custom_object_type"):
    id: str
    identifier: str
    name: str
    attributes: list[AttributeOut]
    created_at: int
    updated_at: int


class TypeList(Out, tag="list"):
    data: list[TypeOut]
