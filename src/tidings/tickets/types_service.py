"""Ticket types, their attributes, and ticket states: the rules and their API shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.core import clock
from tidings.core.errors import TidingsError, found, invalid, missing, not_found
from tidings.core.ids import parse_numeric_id, uuid4
from tidings.core.schemas import UNSET, present
from tidings.core.uow import UnitOfWork
from tidings.tickets import storage
from tidings.tickets.schemas import (
    CreateTicketTypeAttributeRequest,
    CreateTicketTypeRequest,
    TicketStateDetailedList,
    TicketStateDetailedOut,
    TicketStateList,
    TicketStateOut,
    TicketTypeAttributeList,
    TicketTypeAttributeOut,
    TicketTypeBrief,
    TicketTypeBriefList,
    TicketTypeList,
    TicketTypeOut,
    UpdateTicketTypeAttributeRequest,
    UpdateTicketTypeRequest,
)

DEFAULT_ICON = "\U0001f39f\ufe0f"
TITLE, DESCRIPTION = "_default_title_", "_default_description_"

# Intercom's built-in states, in the order it lists them.
DEFAULT_STATES = [
    {"category": "submitted", "internal_label": "Submitted", "external_label": "Submitted"},
    {"category": "in_progress", "internal_label": "In progress", "external_label": "In progress"},
    {"category": "waiting_on_customer", "internal_label": "Waiting on customer", "external_label": "Waiting on you"},
    {"category": "resolved", "internal_label": "Resolved", "external_label": "Resolved"},
]


def type_not_found() -> TidingsError:
    return not_found()


# States.
async def workspace_states(uow: UnitOfWork) -> list[Any]:
    """The workspace's states, creating Intercom's defaults at first use (lazily, race-free)."""
    states = await storage.list_states(uow)
    if any(s["default_key"] for s in states):
        return states
    now = clock.now()
    await storage.insert_default_states(
        uow,
        [{**state, "default_key": state["category"], "archived": False, "created_at": now} for state in DEFAULT_STATES],
    )
    return await storage.list_states(uow)


def state_out(row: Any) -> TicketStateOut:
    return TicketStateOut(
        id=str(row["id"]),
        category=row["category"],
        internal_label=row["internal_label"],
        external_label=row["external_label"],
    )


def brief_out(row: Any) -> TicketTypeBrief:
    return TicketTypeBrief(
        id=str(row["id"]),
        name=row["name"],
        description=row["description"],
        icon=row["icon"],
        archived=row["archived"],
        is_internal=row["is_internal"],
        category=row["category"],
    )


async def list_states(uow: UnitOfWork) -> TicketStateDetailedList:
    states = await workspace_states(uow)
    types = {t["id"]: t for t in await storage.list_types(uow)}
    types_of_state: dict[int, list[Any]] = {}
    for link in await storage.state_links(uow):
        types_of_state.setdefault(link["ticket_state_id"], []).append(types[link["ticket_type_id"]])
    return TicketStateDetailedList(
        data=[
            TicketStateDetailedOut(
                id=str(s["id"]),
                category=s["category"],
                internal_label=s["internal_label"],
                external_label=s["external_label"],
                archived=s["archived"],
                ticket_types=TicketTypeBriefList(
                    data=[brief_out(t) for t in sorted(types_of_state.get(s["id"], []), key=lambda t: t["id"])]
                ),
            )
            for s in states
        ]
    )


# Rendering ticket types, with everything they carry, for one or many types at once.
@dataclass(slots=True)
class Catalog:
    """The ticket types of a workspace with their attributes and states, loaded once per request."""

    types: dict[int, Any]
    attributes: dict[int, list[Any]]
    states: dict[int, Any]
    states_of_type: dict[int, list[int]]

    def type_out(self, ticket_type_id: int) -> TicketTypeOut:
        row = self.types[ticket_type_id]
        attrs = [attribute_out(a) for a in self.attributes.get(ticket_type_id, [])]
        return TicketTypeOut(
            id=str(row["id"]),
            name=row["name"],
            description=row["description"],
            icon=row["icon"],
            workspace_id=row["workspace_id"],
            archived=row["archived"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            is_internal=row["is_internal"],
            ticket_type_attributes=TicketTypeAttributeList(data=attrs, ticket_type_attributes=attrs),
            category=row["category"],
            ticket_states=TicketStateList(
                data=[state_out(self.states[s]) for s in sorted(self.states_of_type.get(ticket_type_id, []))]
            ),
        )

    def attribute_by_name(self, ticket_type_id: int) -> dict[str, Any]:
        return {a["name"]: a for a in self.attributes.get(ticket_type_id, [])}


async def load_catalog(uow: UnitOfWork) -> Catalog:
    states = {s["id"]: s for s in await workspace_states(uow)}
    types = {t["id"]: t for t in await storage.list_types(uow)}
    attributes: dict[int, list[Any]] = {}
    for attr in await storage.attributes_of(uow, list(types)):
        attributes.setdefault(attr["ticket_type_id"], []).append(attr)
    states_of_type: dict[int, list[int]] = {}
    for link in await storage.state_links(uow):
        states_of_type.setdefault(link["ticket_type_id"], []).append(link["ticket_state_id"])
    return Catalog(types=types, attributes=attributes, states=states, states_of_type=states_of_type)


def attribute_out(row: Any) -> TicketTypeAttributeOut:
    return TicketTypeAttributeOut(
        id=str(row["id"]),
        workspace_id=row["workspace_id"],
        name=row["name"],
        description=row["description"],
        data_type=row["data_type"],
        input_options=row["input_options"] if row["input_options"] is not None else UNSET,
        order=row["order"],
        required_to_create=row["required_to_create"],
        required_to_create_for_contacts=row["required_to_create_for_contacts"],
        visible_on_create=row["visible_on_create"],
        visible_to_contacts=row["visible_to_contacts"],
        default=row["is_default"],
        ticket_type_id=int(row["ticket_type_id"]),
        archived=row["archived"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# Ticket types.
async def type_row(uow: UnitOfWork, ticket_type_id: str | int) -> Any:
    numeric = parse_numeric_id(ticket_type_id)
    row = found(await storage.get_type(uow, numeric) if numeric else None, type_not_found())
    return row


async def list_types(uow: UnitOfWork) -> TicketTypeList:
    catalog = await load_catalog(uow)
    return TicketTypeList(data=[catalog.type_out(t) for t in catalog.types])


async def get_type(uow: UnitOfWork, ticket_type_id: str) -> TicketTypeOut:
    row = await type_row(uow, ticket_type_id)
    return (await load_catalog(uow)).type_out(row["id"])


def _check_name(name: str) -> str:
    if not name.strip():
        raise invalid("name must not be empty", "name")
    return name.strip()


async def _check_unique_name(uow: UnitOfWork, name: str, ignore_id: int | None = None) -> None:
    # Check-then-write: writers of one name queue until the first commits.
    await uow.serialise("ticket-type-name", name.casefold())
    for other in await storage.list_types(uow):
        if other["name"].casefold() == name.casefold() and other["id"] != ignore_id:
            raise invalid(f"A ticket type named {name!r} already exists", "name")


async def create_type(uow: UnitOfWork, data: CreateTicketTypeRequest) -> TicketTypeOut:
    name = _check_name(data.name)
    await _check_unique_name(uow, name)
    states = await workspace_states(uow)
    now = clock.now()
    ticket_type_id = await storage.insert_type(
        uow,
        {
            "name": name,
            "description": data.description if data.description is not UNSET else "",
            "icon": data.icon if data.icon is not UNSET and data.icon else DEFAULT_ICON,
            "category": data.category if data.category is not UNSET else "Customer",
            "is_internal": data.is_internal if data.is_internal is not UNSET else False,
            "archived": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    for order, (name_, multiline) in enumerate(((TITLE, False), (DESCRIPTION, True))):
        await storage.insert_attribute(
            uow,
            {
                "ticket_type_id": ticket_type_id,
                "name": name_,
                "description": "",
                "data_type": "string",
                "input_options": {"multiline": multiline},
                "order": order,
                "required_to_create": False,
                "required_to_create_for_contacts": False,
                "visible_on_create": True,
                "visible_to_contacts": True,
                "is_default": True,
                "archived": False,
                "created_at": now,
                "updated_at": now,
            },
        )
    await storage.link_states(uow, ticket_type_id, [s["id"] for s in states if s["default_key"]])
    return (await load_catalog(uow)).type_out(ticket_type_id)


async def update_type(uow: UnitOfWork, ticket_type_id: str, data: UpdateTicketTypeRequest) -> TicketTypeOut:
    row = await type_row(uow, ticket_type_id)
    changes = present(data)
    if "name" in changes:
        changes["name"] = _check_name(changes["name"])
        await _check_unique_name(uow, changes["name"], ignore_id=row["id"])
    if changes.get("icon") == "":
        changes["icon"] = DEFAULT_ICON
    if changes:
        await storage.update_type(uow, row["id"], {**changes, "updated_at": clock.now()})
    return (await load_catalog(uow)).type_out(row["id"])


# Ticket type attributes.
def _list_options(list_items: str, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Options from a comma-separated string; an option keeps its id while its label stays."""
    labels = [item.strip() for item in list_items.split(",") if item.strip()]
    if not labels:
        raise invalid("list_items must name at least one item", "list_items")
    if len({label.casefold() for label in labels}) != len(labels):
        raise invalid("list_items must not repeat an item", "list_items")
    known = {option["label"]: option["id"] for option in previous}
    return [{"id": known.get(label) or uuid4(), "label": label} for label in labels]


