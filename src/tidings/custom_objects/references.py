"""References from contacts and conversations to custom object instances, for those areas to call.

A custom object type declares a reference attribute with an owner type, e.g. type `Order` with
`{"name": "order", "data_type": "reference", "owner_type": "contact"}`. Contacts then carry
`custom_attributes.order`: written as a list of instance ids (`{"order": ["21"]}`, null or [] to
clear), answered as `{"type": "Order.list", "instances": [<instance>...]}`. The ids live in this
package's `custom_object_references` table, keyed by (owner_type, owner_id, attribute, instance_id),
never in the owner's own custom_attributes, so deleting an instance clears every reference to it.

How an owner's area uses this (contacts shown; conversations pass "conversation"):

    # PUT /contacts/{id}: split and check before writing anything.
    plain, refs = await references.split_custom_attributes(uow, "contact", data.custom_attributes)
    ...validate and store `plain` as the contact's own custom attributes...
    await references.save_references(uow, "contact", contact_id, refs)

    # Rendering a contact (or many, for lists and search): add the expanded references.
    custom_attributes = {**row["custom_attributes"], **await references.expand_references(uow, "contact", id)}

    # Deleting a contact (or a merged-away lead):
    await references.clear_owner_references(uow, "contact", contact_id)

Deleting an instance clears references itself (`clear_instance_references`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from tidings.core.errors import TidingsError, invalid
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import storage
from tidings.custom_objects.attributes import OWNER_TYPES
from tidings.custom_objects.schemas import InstanceOut


@dataclass(frozen=True, slots=True)
class ReferenceAttribute:
    name: str
    type_id: int
    type_identifier: str


async def reference_attributes(uow: UnitOfWork, owner_type: str) -> dict[str, ReferenceAttribute]:
    """The reference attributes `owner_type` objects carry, by name."""
    _check_owner_type(owner_type)
    return {
        row["name"]: ReferenceAttribute(row["name"], int(row["type_id"]), row["identifier"])
        for row in await storage.list_reference_attributes(uow, owner_type)
    }


async def validate_reference_value(
    uow: UnitOfWork, attribute: ReferenceAttribute, value: Any, field: str | None = None
) -> list[int]:
    """The instance ids `value` names, checked to be instances of the attribute's type; writes nothing.

    `value` is a list of instance ids (strings or integers); null or an empty list clears the
    reference. Anything else, or an id that is no instance of that type, is a 400 naming `field`
    (default `custom_attributes.<name>`).
    """
    field = field or f"custom_attributes.{attribute.name}"
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise invalid(
            f"Custom attribute '{attribute.name}' must be a list of {attribute.type_identifier} instance ids", field
        )
    ids: list[int] = []
    for item in value:
        numeric = parse_numeric_id(item)
        if numeric is None:
            raise _no_such_instance(attribute, item, field)
        if numeric not in ids:
            ids.append(numeric)
    found = {int(r["id"]): r for r in await storage.instances_by_ids(uow, ids)}
    for numeric in ids:
        row = found.get(numeric)
        if row is None or int(row["type_id"]) != attribute.type_id:
            raise _no_such_instance(attribute, numeric, field)
    return ids


def _no_such_instance(attribute: ReferenceAttribute, instance_id: Any, field: str) -> TidingsError:
    return invalid(f"Custom object instance {instance_id} of type {attribute.type_identifier} not found", field)


async def split_custom_attributes(
    uow: UnitOfWork, owner_type: str, custom_attributes: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """Split an owner's `custom_attributes` into its plain attributes and its checked references.

    Returns (plain attributes, {reference attribute: instance ids}). Raises on a bad reference
    before anything is written, so the caller's validation of the plain attributes can follow.
    """
    if not custom_attributes:
        return {}, {}
    declared = await reference_attributes(uow, owner_type)
    plain: dict[str, Any] = {}
    references: dict[str, list[int]] = {}
    for name, value in custom_attributes.items():
        attribute = declared.get(name)
        if attribute is None:
            plain[name] = value
        else:
            references[name] = await validate_reference_value(uow, attribute, value)
    return plain, references


async def save_references(uow: UnitOfWork, owner_type: str, owner_id: str, references: Mapping[str, list[int]]) -> None:
    """Replace the owner's references for each attribute given (ids from `validate_reference_value`)."""
    _check_owner_type(owner_type)
    for attribute, instance_ids in references.items():
        await storage.replace_references(uow, owner_type, str(owner_id), attribute, instance_ids)


async def expand_references_for_many(
    uow: UnitOfWork, owner_type: str, owner_ids: Iterable[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """{owner id: {attribute: {"type": "<Type>.list", "instances": [...]}}} for owners with references.

    Owners without references are absent; an attribute whose instances were all deleted is absent.
    """
    _check_owner_type(owner_type)
    return await expand_reference_rows(uow, await storage.references_of(uow, owner_type, [str(i) for i in owner_ids]))


async def expand_reference_rows(uow: UnitOfWork, rows: list[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """`expand_references_for_many` from reference rows already read (owner_id, attribute, instance_id,
    in owner, attribute and position order): one statement for the instances, none without rows."""
    if not rows:
        return {}
    instances = {int(r["id"]): r for r in await storage.instances_by_ids(uow, {int(r["instance_id"]) for r in rows})}
    expanded: dict[str, dict[str, dict[str, Any]]] = {}
    for ref in rows:
        instance = instances.get(int(ref["instance_id"]))
        if instance is None:
            continue
        identifier = instance["type_identifier"]
        owner = expanded.setdefault(ref["owner_id"], {})
        entry = owner.setdefault(ref["attribute"], {"type": f"{identifier}.list", "instances": []})
        entry["instances"].append(msgspec.to_builtins(InstanceOut.from_row(instance, identifier)))
    return expanded


async def expand_references(uow: UnitOfWork, owner_type: str, owner_id: str) -> dict[str, dict[str, Any]]:
    """{attribute: {"type": "<Type>.list", "instances": [...]}} for one owner, to merge into its custom_attributes."""
    return (await expand_references_for_many(uow, owner_type, [owner_id])).get(str(owner_id), {})


async def clear_owner_references(uow: UnitOfWork, owner_type: str, owner_id: str) -> None:
    """Forget every reference an owner holds (call when the contact or conversation is deleted)."""
    _check_owner_type(owner_type)
    await storage.delete_references_of(uow, owner_type, str(owner_id))


async def clear_instance_references(uow: UnitOfWork, instance_id: int) -> None:
    """Forget every reference to an instance (its deletion calls this)."""
    await storage.delete_references_to(uow, instance_id)


def _check_owner_type(owner_type: str) -> None:
    if owner_type not in OWNER_TYPES:
        raise ValueError(f"owner_type must be one of {OWNER_TYPES}, not {owner_type!r}")
