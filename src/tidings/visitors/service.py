"""Visitors: retrieve and update by user_id, and convert into a lead or (merging) a user."""

from __future__ import annotations

from typing import Any

from tidings.contacts import service as contact_service
from tidings.contacts import storage as contact_storage
from tidings.contacts.lookup import contact_not_found
from tidings.contacts.schemas import ContactOut
from tidings.core import clock
from tidings.core.errors import TidingsError, invalid, missing, not_found
from tidings.core.ids import hex24, uuid4
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.data_attributes import service as attributes
from tidings.events.record import record_event
from tidings.visitors import storage
from tidings.visitors.schemas import ConvertVisitorRequest, CreateVisitor, Identifiers, UpdateVisitorRequest, VisitorOut


def visitor_not_found() -> TidingsError:
    return not_found("Visitor Not Found")


async def _row(uow: UnitOfWork, *, id: str | None = None, user_id: str | None = None, email: str | None = None) -> Any:
    row = await storage.find_visitor(uow, id=id, user_id=user_id) if (id or user_id) else None
    if row is None and email:
        row = await storage.find_by_email(uow, email)
    if row is None:
        raise visitor_not_found()
    return row


async def get(uow: UnitOfWork, user_id: str | None) -> VisitorOut:
    if not user_id:
        raise missing("user_id")
    return VisitorOut.from_row(await _row(uow, user_id=user_id))


async def update(uow: UnitOfWork, data: UpdateVisitorRequest) -> VisitorOut:
    if not data.id and not data.user_id:
        raise missing("id", "id or user_id")
    row = await _row(uow, id=data.id, user_id=data.user_id)
    values: dict[str, Any] = {}
    if data.name is not UNSET:
        values["name"] = data.name
    if data.custom_attributes is not UNSET:
        given = await attributes.check_custom_attributes(uow, "contact", data.custom_attributes)
        merged = {**(row["custom_attributes"] or {}), **given}
        values["custom_attributes"] = {k: v for k, v in merged.items() if v is not None}
    await storage.update_visitor(uow, row["id"], {**values, "updated_at": clock.now()})
    return VisitorOut.from_row(await _row(uow, id=row["id"]))


async def _target_user(uow: UnitOfWork, user: Identifiers, visitor: Any) -> str:
    """The user the visitor becomes: an existing contact named by `user`, or a new user."""
    existing = await contact_storage.find_contact(uow, id=user.id, external_id=user.user_id, email=user.email)
    if existing is not None:
        fill = {name: visitor[name] for name in ("name", "phone") if existing[name] is None and visitor[name]}
        merged = {**(visitor["custom_attributes"] or {}), **(existing["custom_attributes"] or {})}
        await contact_storage.update_contact(
            uow, existing["id"], {**fill, "custom_attributes": merged, "updated_at": clock.now()}
        )
        return existing["id"]
    if user.id:
        raise contact_not_found()
    email = user.email or visitor["email"]
    if not email and not user.user_id:
        raise invalid("user needs an email or a user_id", "user")
    return await contact_storage.insert_contact(
        uow,
        role="user",
        email=email,
        external_id=user.user_id,
        name=visitor["name"],
        phone=visitor["phone"],
        custom_attributes=visitor["custom_attributes"],
        has_hard_bounced=False,
        marked_email_as_spam=False,
        unsubscribed_from_emails=False,
        archived=False,
        blocked=False,
    )


async def convert(uow: UnitOfWork, data: ConvertVisitorRequest) -> ContactOut:
    if data.type not in ("user", "lead"):
        raise invalid("type must be user or lead", "type")
    if data.visitor is None or not (data.visitor.id or data.visitor.user_id or data.visitor.email):
        raise missing("visitor")
    visitor = await _row(uow, id=data.visitor.id, user_id=data.visitor.user_id, email=data.visitor.email)
    if data.type == "user":
        if data.user is None or not (data.user.id or data.user.user_id or data.user.email):
            raise missing("user")
        contact_id = await _target_user(uow, data.user, visitor)
    else:
        contact_id = await contact_storage.insert_contact(
            uow,
            role="lead",
            email=visitor["email"],
            name=visitor["name"],
            phone=visitor["phone"],
            custom_attributes=visitor["custom_attributes"],
            has_hard_bounced=False,
            marked_email_as_spam=False,
            unsubscribed_from_emails=False,
            archived=False,
            blocked=False,
        )
    await storage.update_visitor(uow, visitor["id"], {"converted_to_id": contact_id, "updated_at": clock.now()})
    out = await contact_service.contact_out(uow, await contact_storage.get_contact(uow, contact_id))
    if data.type == "user":
        await record_event(uow, "visitor.signed_up", out)
    else:
        await record_event(uow, "contact.lead.created", out)
    return out


async def create(uow: UnitOfWork, data: CreateVisitor) -> VisitorOut:
    """Management API: visitors come from the Messenger, which tidings does not serve."""
    now = clock.now()
    visitor_id = hex24()
    await storage.insert_visitor(
        uow,
        {
            "id": visitor_id,
            "user_id": data.user_id or uuid4(),
            "name": data.name,
            "email": data.email,
            "phone": data.phone,
            "pseudonym": data.pseudonym,
            "custom_attributes": {},
            "created_at": now,
            "updated_at": now,
        },
    )
    return VisitorOut.from_row(await _row(uow, id=visitor_id))
