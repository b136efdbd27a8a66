"""The conversation engine: the only conversations module other areas import (besides schemas and
storage).

For other areas (Fin hand-over, the custom channel, tickets, calls) two functions are the way in; both
write in the caller's unit of work, keep state, `waiting_since` and statistics current, and record
the webhook topic Intercom would send:

- `start_conversation(uow, contact_id=..., body=..., author=None, ...) -> int`
  opens a conversation for a contact with its opening message (the source). The author defaults to
  the contact (topic `conversation.user.created`); an admin author makes an admin-initiated
  conversation (`conversation.admin.single.created`). Returns the conversation id.
- `add_part(uow, conversation_id, author, part_type, body, ...) -> int`
  appends a part (`comment`, `note`, `quick_reply`, `close`, `open`, `snoozed`, `assignment`, ...)
  written by `Author.admin(id)`, `Author.contact(id, role)` or `Author.bot(id, name)`, and returns
  the part id. A contact's comment reopens a closed or snoozed conversation (stored as an `open`
  part, as Intercom does) and marks it unread; an assignment reopens a closed one
  (`assign_and_reopen`). Parts are `conversation_parts` rows; `storage.list_parts` reads them back.

Also here: the lookups every conversations module and other areas share (`conversation_row`,
`admin_row`, `contact_by_identifier` and their 404s), `PART_LISTENERS` (other areas hear of every
part added: `await listener(uow, conversation_id, part_id)`), snooze wake-ups
(`wake_due_snoozes`, `next_snooze_end`) and away mode (an away admin's new replies go back to the
team inbox).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from tidings.admins import storage as admin_storage
from tidings.contacts.storage import find_contact, get_contact
from tidings.conversations import storage
from tidings.conversations.schemas import ConversationOut
from tidings.conversations.statistics import CONTACT_AUTHORS, compute, history, waiting_since
from tidings.conversations.views import attachments_from_urls, is_snooze_over, plaintext, render_conversation
from tidings.core import clock
from tidings.core.errors import (
    ADMIN_NOT_FOUND,
    CONVERSATION_PART_OR_MESSAGE_NOT_FOUND,
    USER_NOT_FOUND,
    TidingsError,
    found,
    invalid,
    missing,
    not_found,
)
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork
from tidings.events.record import record_event

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Author:
    """Who writes a part: an admin, a contact (`user`/`lead`) or a bot (Fin)."""

    type: str
    id: str
    name: str | None = None

    @classmethod
    def admin(cls, admin_id: int | str) -> Author:
        return cls("admin", str(admin_id))

    @classmethod
    def contact(cls, contact_id: str, role: str) -> Author:
        return cls(role, contact_id)

    @classmethod
    def bot(cls, bot_id: str, name: str | None = None) -> Author:
        return cls("bot", bot_id, name)

    @property
    def is_contact(self) -> bool:
        return self.type in CONTACT_AUTHORS


def words_of(body: str | None) -> str:
    """Lower-cased words, space-padded, for whole-word `source.body` search."""
    return " " + " ".join(_WORD.findall((plaintext(body) or "").lower())) + " "


# Lookups.
def conversation_not_found(message: str = "Resource Not Found") -> TidingsError:
    """The tag routes say "Conversation not found", every other route "Resource Not Found" (the spec's examples)."""
    return not_found(message)


def part_or_message_not_found() -> TidingsError:
    return CONVERSATION_PART_OR_MESSAGE_NOT_FOUND()


def user_not_found() -> TidingsError:
    return USER_NOT_FOUND()


async def conversation_row(uow: UnitOfWork, conversation_id: str | int, missing: str = "Resource Not Found") -> Any:
    numeric = parse_numeric_id(conversation_id)
    row = found(await storage.get_conversation(uow, numeric) if numeric else None, conversation_not_found(missing))
    return row


async def admin_row(uow: UnitOfWork, admin_id: str | int | None, field: str = "admin_id") -> Any:
    if admin_id is None or admin_id == "":
        raise missing(field)
    if isinstance(admin_id, bool) or not isinstance(admin_id, str | int):
        raise invalid(f"{field} must be a string or an integer", field)
    numeric = parse_numeric_id(admin_id)
    row = found(await admin_storage.get_admin(uow, numeric) if numeric else None, ADMIN_NOT_FOUND(field=field))
    return row


async def contact_by_identifier(uow: UnitOfWork, identifiers: dict[str, Any]) -> Any:
    """The contact named by `intercom_user_id`, `user_id` (external id) or `email`."""
    if identifiers.get("intercom_user_id"):
        contact = await find_contact(uow, id=str(identifiers["intercom_user_id"]))
    elif identifiers.get("user_id"):
        contact = await find_contact(uow, external_id=str(identifiers["user_id"]))
    elif identifiers.get("email"):
        contact = await find_contact(uow, email=str(identifiers["email"]))
    else:
        raise missing("intercom_user_id")
    if contact is None:
        raise user_not_found()
    return contact


# The engine: opening conversations, adding parts, keeping state and statistics.
async def _refresh_statistics(uow: UnitOfWork, conversation_id: int) -> None:
    row = await storage.get_conversation(uow, conversation_id)
    moments = history(row, await storage.list_parts(uow, conversation_id))
    await storage.update_conversation(
        uow, conversation_id, {**compute(moments), "waiting_since": waiting_since(moments)}
    )


async def announce(uow: UnitOfWork, topic: str, conversation_id: int) -> ConversationOut:
    """Record `topic` with the conversation (parts included) as its item; returns the rendering."""
    conversation = await render_conversation(uow, await storage.get_conversation(uow, conversation_id), with_parts=True)
    await record_event(uow, topic, conversation)
    return conversation


async def start_conversation(
    uow: UnitOfWork,
    *,
    contact_id: str,
    body: str,
    author: Author | None = None,
    subject: str | None = None,
    attachment_urls: list[str] | None = None,
    created_at: int | None = None,
    source_type: str = "conversation",
    source_id: str | None = None,
    url: str | None = None,
    ai_agent_participated: bool = False,
) -> int:
    """Open a conversation for `contact_id`; `source_id` names an existing `messages` row, else one is made."""
    contact = found(await get_contact(uow, contact_id), user_not_found())
    author = author or Author.contact(contact_id, contact["role"])
    now = clock.now()
    created = created_at or now
    if source_id is None:
        message_id = await storage.insert_message(
            uow,
            {
                "message_type": "email" if source_type == "email" else "inapp",
                "subject": subject,
                "body": body,
                "from_type": author.type,
                "from_id": author.id,
                "recipients": [],
                "created_at": created,
                "updated_at": now,
            },
        )
        source_id = str(message_id)
    conversation_id = await storage.insert_conversation(
        uow,
        {
            "title": None,
            "state": "open",
            "open": True,
            "read": False,
            "priority": "not_priority",
            "custom_attributes": {},
            "ai_agent_participated": ai_agent_participated,
            "source_id": source_id,
            "source_type": source_type,
            "source_delivered_as": "customer_initiated" if author.is_contact else "admin_initiated",
            "source_subject": subject or "",
            "source_body": body,
            "source_words": words_of(body),
            "source_author_type": author.type,
            "source_author_id": author.id,
            "source_url": url,
            "source_attachments": attachments_from_urls(attachment_urls or []),
            "created_at": created,
            "updated_at": now,
        },
    )
    await storage.add_contact(uow, conversation_id, contact_id)
    await storage.update_message(uow, int(source_id), {"conversation_id": conversation_id})
    await _refresh_statistics(uow, conversation_id)
    topic = "conversation.user.created" if author.is_contact else "conversation.admin.single.created"
    await announce(uow, topic, conversation_id)
    return conversation_id


def _state_after(before: Any, author: Author, part_type: str, snoozed_until: int | None) -> dict[str, Any]:
    """The conversation columns a part changes."""
    if part_type in ("comment", "quick_reply") and author.is_contact:
        return {"state": "open", "open": True, "snoozed_until": None, "read": False}
    if part_type == "close":
        return {"state": "closed", "open": False, "snoozed_until": None}
    if part_type in ("open", "timer_unsnooze") or (part_type == "assignment" and before["state"] == "closed"):
        # An assignment reopens a closed conversation (`assign_and_reopen`) and leaves a snooze alone.
        return {"state": "open", "open": True, "snoozed_until": None}
    if part_type == "snoozed":
        return {"state": "snoozed", "open": True, "snoozed_until": snoozed_until}
    return {}


def _stored_type(before: Any, author: Author, part_type: str) -> str:
    """Intercom records a contact comment that reopens the conversation as an `open` part (with its
    body), and an assignment of a closed conversation as `assign_and_reopen`."""
    if part_type == "comment" and author.is_contact and before["state"] in ("closed", "snoozed"):
        return "open"
    if part_type == "assignment" and before["state"] == "closed":
        return "assign_and_reopen"
    return part_type


def _topic(before: Any, author: Author, part_type: str) -> str | None:
    if part_type in ("comment", "quick_reply"):
        if author.is_contact:
            return "conversation.user.replied"
        return "conversation.admin.replied" if author.type == "admin" else "conversation.operator.replied"
    if part_type == "open":
        return "conversation.admin.unsnoozed" if before["state"] == "snoozed" else "conversation.admin.opened"
    return {
        "timer_unsnooze": "conversation.admin.unsnoozed",
        "note": "conversation.admin.noted",
        "close": "conversation.admin.closed",
        "snoozed": "conversation.admin.snoozed",
        "assignment": "conversation.admin.assigned",
        "away_mode_assignment": "conversation.admin.assigned",
        "participant_added": "conversation.contact.attached",
        "participant_removed": "conversation.contact.detached",
    }.get(part_type)


# Other areas (the custom channel) hear of every part added: `await listener(uow, conversation_id, part_id)`.
PartListener = Callable[[UnitOfWork, int, int], Awaitable[None]]
PART_LISTENERS: list[PartListener] = []


async def add_part(
    uow: UnitOfWork,
    conversation_id: int,
    author: Author,
    part_type: str,
    body: str | None = None,
    *,
    attachment_urls: list[str] | None = None,
    created_at: int | None = None,
    external_id: str | None = None,
    assigned_to: tuple[str, str | None] | None = None,
    snoozed_until: int | None = None,
    metadata: dict[str, Any] | None = None,
    event_details: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> int:
    """Append a part and apply its effects (state, assignment `changes`, statistics, event)."""
    before = found(await storage.lock_conversation(uow, conversation_id), conversation_not_found())
    if part_type != "timer_unsnooze":
        before = await _wake_if_due(uow, before)
    now = clock.now()
    at = created_at or now
    updates = {**_state_after(before, author, part_type, snoozed_until), **(changes or {}), "updated_at": now}
    part_id = await storage.insert_part(
        uow,
        {
            "conversation_id": conversation_id,
            "part_type": _stored_type(before, author, part_type),
            "body": body,
            "author_type": author.type,
            "author_id": author.id,
            "author_name": author.name,
            "assigned_to_type": assigned_to[0] if assigned_to else None,
            "assigned_to_id": assigned_to[1] if assigned_to else None,
            "attachments": attachments_from_urls(attachment_urls or []),
            "external_id": external_id,
            "redacted": False,
            "state": updates.get("state", before["state"]),
            "metadata": metadata,
            "event_details": event_details,
            "admin_seen": False,
            "created_at": at,
            "updated_at": at,
            "notified_at": at,
        },
    )
    await storage.update_conversation(uow, conversation_id, updates)
    await _refresh_statistics(uow, conversation_id)
    topic = _topic(before, author, part_type)
    if topic:
        await announce(uow, topic, conversation_id)
    if author.is_contact and part_type == "comment":
        await _apply_away_mode(uow, conversation_id, before["admin_assignee_id"])
    for listener in PART_LISTENERS:
        await listener(uow, conversation_id, part_id)
    return part_id


async def _wake_if_due(uow: UnitOfWork, row: Any) -> Any:
    """A snooze whose time has come ends with a `timer_unsnooze` part, dated at the snooze's end.

    Reads already show such a conversation as open (`views.effective_state`); the first write
    that touches it records the wake-up before its own part.
    """
    if not is_snooze_over(row["state"], row["snoozed_until"]):
        return row
    snooze = await storage.last_part_of_type(uow, row["id"], "snoozed")
    author = Author(snooze["author_type"], snooze["author_id"]) if snooze else Author.bot("0")
    await add_part(uow, row["id"], author, "timer_unsnooze", created_at=row["snoozed_until"])
    return await storage.get_conversation(uow, row["id"])


async def next_snooze_end(uow: UnitOfWork) -> int | None:
    """When the workspace's next snooze ends (Unix seconds), if any conversation is snoozed."""
    c = storage.conversations.c
    return await uow.scalar(uow.select(storage.conversations, func.min(c.snoozed_until)).where(c.state == "snoozed"))


async def wake_due_snoozes(uow: UnitOfWork) -> int:
    """Record the wake-up (part and event) of every snooze that has ended by the clock; how many."""
    c = storage.conversations.c
    due = await uow.all(
        uow.select(storage.conversations).where(c.state == "snoozed", c.snoozed_until <= clock.now()).order_by(c.id)
    )
    for row in due:
        await _wake_if_due(uow, row)
    return len(due)


async def _apply_away_mode(uow: UnitOfWork, conversation_id: int, assignee_id: int | None) -> None:
    """An away admin who asked for reassignment hands new replies back to the team inbox (unassigned)."""
    if assignee_id is None:
        return
    admin = await admin_storage.get_admin(uow, assignee_id)
    if admin is None or not (admin["away_mode_enabled"] and admin["away_mode_reassign"]):
        return
    await add_part(
        uow,
        conversation_id,
        Author.admin(assignee_id),
        "away_mode_assignment",
        assigned_to=("nobody_admin", None),
        changes={"admin_assignee_id": None},
    )
