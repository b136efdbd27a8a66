"""Tickets: creation (now or as a job), updates kept as ticket parts, type changes, tags, search.

A new ticket may be linked to a conversation (`conversation_to_link_id`, see
`tickets_conversations.links`). The parts updates write are `parts.py`'s; replies are
`replies.py`. `tickets_conversations.conversion` builds on `insert_new_ticket` and
`parts.state_part` to turn a conversation into a ticket.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tidings.admins import storage as admin_storage
from tidings.contacts import service as contact_service
from tidings.contacts import storage as contact_storage
from tidings.core import clock
from tidings.core.errors import (
    ADMIN_NOT_FOUND,
    ASSIGNEE_NOT_FOUND,
    TAG_NOT_FOUND,
    TICKET_NOT_FOUND,
    TICKET_STATE_ID_INVALID,
    TidingsError,
    found,
    invalid,
    not_found,
)
from tidings.core.ids import parse_numeric_id
from tidings.core.schemas import UNSET
from tidings.core.search import compile_query, search_page
from tidings.core.uow import UnitOfWork
from tidings.events.record import record_event
from tidings.jobs import service as jobs
from tidings.jobs.schemas import JobOut
from tidings.tags import service as tag_service
from tidings.tags import tagging
from tidings.teams import storage as team_storage
from tidings.tickets import storage, values
from tidings.tickets.parts import assignment_part, author_fields, state_part
from tidings.tickets.render import ticket_out, tickets_out
from tidings.tickets.schemas import (
    AppliedTagOut,
    AttachTagRequest,
    ChangeTicketTypeRequest,
    CreateTicketRequest,
    DetachTagRequest,
    Reference,
    SearchTicketsRequest,
    TicketDeleted,
    TicketList,
    TicketOut,
    UpdateTicketRequest,
)
from tidings.tickets.search_fields import ticket_search
from tidings.tickets.types_service import Catalog, load_catalog
from tidings.tickets_conversations import links

CREATE_TICKET_JOB = "create_ticket"
SEARCH_PER_PAGE, SEARCH_MAX_PER_PAGE = 20, 150


def ticket_not_found() -> TidingsError:
    return TICKET_NOT_FOUND()


def resource_not_found() -> TidingsError:
    return not_found()


async def ticket_row(uow: UnitOfWork, ticket_id: str | int, error: TidingsError | None = None) -> Any:
    numeric = parse_numeric_id(ticket_id)
    row = found(await storage.get_ticket(uow, numeric) if numeric else None, error or ticket_not_found())
    return row


async def admin_row(uow: UnitOfWork, admin_id: str | int) -> Any:
    numeric = parse_numeric_id(admin_id)
    row = found(await admin_storage.get_admin(uow, numeric) if numeric else None, ADMIN_NOT_FOUND())
    return row


async def _assignee(uow: UnitOfWork, assignee_id: str | int, kinds: tuple[str, ...]) -> tuple[str, int]:
    """("admin"|"team", id) of an assignee id; an unknown one is Intercom's `assignee_not_found`."""
    numeric = parse_numeric_id(assignee_id)
    if numeric:
        if "admin" in kinds and await admin_storage.get_admin(uow, numeric) is not None:
            return "admin", numeric
        if "team" in kinds and await team_storage.get_team(uow, numeric) is not None:
            return "team", numeric
    raise ASSIGNEE_NOT_FOUND()


def _unassigned(value: str | int) -> bool:
    return str(value).strip() == "0"


# Creating tickets.
def type_for_create(catalog: Catalog, ticket_type_id: str | int) -> Any:
    numeric = parse_numeric_id(ticket_type_id)
    ticket_type = found(
        catalog.types.get(numeric) if numeric else None, invalid("Ticket type not found", "ticket_type_id")
    )
    if ticket_type["archived"]:
        raise invalid("Ticket type is archived", "ticket_type_id")
    return ticket_type


def _check_request_shape(data: CreateTicketRequest) -> None:
    if len(data.contacts) != 1:
        raise invalid("Exactly one contact is required", "contacts")
    contact = data.contacts[0]
    if contact.id is UNSET and contact.external_id is UNSET and contact.email is UNSET:
        raise invalid("A contact needs an id, an external_id or an email", "contacts")
    if data.created_at is not UNSET and data.created_at < 0:
        raise invalid("created_at must be a UNIX timestamp", "created_at")


