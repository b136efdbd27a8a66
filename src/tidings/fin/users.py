"""Fin's users: Intercom contacts with the User role, keyed by the caller's `user.id` (`external_id`).

An unknown id creates the user; a differing email overwrites the stored one; `attributes` merge
into the contact's custom attributes (so every channel sees them). An attribute that cannot be
stored is reported back in `errors`, never failing the call.
"""

from __future__ import annotations

import re
from typing import Any

from tidings.contacts import service as contact_service
from tidings.contacts.storage import contacts, email_key
from tidings.core import clock
from tidings.core.limits import MAX_ATTRIBUTE_VALUE_LENGTH
from tidings.core.uow import UnitOfWork

MAX_ATTRIBUTES = 10
# Custom attribute names Intercom accepts: no dots or dollar signs, at most 190 characters.
_ATTRIBUTE_NAME = re.compile(r"^[^.$\[\]]{1,190}$")
_SCALARS = (str, int, float, bool)


def check_attributes(attributes: dict[str, Any], kind: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(the storable attributes, an error message per attribute that is not)."""
    accepted: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for index, (name, value) in enumerate(attributes.items()):
        if index >= MAX_ATTRIBUTES:
            errors[name] = f"Limit of {MAX_ATTRIBUTES} attributes exceeded"
        elif not _ATTRIBUTE_NAME.match(name) or not name.strip():
            errors[name] = f"{kind} attribute '{name}' does not exist"
        elif value is not None and not isinstance(value, _SCALARS):
            errors[name] = f"'{value}' is not a valid value for attribute '{name}' of type 'string'"
        elif isinstance(value, str) and len(value) > MAX_ATTRIBUTE_VALUE_LENGTH:
            errors[name] = f"Attribute '{name}' may be at most {MAX_ATTRIBUTE_VALUE_LENGTH} characters"
        else:
            accepted[name] = value
    return accepted, errors


async def find_user(uow: UnitOfWork, external_id: str) -> Any:
    return await uow.one_or_none(
        uow.select(contacts)
        .where(
            contacts.c.external_id == external_id,
            contacts.c.role == "user",
            contacts.c.merged_into_id.is_(None),
        )
        .order_by(contacts.c.created_at)
        .limit(1)
    )


async def upsert_user(
    uow: UnitOfWork, external_id: str, name: str | None, email: str | None, attributes: dict[str, Any]
) -> Any:
    # One user's first messages may arrive in several conversations at once (or the user be created
    # through the Contacts API meanwhile): create it once.
    await contact_service.serialise_identity(uow, "user", None, external_id)
    row = await find_user(uow, external_id)
    if row is None:
        # Through the contacts service, so the new user is announced (contact.user.created).
        await contact_service.insert_and_announce(
            uow, role="user", external_id=external_id, email=email, name=name, custom_attributes=attributes
        )
        return await find_user(uow, external_id)
    changes: dict[str, Any] = {}
    if email and email_key(email) != row["email_key"]:
        changes |= {"email": email, "email_key": email_key(email), "email_domain": email.rsplit("@", 1)[-1].lower()}
    if name and name != row["name"]:
        changes["name"] = name
    merged = {**(row["custom_attributes"] or {}), **attributes}
    if merged != (row["custom_attributes"] or {}):
        changes["custom_attributes"] = merged
    if changes:
        changes["updated_at"] = clock.now()
        await uow.execute(uow.update(contacts).where(contacts.c.id == row["id"]).values(**changes))
        return {**row, **changes}
    return row


def user_attributes(contact: Any) -> dict[str, Any]:
    """What escalation rules see: custom attributes, plus the standard `email` and `name`."""
    return {**(contact["custom_attributes"] or {}), "email": contact["email"], "name": contact["name"]}