def _input_options(
    data_type: str, multiline: Any, list_items: Any, allow_multiple: Any, previous: dict[str, Any] | None
) -> dict[str, Any] | None:
    previous = previous or {}
    if data_type == "string":
        return {"multiline": multiline if multiline is not UNSET else previous.get("multiline", False)}
    if data_type == "list":
        if list_items is UNSET:
            if "list_options" not in previous:
                raise missing("list_items")
            return previous
        return {"list_options": _list_options(list_items, previous.get("list_options", []))}
    if data_type == "files":
        return {
            "allow_multiple_values": allow_multiple
            if allow_multiple is not UNSET
            else previous.get("allow_multiple_values", False)
        }
    return None


async def _attribute_in_type(uow: UnitOfWork, ticket_type_id: int, attribute_id: str) -> Any:
    numeric = parse_numeric_id(attribute_id)
    row = await storage.get_attribute(uow, numeric) if numeric else None
    if row is None or row["ticket_type_id"] != ticket_type_id:
        raise type_not_found()
    return row


async def _check_unique_attribute_name(uow: UnitOfWork, ticket_type_id: int, name: str, ignore_id: int | None) -> None:
    await uow.serialise("ticket-type-attribute-name", str(ticket_type_id), name.casefold())
    for other in await storage.attributes_of(uow, [ticket_type_id]):
        if other["name"].casefold() == name.casefold() and other["id"] != ignore_id:
            raise invalid(f"An attribute named {name!r} already exists on this ticket type", "name")