def checked_values(catalog: Catalog, ticket_type: Any, given: dict[str, Any] | Any) -> list[dict[str, Any]]:
    """Value rows for the attributes `given` (UNSET: none), with the type's required attributes present."""
    by_name = catalog.attribute_by_name(ticket_type["id"])
    rows = values.value_rows(by_name, given if given is not UNSET else {})
    values.check_required(by_name, rows)
    return rows


async def _contact_for(uow: UnitOfWork, data: CreateTicketRequest) -> str:
    """The ticket's contact; an unknown email creates the contact (as the spec says), other unknowns are refused."""
    ident = data.contacts[0]
    if ident.id is not UNSET:
        row = await contact_storage.find_contact(uow, id=ident.id)
    elif ident.external_id is not UNSET:
        row = await contact_storage.find_contact(uow, external_id=ident.external_id)
    else:
        row = await contact_storage.find_contact(uow, email=ident.email)
        if row is None:
            if "@" not in str(ident.email):
                raise invalid("Contact email is not an email address", "contacts")
            return (await contact_service.insert_and_announce(uow, role="user", email=str(ident.email).strip())).id
    if row is None:
        raise invalid("Contact not found", "contacts")
    return str(row["id"])


async def insert_new_ticket(
    uow: UnitOfWork,
    *,
    ticket_type: Any,
    state: Any,
    previous_state: Any | None,
    contact_id: str,
    value_rows: list[dict[str, Any]],
    created_at: int,
    admin_assignee: int | None = None,
    team_assignee: int | None = None,
    company_id: str | None = None,
) -> int:
    """The ticket row (with the next inbox number) and its attribute values; the caller adds its parts."""
    ticket_id = await storage.insert_ticket(
        uow,
        {
            "number": await storage.next_ticket_number(uow),
            "ticket_type_id": ticket_type["id"],
            "ticket_state_id": state["id"],
            "previous_ticket_state_id": previous_state["id"] if previous_state is not None else None,
            "contact_id": contact_id,
            "company_id": company_id,
            "admin_assignee_id": admin_assignee,
            "team_assignee_id": team_assignee,
            "open": True,
            "is_shared": ticket_type["category"] == "Customer",
            "snoozed_until": None,
            "created_at": created_at,
            "updated_at": clock.now(),
        },
    )
    await storage.replace_attribute_values(uow, ticket_id, value_rows)
    return ticket_id


async def create_ticket_row(uow: UnitOfWork, data: CreateTicketRequest) -> int:
    """Check everything first, then write: a refused ticket writes nothing."""
    _check_request_shape(data)
    catalog = await load_catalog(uow)
    ticket_type = type_for_create(catalog, data.ticket_type_id)
    rows = checked_values(catalog, ticket_type, data.ticket_attributes)
    conversation_id = await links.conversation_to_link(uow, data.conversation_to_link_id, ticket_type)
    assignment = data.assignment if data.assignment is not UNSET else None
    admin_assignee = team_assignee = None
    if assignment is not None and assignment.admin_assignee_id not in (UNSET, None, "", "0", 0):
        admin_assignee = (await _assignee(uow, assignment.admin_assignee_id, ("admin",)))[1]
    if assignment is not None and assignment.team_assignee_id not in (UNSET, None, "", "0", 0):
        team_assignee = (await _assignee(uow, assignment.team_assignee_id, ("team",)))[1]
    submitted = initial_state(catalog, ticket_type["id"])
    contact_id = await _contact_for(uow, data)

    created_at = data.created_at if data.created_at is not UNSET else clock.now()
    ticket_id = await insert_new_ticket(
        uow,
        ticket_type=ticket_type,
        state=submitted,
        previous_state=None,
        contact_id=contact_id,
        value_rows=rows,
        created_at=created_at,
        admin_assignee=admin_assignee,
        team_assignee=team_assignee,
        company_id=data.company_id if data.company_id is not UNSET else None,
    )
    author = author_fields(uow.admin_id)
    stamp = {"created_at": created_at, "updated_at": created_at}
    await state_part(uow, ticket_id, submitted, submitted, author, stamp)
    topics = ["ticket.created"]
    for kind, assignee in (("admin", admin_assignee), ("team", team_assignee)):
        if assignee is not None:
            await assignment_part(uow, ticket_id, kind, assignee, author, stamp)
            topics.append(f"ticket.{kind}.assigned")
    if conversation_id is not None:
        await storage.insert_link(uow, ticket_id, conversation_id, "linked", clock.now())
    await record(uow, ticket_id, topics)
    return ticket_id


