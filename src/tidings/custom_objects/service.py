"""Custom object instances: create-or-update by external_id, find, delete (clearing references to them)."""

from __future__ import annotations

from typing import Any

from tidings.core import clock
from tidings.core.errors import TidingsError, found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.schemas import UNSET, require
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import storage
from tidings.custom_objects.attributes import merge
from tidings.custom_objects.references import clear_instance_references
from tidings.custom_objects.schemas import CreateOrUpdateInstanceRequest, InstanceDeleted, InstanceOut
from tidings.custom_objects.type_service import row_by_identifier


def instance_not_found() -> TidingsError:
    return not_found("Custom object instance not found")


async def _declared(uow: UnitOfWork, type_row: Any) -> dict[str, str]:
    """The type's own attributes (its reference attributes belong to contacts and conversations)."""
    return {
        a["name"]: a["data_type"]
        for a in await storage.list_attributes(uow, [type_row["id"]])
        if a["owner_type"] is None
    }


def _timestamp(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise invalid(f"{field} must be a Unix timestamp", field)
    return int(value)


async def create_or_update(uow: UnitOfWork, identifier: str, data: CreateOrUpdateInstanceRequest) -> InstanceOut:
    type_row = await row_by_identifier(uow, identifier)
    external_id = str(require(data.external_id, "external_id")).strip()
    if not external_id:
        raise invalid("external_id must not be blank", "external_id")
    declared = await _declared(uow, type_row)
    given = data.custom_attributes if isinstance(data.custom_attributes, dict) else {}
    # Validate before writing anything, against an empty instance: every given name and value counts.
    attributes = merge({}, given, declared, identifier)
    times = {
        field: _timestamp(value, field)
        for field in ("external_created_at", "external_updated_at")
        if (value := getattr(data, field)) is not UNSET
    }
    now = clock.now()
    row = await storage.find_instance_by_external_id(uow, type_row["id"], external_id, for_update=True)
    if row is None:
        inserted = await storage.insert_instance_if_absent(
            uow,
            {
                "type_id": type_row["id"],
                "external_id": external_id,
                "external_created_at": times.get("external_created_at"),
                "external_updated_at": times.get("external_updated_at"),
                "custom_attributes": attributes,
                "created_at": now,
                "updated_at": now,
            },
        )
        if inserted is not None:
            return InstanceOut.from_row(await storage.get_instance(uow, type_row["id"], inserted), identifier)
        # A concurrent request created it first: update that one instead.
        row = await storage.find_instance_by_external_id(uow, type_row["id"], external_id, for_update=True)
    merged = merge(row["custom_attributes"], given, declared, identifier)
    await storage.update_instance(uow, row["id"], {"custom_attributes": merged, "updated_at": now, **times})
    return InstanceOut.from_row(await storage.get_instance(uow, type_row["id"], row["id"]), identifier)


async def _by_external_id(uow: UnitOfWork, type_row: Any, external_id: str | None) -> Any:
    if not external_id:
        raise missing("external_id")
    row = found(await storage.find_instance_by_external_id(uow, type_row["id"], external_id), instance_not_found())
    return row


async def _by_id(uow: UnitOfWork, type_row: Any, instance_id: str) -> Any:
    numeric = parse_numeric_id(instance_id)
    row = found(await storage.get_instance(uow, type_row["id"], numeric) if numeric else None, instance_not_found())
    return row


async def get_by_external_id(uow: UnitOfWork, identifier: str, external_id: str | None) -> InstanceOut:
    type_row = await row_by_identifier(uow, identifier)
    return InstanceOut.from_row(await _by_external_id(uow, type_row, external_id), identifier)


async def get_by_id(uow: UnitOfWork, identifier: str, instance_id: str) -> InstanceOut:
    """The instance with this Intercom id or, failing that, this external_id (the spec's parameter
    description: "The id or external_id of the custom object instance")."""
    type_row = await row_by_identifier(uow, identifier)
    numeric = parse_numeric_id(instance_id)
    row = await storage.get_instance(uow, type_row["id"], numeric) if numeric else None
    row = found(
        row or await storage.find_instance_by_external_id(uow, type_row["id"], instance_id), instance_not_found()
    )
    return InstanceOut.from_row(row, identifier)


async def delete_by_external_id(uow: UnitOfWork, identifier: str, external_id: str | None) -> InstanceDeleted:
    type_row = await row_by_identifier(uow, identifier)
    return await _delete(uow, identifier, await _by_external_id(uow, type_row, external_id))


async def delete_by_id(uow: UnitOfWork, identifier: str, instance_id: str) -> InstanceDeleted:
    type_row = await row_by_identifier(uow, identifier)
    return await _delete(uow, identifier, await _by_id(uow, type_row, instance_id))


async def _delete(uow: UnitOfWork, identifier: str, row: Any) -> InstanceDeleted:
    # Contacts and conversations stop referencing it in the same transaction.
    await clear_instance_references(uow, row["id"])
    await storage.delete_instance(uow, row["id"])
    return InstanceDeleted(id=str(row["id"]), object=identifier)