async def create_attribute(
    uow: UnitOfWork, ticket_type_id: str, data: CreateTicketTypeAttributeRequest
) -> TicketTypeAttributeOut:
    ticket_type = await type_row(uow, ticket_type_id)
    name = _check_name(data.name)
    await _check_unique_attribute_name(uow, ticket_type["id"], name, None)
    now = clock.now()
    attribute_id = await storage.insert_attribute(
        uow,
        {
            "ticket_type_id": ticket_type["id"],
            "name": name,
            "description": data.description,
            "data_type": data.data_type,
            "input_options": _input_options(
                data.data_type, data.multiline, data.list_items, data.allow_multiple_values, None
            ),
            "order": await storage.next_attribute_order(uow, ticket_type["id"]),
            "required_to_create": data.required_to_create,
            "required_to_create_for_contacts": data.required_to_create_for_contacts,
            "visible_on_create": data.visible_on_create,
            "visible_to_contacts": data.visible_to_contacts,
            "is_default": False,
            "archived": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    await storage.update_type(uow, ticket_type["id"], {"updated_at": now})
    return attribute_out(await storage.get_attribute(uow, attribute_id))


async def update_attribute(
    uow: UnitOfWork, ticket_type_id: str, attribute_id: str, data: UpdateTicketTypeAttributeRequest
) -> TicketTypeAttributeOut:
    ticket_type = await type_row(uow, ticket_type_id)
    row = await _attribute_in_type(uow, ticket_type["id"], attribute_id)
    changes = present(data)
    option_fields = {k: changes.pop(k) for k in ("multiline", "list_items", "allow_multiple_values") if k in changes}
    if row["is_default"] and ("name" in changes or changes.get("archived")):
        raise invalid("The default title and description attributes cannot be renamed or archived", "name")
    if "name" in changes:
        changes["name"] = _check_name(changes["name"])
        await _check_unique_attribute_name(uow, ticket_type["id"], changes["name"], row["id"])
    if option_fields:
        changes["input_options"] = _input_options(
            row["data_type"],
            option_fields.get("multiline", UNSET),
            option_fields.get("list_items", UNSET),
            option_fields.get("allow_multiple_values", UNSET),
            row["input_options"],
        )
    if changes:
        await storage.update_attribute(uow, row["id"], {**changes, "updated_at": clock.now()})
    return attribute_out(await storage.get_attribute(uow, row["id"]))
