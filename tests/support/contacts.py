"""Contacts made through the official SDK, for the tests of the areas that hang off a contact."""

from __future__ import annotations


def new_contact(client, email: str, **fields):  # type: ignore[no-untyped-def]
    return client.unstable.contacts.create_contact(request={"email": email, **fields})