def initial_state(catalog: Catalog, ticket_type_id: int) -> Any:
    states = [catalog.states[s] for s in sorted(catalog.states_of_type.get(ticket_type_id, []))]
    return next((s for s in states if s["category"] == "submitted"), states[0])


async def record(uow: UnitOfWork, ticket_id: int, topics: list[str]) -> TicketOut:
    ticket = await ticket_out(uow, ticket_id)
    for topic in topics:
        await record_event(uow, topic, ticket)
    return ticket


async def create(uow: UnitOfWork, data: CreateTicketRequest) -> TicketOut:
    return await ticket_out(uow, await create_ticket_row(uow, data))


async def enqueue(uow: UnitOfWork, data: CreateTicketRequest, base_url: str) -> JobOut:
    """Best-effort checks now (shape, type, attribute values, the conversation to link); contact and
    assignees resolve when the job runs, which checks everything again."""
    _check_request_shape(data)
    catalog = await load_catalog(uow)
    ticket_type = type_for_create(catalog, data.ticket_type_id)
    checked_values(catalog, ticket_type, data.ticket_attributes)
    await links.conversation_to_link(uow, data.conversation_to_link_id, ticket_type)
    return await jobs.enqueue(uow, CREATE_TICKET_JOB, msgspec.to_builtins(data), "ticket", base_url)


async def run_create_job(uow: UnitOfWork, payload: dict[str, Any]) -> str:
    """The job handler for `POST /tickets/enqueue`: the created ticket's id."""
    return str(await create_ticket_row(uow, msgspec.convert(payload, CreateTicketRequest)))


# Reading and deleting.
async def get(uow: UnitOfWork, ticket_id: str) -> TicketOut:
    return await ticket_out(uow, (await ticket_row(uow, ticket_id))["id"])


async def delete(uow: UnitOfWork, ticket_id: str) -> TicketDeleted:
    row = await ticket_row(uow, ticket_id)
    await storage.delete_ticket(uow, row["id"])
    return TicketDeleted(id=str(row["id"]))


# Updating: every change is kept as a ticket part.
async def update(uow: UnitOfWork, ticket_id: str, data: UpdateTicketRequest) -> TicketOut:
    row = await ticket_row(uow, ticket_id)
    actor_id = (await admin_row(uow, data.admin_id))["id"] if data.admin_id is not UNSET else uow.admin_id
    actor = author_fields(actor_id)
    now = clock.now()
    stamp = {"created_at": now, "updated_at": now}
    catalog = await load_catalog(uow)
    changes: dict[str, Any] = {}
    topics: list[str] = []

    if data.ticket_attributes is not UNSET:
        if await _update_attributes(uow, catalog, row, data.ticket_attributes, actor, stamp):
            topics.append("ticket.attribute.updated")
    if data.ticket_state_id is not UNSET:
        topics += await _change_state(uow, catalog, row, data.ticket_state_id, actor, stamp, changes)
    if data.assignee_id is not UNSET:
        topics += await _reassign(uow, row, data.assignee_id, actor, stamp, changes)
    if data.company_id is not UNSET:
        changes["company_id"] = data.company_id
    if data.is_shared is not UNSET:
        changes["is_shared"] = data.is_shared
    if data.snoozed_until is not UNSET and data.snoozed_until is not None:
        changes.update(snoozed_until=data.snoozed_until, open=True)
        await storage.insert_part(uow, {"ticket_id": row["id"], "part_type": "snoozed", **actor, **stamp})
    elif data.snoozed_until is None and row["snoozed_until"] is not None:
        changes["snoozed_until"] = None
        await storage.insert_part(uow, {"ticket_id": row["id"], "part_type": "unsnoozed", **actor, **stamp})
    if data.open is not UNSET and data.open != row["open"]:
        # Closing also unsnoozes.
        changes.update(open=data.open, **({} if data.open else {"snoozed_until": None}))
        part_type = "open" if data.open else "close"
        await storage.insert_part(uow, {"ticket_id": row["id"], "part_type": part_type, **actor, **stamp})
        if not data.open:
            topics.append("ticket.closed")
    await storage.update_ticket(uow, row["id"], {**changes, "updated_at": now})
    return await record(uow, row["id"], topics)


