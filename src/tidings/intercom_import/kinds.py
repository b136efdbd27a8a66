"""One copier per kind of object: the source's GET shape in, the object made here through the
area's own service (its rules, events and ids), its new id out. References go through `Ids`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from tidings.admins import service as admins
from tidings.ai_content import service as content
from tidings.ai_content.schemas import CreateContentImportSourceRequest, CreateExternalPageRequest
from tidings.companies import service as companies
from tidings.companies.schemas import AttachCompanyRequest, CompanyWrite
from tidings.contacts import service as contacts
from tidings.contacts.schemas import ContactWrite, TagIdRequest
from tidings.conversations import service as conversations
from tidings.conversations.schemas import AttachTagRequest, CreateConversationRequest, ManageRequest, ReplyRequest
from tidings.core.uow import UnitOfWork
from tidings.data_attributes import service as data_attributes
from tidings.data_attributes.schemas import CreateDataAttributeRequest
from tidings.intercom_import.source import Source
from tidings.tags import service as tags
from tidings.teams import service as teams
from tidings.tickets import service as tickets
from tidings.tickets import types_service as ticket_types
from tidings.tickets.schemas import (
    CreateTicketRequest,
    CreateTicketTypeAttributeRequest,
    CreateTicketTypeRequest,
    UpdateTicketRequest,
)

USER_AUTHORS = ("user", "lead", "contact")
# Keys under which a contact carries what separate calls returned.
COMPANIES, TAGS = "tidings:companies", "tidings:tags"


class Skipped(Exception):
    """The object cannot be made here; the reason goes into the summary."""


class Ids:
    """Source id -> id here, per kind (what earlier kinds and earlier runs made)."""

    def __init__(self, known: dict[tuple[str, str], str]) -> None:
        self.known = dict(known)

    def get(self, kind: str, source_id: Any) -> str | None:
        return None if source_id is None else self.known.get((kind, str(source_id)))

    def need(self, kind: str, source_id: Any) -> str:
        found = self.get(kind, source_id)
        if found is None:
            raise Skipped(f"refers to {kind} {source_id}, which was not copied")
        return found


def given(item: dict[str, Any], *names: str) -> dict[str, Any]:
    """The named fields the source sent (absent ones stay absent)."""
    return {name: item[name] for name in names if name in item}


async def copy_admin(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    """Admins are matched by email; one not here yet is created (as read: no API creates them)."""
    email = (item.get("email") or "").lower()
    for admin in (await admins.list_all(uow)).admins:
        if admin.email.lower() == email:
            return admin.id
    made = await admins.create(uow, item["name"], item["email"], item.get("job_title"))
    return made.id


async def copy_team(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    members = [int(found) for a in item.get("admin_ids") or [] if (found := ids.get("admin", a)) is not None]
    return (await teams.create(uow, item["name"], members)).id


async def copy_tag(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    return str((await tags.find_or_create(uow, item["name"]))["id"])


async def copy_data_attribute(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    body = given(item, "name", "model", "data_type", "description", "messenger_writable")
    if item.get("options"):
        body["options"] = [{"value": value} for value in item["options"]]
    made = await data_attributes.create(uow, msgspec.convert(body, CreateDataAttributeRequest))
    return str(made.id)


async def copy_company(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    body = given(item, "company_id", "name", "size", "website", "industry", "custom_attributes", "monthly_spend")
    body["remote_created_at"] = item.get("remote_created_at")
    plan = item.get("plan")
    if isinstance(plan, dict) and plan.get("name"):
        body["plan"] = plan["name"]
    made = await companies.create_or_update(uow, msgspec.convert(body, CompanyWrite))
    return made.id


async def copy_contact(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    body = given(
        item,
        "role",
        "external_id",
        "email",
        "phone",
        "name",
        "signed_up_at",
        "last_seen_at",
        "unsubscribed_from_emails",
        "language_override",
        "custom_attributes",
    )
    if (item.get("avatar") or {}).get("image_url"):
        body["avatar"] = item["avatar"]["image_url"]
    body["owner_id"] = None if item.get("owner_id") is None else int(ids.need("admin", item["owner_id"]))
    made = await contacts.create(uow, msgspec.convert(body, ContactWrite))
    for company in item[COMPANIES]:
        await companies.attach_contact(uow, made.id, AttachCompanyRequest(id=ids.need("company", company["id"])))
    for tag in item[TAGS]:
        await contacts.attach_tag(uow, made.id, TagIdRequest(id=ids.need("tag", tag["id"])))
    return made.id


def contacts_with_links(source: Source) -> Iterator[dict[str, Any]]:
    """Contacts with their companies and tags, read before any transaction here opens."""
    for contact in source.contacts():
        yield {**contact, COMPANIES: source.contact_companies(contact["id"]), TAGS: source.contact_tags(contact["id"])}


def _author_fields(author: dict[str, Any], ids: Ids) -> dict[str, Any]:
    if author.get("type") in USER_AUTHORS:
        return {"type": "user", "intercom_user_id": ids.need("contact", author["id"])}
    return {"type": "admin", "admin_id": ids.need("admin", author["id"])}


async def _copy_part(uow: UnitOfWork, conversation_id: str, part: dict[str, Any], ids: Ids) -> bool:
    """Replay one part; False for kinds of part no API call makes (assignments, snoozes, ...)."""
    kind, author = part.get("part_type"), part.get("author") or {}
    if author.get("type") not in (*USER_AUTHORS, "admin"):
        return False  # bots and integrations: no API call writes as them
    if kind in ("comment", "note"):
        fields = _author_fields(author, ids)
        if kind == "note" and fields["type"] != "admin":
            return False
        body = {"message_type": kind, "body": part.get("body") or "", "created_at": part["created_at"], **fields}
        await conversations.reply(uow, conversation_id, msgspec.convert(body, ReplyRequest))
        return True
    if kind in ("close", "open") and author.get("type") == "admin":
        body = {"message_type": kind, "type": "admin", "admin_id": ids.need("admin", author["id"])}
        if kind == "close" and part.get("body"):
            body["body"] = part["body"]
        await conversations.manage(uow, conversation_id, msgspec.convert(body, ManageRequest))
        return True
    return False


async def copy_conversation(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    opening = item.get("source") or {}
    author = opening.get("author") or {}
    if author.get("type") not in USER_AUTHORS:
        raise Skipped("started by an admin (outbound): the API starts conversations from contacts only")
    body: dict[str, Any] = {
        "from": {"type": author["type"] if author["type"] != "contact" else "user", "id": ""},
        "body": opening.get("body") or "",
        "created_at": item["created_at"],
    }
    body["from"]["id"] = ids.need("contact", author["id"])
    if opening.get("subject"):
        body["subject"] = opening["subject"]
    made = await conversations.create(uow, msgspec.convert(body, CreateConversationRequest))
    conversation_id = str(made.conversation_id)
    for part in (item.get("conversation_parts") or {}).get("conversation_parts") or []:
        await _copy_part(uow, conversation_id, part, ids)
    for tag in (item.get("tags") or {}).get("tags") or []:
        request = AttachTagRequest(id=ids.need("tag", tag["id"]), admin_id=str(uow.admin_id))
        await conversations.attach_tag(uow, conversation_id, request)
    return conversation_id


def _attribute_request(attribute: dict[str, Any]) -> CreateTicketTypeAttributeRequest:
    body = given(
        attribute,
        "name",
        "description",
        "data_type",
        "required_to_create",
        "required_to_create_for_contacts",
        "visible_on_create",
        "visible_to_contacts",
    )
    body["description"] = body.get("description") or ""
    options = attribute.get("input_options") or {}
    if "multiline" in options:
        body["multiline"] = bool(options["multiline"])
    if options.get("list_options"):
        body["list_items"] = ",".join(option["label"] for option in options["list_options"])
    if "allow_multiple_values" in options:
        body["allow_multiple_values"] = bool(options["allow_multiple_values"])
    return msgspec.convert(body, CreateTicketTypeAttributeRequest)


async def copy_ticket_type(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    body = given(item, "name", "description", "category", "icon", "is_internal")
    made = await ticket_types.create_type(uow, msgspec.convert(body, CreateTicketTypeRequest))
    attributes = (item.get("ticket_type_attributes") or {}).get("ticket_type_attributes") or []
    for attribute in attributes:
        if not attribute.get("default"):
            await ticket_types.create_attribute(uow, made.id, _attribute_request(attribute))
    return made.id


async def _state_here(uow: UnitOfWork, state: dict[str, Any]) -> str | None:
    """The state here with the source state's category and label."""
    for row in (await ticket_types.list_states(uow)).data:
        if row.category == state.get("category") and row.internal_label == state.get("internal_label"):
            return row.id
    return None


