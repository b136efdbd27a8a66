"""Data attributes: create, list, update; and the check every custom attribute write goes through."""

from __future__ import annotations

import re
from typing import Any

from tidings.core import clock
from tidings.core.errors import DATA_ATTRIBUTE_NOT_FOUND, TidingsError, found, invalid
from tidings.core.ids import parse_numeric_id
from tidings.core.limits import MAX_ATTRIBUTE_VALUE_LENGTH, check_length
from tidings.core.schemas import UNSET, present
from tidings.core.search import FieldType, field_types
from tidings.core.uow import UnitOfWork
from tidings.data_attributes import storage
from tidings.data_attributes.schemas import (
    CreateDataAttributeRequest,
    DataAttributeList,
    DataAttributeOut,
    UpdateDataAttributeRequest,
)

MODELS = ("contact", "company")
MODEL_WORDS = {"contact": "people", "company": "company"}
# The request's data types, and the type each is stored (and answered) as.
STORED_TYPES = {
    "string": "string",
    "options": "string",
    "integer": "integer",
    "float": "float",
    "boolean": "boolean",
    "date": "date",
    "datetime": "date",
}
VALID_NAME = re.compile(r"^[\w\- $\u00a2-\u00a5\u20a0-\u20cf]+$")

# Standard attributes Intercom lists next to the custom ones: (name, label, data type).
STANDARD: dict[str, list[tuple[str, str, str]]] = {
    "contact": [
        ("name", "Name", "string"),
        ("email", "Email", "string"),
        ("phone", "Phone", "string"),
        ("external_id", "User ID", "string"),
        ("role", "Role", "string"),
        ("owner_id", "Owner", "integer"),
        ("created_at", "Signed up", "date"),
        ("signed_up_at", "Signed up at", "date"),
        ("last_seen_at", "Last seen", "date"),
        ("unsubscribed_from_emails", "Unsubscribed from emails", "boolean"),
        ("language_override", "Language override", "string"),
    ],
    "company": [
        ("name", "Company name", "string"),
        ("company_id", "Company ID", "string"),
        ("plan", "Plan", "string"),
        ("size", "Company size", "integer"),
        ("website", "Website", "string"),
        ("industry", "Industry", "string"),
        ("monthly_spend", "Monthly Spend", "float"),
        ("remote_created_at", "Company created at", "date"),
    ],
}


def attribute_not_found() -> TidingsError:
    return DATA_ATTRIBUTE_NOT_FOUND()


def _standard(model: str) -> list[DataAttributeOut]:
    return [
        DataAttributeOut(
            name=name,
            full_name=name,
            label=label,
            description=label,
            data_type=data_type,
            api_writable=name not in ("created_at", "company_id"),
            ui_writable=False,
            messenger_writable=False,
            custom=False,
            archived=False,
            model=model,
        )
        for name, label, data_type in STANDARD[model]
    ]


async def list_all(uow: UnitOfWork, model: str | None, include_archived: bool) -> DataAttributeList:
    if model is not None and model not in (*MODELS, "conversation"):
        raise invalid("model must be one of contact, company, conversation", "model")
    standard = [attr for m in MODELS if model in (None, m) for attr in _standard(m)]
    custom = [DataAttributeOut.from_row(r) for r in await storage.list_attributes(uow, model, include_archived)]
    return DataAttributeList(data=standard + custom)


def _options(data: Any) -> list[str]:
    if not isinstance(data, list) or not data:
        raise invalid("Options isn't an array", "options")
    values = []
    for item in data:
        value = item.get("value") if isinstance(item, dict) else getattr(item, "value", None)
        if not isinstance(value, str) or not value:
            raise invalid("Options isn't an array", "options")
        values.append(value)
    if len(values) < 2:
        raise invalid("The list data type needs at least two options", "options")
    return values


async def create(uow: UnitOfWork, data: CreateDataAttributeRequest) -> DataAttributeOut:
    if data.model not in MODELS:
        raise invalid("The Data Attribute model field must be either contact or company", "model")
    if data.data_type not in STORED_TYPES:
        raise invalid("Data Type isn't an option", "data_type")
    name = data.name.strip()
    if not name or not VALID_NAME.match(name):
        raise invalid(
            "Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens",
            "name",
        )
    for model in MODELS:
        clash = await storage.find_attribute(uow, model, name)
        if clash is not None or name in {n for n, _, _ in STANDARD[model] if model == data.model}:
            raise invalid(
                f"You already have '{name}' in your {MODEL_WORDS[model]} data. "
                f"To save this as new {MODEL_WORDS[data.model]} data, use a different name.",
                "name",
            )
    options = _options([{"value": o.value} for o in data.options or []]) if data.data_type == "options" else None
    now = clock.now()
    attribute_id = await storage.insert_attribute(
        uow,
        {
            "model": data.model,
            "name": name,
            "label": name,
            "description": data.description,
            "data_type": STORED_TYPES[data.data_type],
            "options": options,
            "messenger_writable": data.messenger_writable,
            "archived": False,
            "admin_id": uow.admin_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    return DataAttributeOut.from_row(await storage.get_attribute(uow, attribute_id))


async def update(uow: UnitOfWork, attribute_id: str, data: UpdateDataAttributeRequest) -> DataAttributeOut:
    numeric = parse_numeric_id(attribute_id)
    row = found(await storage.get_attribute(uow, numeric) if numeric else None, attribute_not_found())
    changes = present(data)
    if "options" in changes:
        changes["options"] = _options(changes["options"])
    if changes:
        await storage.update_attribute(uow, row["id"], {**changes, "updated_at": clock.now()})
    return DataAttributeOut.from_row(await storage.get_attribute(uow, row["id"]))


async def custom_types(uow: UnitOfWork, model: str) -> dict[str, FieldType]:
    """Search types of the model's custom attributes (archived ones stay searchable)."""
    rows = await storage.list_attributes(uow, model, include_archived=True)
    return field_types({r["name"]: r["data_type"] for r in rows})


def _valid_value(value: Any, data_type: str, options: list[str] | None) -> bool:
    if value is None:
        return True
    if data_type == "string":
        return isinstance(value, str) and (not options or value in options)
    if data_type in ("integer", "date"):
        return isinstance(value, int) and not isinstance(value, bool)
    if data_type == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, bool)


async def check_custom_attributes(uow: UnitOfWork, model: str, values: Any) -> dict[str, Any]:
    """The custom attributes given, each defined (not archived) for the model and of its type."""
    if values is None or values is UNSET:
        return {}
    if not isinstance(values, dict):
        raise invalid("custom_attributes must be an object", "custom_attributes")
    defined = {r["name"]: r for r in await storage.list_attributes(uow, model, include_archived=False)}
    for name, value in values.items():
        attribute = found(
            defined.get(name), invalid(f"Custom attribute '{name}' does not exist", f"custom_attributes.{name}")
        )
        if not _valid_value(value, attribute["data_type"], attribute["options"]):
            raise invalid(
                f"Custom attribute '{name}' must be a {attribute['data_type']}"
                + (f" (one of {', '.join(attribute['options'])})" if attribute["options"] else ""),
                f"custom_attributes.{name}",
            )
        check_length(value, f"custom_attributes.{name}", MAX_ATTRIBUTE_VALUE_LENGTH)
    return dict(values)