async def _update_attributes(
    uow: UnitOfWork, catalog: Catalog, row: Any, given: dict[str, Any], actor: dict[str, Any], stamp: dict[str, int]
) -> bool:
    by_name = catalog.attribute_by_name(row["ticket_type_id"])
    by_id = {a["id"]: a for a in by_name.values()}
    rows = values.value_rows(by_name, given)
    stored = {v["attribute_id"]: v for v in await storage.attribute_values(uow, [row["id"]])}
    changed = [r for r in rows if stored.get(r["attribute_id"], {}).get("value") != r["value"]]
    await storage.replace_attribute_values(uow, row["id"], changed)
    for value in changed:
        attribute = by_id[value["attribute_id"]]
        shown_id, label = values.display(attribute, value)
        await storage.insert_part(
            uow,
            {
                "ticket_id": row["id"],
                "part_type": "ticket_attribute_updated_by_admin",
                "updated_attribute_data": {
                    "attribute": {"type": "attribute", "id": str(attribute["id"]), "label": attribute["name"]},
                    "value": {"type": "value", "id": shown_id, "label": label},
                },
                **actor,
                **stamp,
            },
        )
    return bool(changed)


def state_in_type(catalog: Catalog, ticket_type_id: int, state_id: str | int) -> Any:
    numeric = parse_numeric_id(state_id)
    if numeric is None or numeric not in catalog.states_of_type.get(ticket_type_id, []):
        return None
    return catalog.states[numeric]


async def _change_state(
    uow: UnitOfWork,
    catalog: Catalog,
    row: Any,
    state_id: str | int,
    actor: dict[str, Any],
    stamp: dict[str, int],
    changes: dict[str, Any],
) -> list[str]:
    state = found(
        state_in_type(catalog, row["ticket_type_id"], state_id), TICKET_STATE_ID_INVALID(field="ticket_state_id")
    )
    if state["id"] == row["ticket_state_id"]:
        return []
    await state_part(uow, row["id"], catalog.states[row["ticket_state_id"]], state, actor, stamp)
    changes.update(ticket_state_id=state["id"], previous_ticket_state_id=row["ticket_state_id"])
    return ["ticket.state.updated"] + (["ticket.resolved"] if state["category"] == "resolved" else [])


async def _reassign(
    uow: UnitOfWork,
    row: Any,
    assignee_id: str | int,
    actor: dict[str, Any],
    stamp: dict[str, int],
    changes: dict[str, Any],
) -> list[str]:
    if _unassigned(assignee_id):
        changes.update(admin_assignee_id=None, team_assignee_id=None)
        await assignment_part(uow, row["id"], "admin", None, actor, stamp)
        return ["ticket.admin.assigned"]
    kind, numeric = await _assignee(uow, assignee_id, ("admin", "team"))
    changes[f"{kind}_assignee_id"] = numeric
    await assignment_part(uow, row["id"], kind, numeric, actor, stamp)
    return [f"ticket.{kind}.assigned"]