async def copy_ticket(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    people = (item.get("contacts") or {}).get("contacts") or []
    body: dict[str, Any] = {
        "ticket_type_id": ids.need("ticket_type", (item.get("ticket_type") or {}).get("id")),
        "contacts": [{"id": ids.need("contact", person["id"])} for person in people],
        "ticket_attributes": item.get("ticket_attributes") or {},
        "created_at": item["created_at"],
    }
    made = await tickets.create(uow, msgspec.convert(body, CreateTicketRequest))
    state = item.get("ticket_state") or {}
    wanted = await _state_here(uow, state) if state else None
    if wanted is not None and wanted != made.ticket_state.id:
        update = UpdateTicketRequest(ticket_state_id=wanted, admin_id=str(uow.admin_id))
        await tickets.update(uow, made.id, update)
    return made.id


async def copy_content_import_source(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    body = given(item, "url", "sync_behavior", "status")
    made = await content.create_source(uow, msgspec.convert(body, CreateContentImportSourceRequest))
    return str(made.id)


async def copy_external_page(uow: UnitOfWork, item: dict[str, Any], ids: Ids) -> str:
    body = given(item, "title", "html", "url", "ai_agent_availability", "ai_copilot_availability", "locale")
    body["external_id"] = item["external_id"]
    body["source_id"] = ids.need("content_import_source", item.get("source_id"))
    made = await content.create_page(uow, msgspec.convert(body, CreateExternalPageRequest))
    return str(made.id)


Copier = Callable[[UnitOfWork, dict[str, Any], Ids], Awaitable[str]]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    read: Callable[[Source], Iterable[dict[str, Any]]]
    copy: Copier


# In order: every kind refers only to kinds before it.
KINDS = [
    Kind("admin", "admins", Source.admins, copy_admin),
    Kind("team", "teams", Source.teams, copy_team),
    Kind("tag", "tags", Source.tags, copy_tag),
    Kind("data_attribute", "data attributes", Source.data_attributes, copy_data_attribute),
    Kind("company", "companies", Source.companies, copy_company),
    Kind("contact", "contacts", contacts_with_links, copy_contact),
    Kind("conversation", "conversations", Source.conversations, copy_conversation),
    Kind("ticket_type", "ticket types", Source.ticket_types, copy_ticket_type),
    Kind("ticket", "tickets", Source.tickets, copy_ticket),
    Kind("content_import_source", "content sources", Source.content_import_sources, copy_content_import_source),
    Kind("external_page", "external pages", Source.external_pages, copy_external_page),
]
