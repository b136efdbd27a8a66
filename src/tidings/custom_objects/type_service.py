"""Custom object types, set up through the management API (Intercom does this in its web UI).

A type's identifier names it in the Intercom paths and cannot change; attributes can be added later
but never retyped or removed, so instances stored earlier stay valid.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from tidings.core import clock
from tidings.core.errors import CONFLICT, TidingsError, found, invalid, missing, not_found
from tidings.core.schemas import UNSET, UnsetType
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import storage
from tidings.custom_objects.attributes import BUILT_IN, DATA_TYPES, OWNER_TYPES, REFERENCE
from tidings.custom_objects.schemas import (
    AttributeOut,
    AttributeSpec,
    CreateTypeRequest,
    TypeList,
    TypeOut,
    UpdateTypeRequest,
)

# Identifiers go into URL paths and `<Identifier>.list` type names.
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_ ]{0,254}")


def type_not_found(identifier: str) -> TidingsError:
    return not_found(f"Custom object type `{identifier}` not found")


async def _out(uow: UnitOfWork, row: Any) -> TypeOut:
    attributes = await storage.list_attributes(uow, [row["id"]])
    return _render(row, attributes)


def _render(row: Any, attributes: list[Any]) -> TypeOut:
    return TypeOut(
        id=str(row["id"]),
        identifier=row["identifier"],
        name=row["name"],
        attributes=[AttributeOut(a["name"], a["data_type"], a["owner_type"] or UNSET) for a in attributes],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def row_by_identifier(uow: UnitOfWork, identifier: str) -> Any:
    row = found(await storage.get_type_by_identifier(uow, identifier), type_not_found(identifier))
    return row


async def list_all(uow: UnitOfWork) -> TypeList:
    rows = await storage.list_types(uow)
    attributes = await storage.list_attributes(uow, [r["id"] for r in rows])
    return TypeList(data=[_render(r, [a for a in attributes if a["type_id"] == r["id"]]) for r in rows])


async def get(uow: UnitOfWork, identifier: str) -> TypeOut:
    return await _out(uow, await row_by_identifier(uow, identifier))


async def create(uow: UnitOfWork, data: CreateTypeRequest) -> TypeOut:
    identifier = data.identifier.strip()
    if not identifier:
        raise missing("identifier")
    if not _IDENTIFIER.fullmatch(identifier):
        raise invalid("identifier must start with a letter and hold only letters, digits and underscores", "identifier")
    await uow.serialise("custom-object-type", identifier)
    if await storage.get_type_by_identifier(uow, identifier) is not None:
        raise CONFLICT(f"A custom object type with identifier {identifier} already exists")
    name = _name(data.name, default=identifier)
    await _check_new_attributes(uow, data.attributes, existing={})
    now = clock.now()

    async def write() -> None:
        type_id = await storage.insert_type(uow, identifier, name, now)
        for spec in data.attributes:
            await storage.insert_attribute(uow, type_id, spec.name, spec.data_type, spec.owner_type, now)

    await _unless_raced(write)
    return await get(uow, identifier)


async def update(uow: UnitOfWork, identifier: str, data: UpdateTypeRequest) -> TypeOut:
    """Rename the type or add attributes; an attribute given again with its own definition is left as it is."""
    row = await row_by_identifier(uow, identifier)
    if data.identifier is not UNSET and data.identifier != identifier:
        raise invalid("A custom object type's identifier cannot be changed", "identifier")
    existing = {a["name"]: a for a in await storage.list_attributes(uow, [row["id"]])}
    added = await _check_new_attributes(uow, data.attributes, existing)
    now = clock.now()
    changes: dict[str, Any] = {"updated_at": now}
    if data.name is not UNSET:
        changes["name"] = _name(data.name, default=row["name"])

    async def write() -> None:
        for spec in added:
            await storage.insert_attribute(uow, row["id"], spec.name, spec.data_type, spec.owner_type, now)
        await storage.update_type(uow, row["id"], changes)

    await _unless_raced(write)
    return await get(uow, identifier)


async def _unless_raced(write: Callable[[], Awaitable[None]]) -> None:
    """Run the writes; a unique key taken by a concurrent request since the checks is a 409, not a 500."""
    try:
        await write()
    except IntegrityError:
        raise CONFLICT("The custom object type was changed by a concurrent request; try again") from None


def _name(value: str | UnsetType, default: str) -> str:
    if value is UNSET:
        return default
    if not value.strip():
        raise invalid("name must not be empty", "name")
    return value.strip()


async def _check_new_attributes(
    uow: UnitOfWork, specs: list[AttributeSpec], existing: dict[str, Any]
) -> list[AttributeSpec]:
    """The attributes in `specs` that are new; raises on a bad, clashing or retyped one."""
    added: list[AttributeSpec] = []
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        field = f"attributes[{index}]"
        _check_attribute(spec, field)
        if spec.name in seen:
            raise invalid(f"Attribute {spec.name!r} is given twice", f"{field}.name")
        seen.add(spec.name)
        current = existing.get(spec.name)
        if current is not None:
            if (current["data_type"], current["owner_type"]) != (spec.data_type, spec.owner_type):
                raise invalid(f"Attribute {spec.name!r} already exists as {current['data_type']}", f"{field}.name")
            continue
        if spec.owner_type is not None:
            clash = await storage.find_reference_attribute(uow, spec.owner_type, spec.name)
            if clash is not None:
                raise invalid(
                    f"{spec.owner_type} already has a reference attribute {spec.name!r} (to {clash['identifier']})",
                    f"{field}.name",
                )
        added.append(spec)
    return added


def _check_attribute(spec: AttributeSpec, field: str) -> None:
    if not _ATTRIBUTE_NAME.fullmatch(spec.name):
        raise invalid(
            "An attribute name starts with a letter or underscore and holds letters, digits, underscores and spaces",
            f"{field}.name",
        )
    if spec.name in BUILT_IN:
        raise invalid(f"{spec.name} is a built-in attribute of every custom object", f"{field}.name")
    if spec.data_type not in DATA_TYPES:
        raise invalid(f"data_type must be one of {', '.join(DATA_TYPES)}", f"{field}.data_type")
    if spec.data_type == REFERENCE and spec.owner_type not in OWNER_TYPES:
        raise invalid(f"A reference attribute's owner_type is one of {', '.join(OWNER_TYPES)}", f"{field}.owner_type")
    if spec.data_type != REFERENCE and spec.owner_type is not None:
        raise invalid("owner_type is only for reference attributes", f"{field}.owner_type")
