"""Subscription types, and contacts opting in to or out of them."""

from __future__ import annotations

from typing import Any

from tidings.contacts.lookup import live_row
from tidings.core import clock
from tidings.core.errors import found, invalid, missing
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.events.record import record_event
from tidings.subscriptions import storage
from tidings.subscriptions.schemas import (
    AttachSubscriptionRequest,
    CreateSubscriptionType,
    SubscriptionTypeList,
    SubscriptionTypeOut,
)

CONSENT_TYPES = ("opt_in", "opt_out")
CONTENT_TYPES = ("email", "sms_message")
STATES = ("live", "draft", "archived")


async def _type_row(uow: UnitOfWork, type_id: str | int | None) -> Any:
    numeric = parse_numeric_id(type_id) if type_id is not None else None
    row = found(await storage.get_type(uow, numeric) if numeric else None)
    return row


async def list_all(uow: UnitOfWork) -> SubscriptionTypeList:
    return SubscriptionTypeList(data=[SubscriptionTypeOut.from_row(r) for r in await storage.list_types(uow)])


async def of_contact(uow: UnitOfWork, contact_id: str) -> SubscriptionTypeList:
    contact = await live_row(uow, contact_id)
    rows = await storage.consents_of(uow, [contact["id"]])
    return SubscriptionTypeList(data=[SubscriptionTypeOut.from_row(r) for r in rows])


async def attach(uow: UnitOfWork, contact_id: str, data: AttachSubscriptionRequest) -> SubscriptionTypeOut:
    contact = await live_row(uow, contact_id)
    if data.id is None or data.id == "":
        raise missing("id")
    if data.consent_type not in CONSENT_TYPES:
        raise invalid("consent_type must be opt_in or opt_out", "consent_type")
    row = await _type_row(uow, data.id)
    await storage.set_consent(uow, contact["id"], row["id"], data.consent_type, clock.now())
    out = SubscriptionTypeOut.from_row(row)
    topic = "contact.subscribed" if data.consent_type == "opt_in" else "contact.unsubscribed"
    await record_event(
        uow,
        topic,
        {"type": "contact", "id": contact["id"], "external_id": contact["external_id"], "subscription_type": out.id},
    )
    return out


async def detach(uow: UnitOfWork, contact_id: str, type_id: str) -> SubscriptionTypeOut:
    contact = await live_row(uow, contact_id)
    row = await _type_row(uow, type_id)
    await storage.clear_consent(uow, contact["id"], row["id"])
    return SubscriptionTypeOut.from_row(row)


async def create(uow: UnitOfWork, data: CreateSubscriptionType) -> SubscriptionTypeOut:
    """Management API: subscription types are set up in Intercom's UI."""
    if not data.name.strip():
        raise invalid("name must not be empty", "name")
    if data.consent_type not in CONSENT_TYPES:
        raise invalid("consent_type must be opt_in or opt_out", "consent_type")
    if data.state not in STATES:
        raise invalid("state must be live, draft or archived", "state")
    if not data.content_types or any(t not in CONTENT_TYPES for t in data.content_types):
        raise invalid("content_types must be a non-empty list of email, sms_message", "content_types")
    type_id = await storage.insert_type(
        uow,
        {
            "name": data.name.strip(),
            "description": data.description,
            "locale": data.locale,
            "consent_type": data.consent_type,
            "state": data.state,
            "content_types": data.content_types,
            "created_at": clock.now(),
        },
    )
    return SubscriptionTypeOut.from_row(await storage.get_type(uow, type_id))
