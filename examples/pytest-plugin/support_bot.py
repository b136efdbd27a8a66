"""The code under test: a tiny support bot on the Intercom SDK (what an integrator would write)."""

from __future__ import annotations

import time

from intercom import Intercom
from intercom.core.api_error import ApiError


def open_ticket_conversation(client: Intercom, email: str, question: str) -> str:
    """Find or create the contact, open a conversation with the question; returns its id."""
    found = client.unstable.contacts.search_contacts(query={"field": "email", "operator": "=", "value": email})
    contact = found.data[0] if found.data else client.unstable.contacts.create_contact(request={"email": email})
    message = client.unstable.conversations.create_conversation(from_={"type": "user", "id": contact.id}, body=question)
    return str(message.conversation_id)


def snooze_until_tomorrow(client: Intercom, conversation_id: str, admin_id: str, now: int) -> None:
    client.unstable.conversations.manage_conversation(
        id=conversation_id, request={"message_type": "snoozed", "admin_id": admin_id, "snoozed_until": now + 86400}
    )


def create_contact_with_backoff(client: Intercom, email: str, attempts: int = 3) -> str:
    """Create a contact, waiting out rate limits (429) as Intercom asks, up to `attempts` times."""
    for attempt in range(attempts):
        try:
            return client.unstable.contacts.create_contact(request={"email": email}).id
        except ApiError as error:
            if error.status_code != 429 or attempt == attempts - 1:
                raise
            time.sleep(float((error.headers or {}).get("retry-after", "1")))
    raise AssertionError("unreachable")
