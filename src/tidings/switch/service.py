from __future__ import annotations

import secrets
from typing import Any

from tidings.contacts import service as contacts
from tidings.contacts import storage as contact_storage
from tidings.contacts.schemas import ContactWrite
from tidings.core import clock
from tidings.core.errors import TidingsError
from tidings.core.phone import is_e164
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.data_attributes.service import check_custom_attributes
from tidings.switch import storage
from tidings.switch.schemas import CreatePhoneSwitch, PhoneSwitchOut, RedirectList, RedirectOut


class SwitchRefused(Exception):
    """A refusal in Switch's own shape (`{"error_key", "message"}`), raised before anything is written."""

    def __init__(self, status: int, error_key: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_key = error_key
        self.message = message


def _url(base_url: str, token: str) -> str:
    return f"{base_url}/_tidings/messenger/{token}"


async def _checked(uow: UnitOfWork, data: CreatePhoneSwitch) -> tuple[str, dict[str, Any]]:
    if data.phone is UNSET or not isinstance(data.phone, str) or not is_e164(data.phone.strip()):
        raise SwitchRefused(400, "invalid_phone_number", "Invalid phone number")
    try:
        attributes = await check_custom_attributes(uow, "contact", data.custom_attributes)
    except TidingsError as refused:
        raise SwitchRefused(422, "invalid_custom_attributes", refused.items[0].message or refused.code) from None
    return data.phone.strip(), attributes


async def create(uow: UnitOfWork, data: CreatePhoneSwitch, base_url: str) -> PhoneSwitchOut:
    """Text the caller a Messenger link (tidings has no SMS provider: the redirect is recorded, and
    listed in the management API) and put the custom attributes on the contact with that phone
    number, made as a lead when there is none (which contact Intercom picks is UNCONFIRMED)."""
    phone, attributes = await _checked(uow, data)
    await uow.serialise("contact-phone", phone)
    row = await contact_storage.find_contact_by_phone(uow, phone)
    if row is None:
        contact_id = (await contacts.create(uow, ContactWrite(role="lead", phone=phone))).id
    else:
        contact_id = row["id"]
    if attributes:
        await contacts.update(uow, contact_id, ContactWrite(custom_attributes=attributes))
    token = secrets.token_urlsafe(18)
    await storage.insert_redirect(
        uow,
        {
            "phone": phone,
            "contact_id": contact_id,
            "token": token,
            "custom_attributes": attributes,
            "created_at": clock.now(),
        },
    )
    return PhoneSwitchOut(phone=phone, url=_url(base_url, token))


async def list_redirects(uow: UnitOfWork, base_url: str) -> RedirectList:
    return RedirectList(
        data=[
            RedirectOut(
                phone=r["phone"],
                contact_id=r["contact_id"],
                url=_url(base_url, r["token"]),
                custom_attributes=r["custom_attributes"],
                created_at=r["created_at"],
            )
            for r in await storage.list_redirects(uow)
        ]
    )