# Changing the ticket type.
async def change_type(uow: UnitOfWork, ticket_id: str, data: ChangeTicketTypeRequest) -> TicketOut:
    row = await ticket_row(uow, ticket_id, resource_not_found())
    catalog = await load_catalog(uow)
    numeric = parse_numeric_id(data.ticket_type_id)
    new_type = found(
        catalog.types.get(numeric) if numeric else None, invalid("Ticket type not found", "ticket_type_id")
    )
    old_type = catalog.types[row["ticket_type_id"]]
    if new_type["id"] == old_type["id"]:
        raise invalid("Cannot change to the same ticket type", "ticket_type_id")
    if new_type["category"] != old_type["category"]:
        raise invalid(
            f"The new ticket type must be in the same category as the current one ({old_type['category']})",
            "ticket_type_id",
        )
    state = found(
        state_in_type(catalog, new_type["id"], data.ticket_state_id),
        invalid("Ticket custom state doesn't belong to the new ticket type", "ticket_state_id"),
    )
    new_by_name = catalog.attribute_by_name(new_type["id"])
    given = values.value_rows(new_by_name, data.ticket_attributes if data.ticket_attributes is not UNSET else {})

    old_by_id = {a["id"]: a for a in catalog.attributes.get(old_type["id"], [])}
    carried = []
    for stored in await storage.attribute_values(uow, [row["id"]]):
        old_attribute = old_by_id.get(stored["attribute_id"])
        new_attribute = new_by_name.get(old_attribute["name"]) if old_attribute else None
        if new_attribute is not None and (value := values.carried_value(old_attribute, new_attribute, stored)):
            carried.append(value)
    overridden = {r["attribute_id"] for r in given}
    rows = [r for r in carried if r["attribute_id"] not in overridden] + given

    now = clock.now()
    await storage.clear_attribute_values(uow, row["id"])
    await storage.replace_attribute_values(uow, row["id"], rows)
    changes: dict[str, Any] = {"ticket_type_id": new_type["id"], "ticket_state_id": state["id"], "updated_at": now}
    topics = []
    if state["id"] != row["ticket_state_id"]:
        previous = catalog.states[row["ticket_state_id"]]
        await state_part(
            uow, row["id"], previous, state, author_fields(uow.admin_id), {"created_at": now, "updated_at": now}
        )
        changes["previous_ticket_state_id"] = row["ticket_state_id"]
        topics.append("ticket.state.updated")
    await storage.update_ticket(uow, row["id"], changes)
    return await record(uow, row["id"], topics)


# Tags.
async def _tag(uow: UnitOfWork, tag_id: str | int) -> Any:
    try:
        return await tag_service.row_by_id(uow, tag_id)
    except TidingsError:
        raise TAG_NOT_FOUND() from None


def _applied(tag: Any, link: Any) -> AppliedTagOut:
    admin_id = link["applied_by_admin_id"]
    return AppliedTagOut(
        id=str(tag["id"]),
        name=tag["name"],
        applied_at=link["applied_at"],
        applied_by=Reference(type="admin", id=str(admin_id) if admin_id else None),
    )


async def _insert_tag(uow: UnitOfWork, ticket_id: int, tag_id: int, admin_id: int | None, applied_at: int) -> None:
    values = {"ticket_id": ticket_id, "tag_id": tag_id, "applied_by_admin_id": admin_id, "applied_at": applied_at}
    await storage.insert_ticket_tag(uow, values)


TAGGABLE = tagging.Taggable("ticket", storage.get_ticket_tag, _insert_tag, storage.delete_ticket_tag)


async def attach_tag(uow: UnitOfWork, ticket_id: str, data: AttachTagRequest) -> AppliedTagOut:
    row = await ticket_row(uow, ticket_id)
    tag = await _tag(uow, data.id)
    admin = await admin_row(uow, data.admin_id)
    link, _ = await tagging.attach(uow, TAGGABLE, row["id"], tag, admin["id"])
    return _applied(tag, link)


async def detach_tag(uow: UnitOfWork, ticket_id: str, tag_id: str, data: DetachTagRequest) -> AppliedTagOut:
    row = await ticket_row(uow, ticket_id)
    tag = await _tag(uow, tag_id)
    await admin_row(uow, data.admin_id)
    link = found(await tagging.detach(uow, TAGGABLE, row["id"], tag), TAG_NOT_FOUND())
    return _applied(tag, link)


# Search.
async def search_tickets(uow: UnitOfWork, data: SearchTicketsRequest) -> TicketList:
    """Newest first, cursor-paged."""
    fields = await ticket_search(uow, data.query)
    condition = compile_query(fields, data.query, uow.dialect)
    pagination = msgspec.to_builtins(data.pagination) if data.pagination not in (UNSET, None) else None
    page = await search_page(
        uow,
        uow.select(storage.tickets),
        fields,
        condition=condition,
        pagination=pagination,
        default_per_page=SEARCH_PER_PAGE,
        max_per_page=SEARCH_MAX_PER_PAGE,
    )
    return TicketList(tickets=await tickets_out(uow, page.rows), total_count=page.total_count, pages=page.pages)
