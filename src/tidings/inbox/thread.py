"""A conversation as the inbox shows it: the opening message and every part, each with its author's
name and how to draw it (a message, a note, or an event line such as an assignment or a close)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidings.admins import storage as admin_storage
from tidings.contacts.storage import contacts
from tidings.conversations import storage as conversation_storage
from tidings.conversations.statistics import CONTACT_AUTHORS
from tidings.core.uow import UnitOfWork
from tidings.teams import storage as team_storage

MESSAGE_TYPES = frozenset({"comment", "open", "quick_reply"})
EVENT_WORDS = {
    "assignment": "assigned",
    "assign_and_reopen": "assigned and reopened",
    "away_mode_assignment": "is away: reassigned",
    "close": "closed the conversation",
    "open": "reopened the conversation",
    "snoozed": "snoozed the conversation",
    "timer_unsnooze": "snooze ended",
    "participant_added": "added a participant",
    "participant_removed": "removed a participant",
    "conversation_attribute_updated_by_admin": "updated an attribute",
}


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: str  # "message", "note" or "event"
    part_type: str
    author_kind: str  # "contact", "admin" or "bot"
    author_name: str
    body: str | None
    created_at: int
    attachments: list[dict[str, Any]] = field(default_factory=list)
    detail: str | None = None
    options: list[str] = field(default_factory=list)


@dataclass(slots=True)
class People:
    admins: dict[str, str]
    teams: dict[str, str]
    contacts: dict[str, str]

    @classmethod
    async def load(cls, uow: UnitOfWork, contact_ids: list[str]) -> People:
        admins = {str(a["id"]): a["name"] for a in await admin_storage.list_admins(uow)}
        teams = {str(t["id"]): t["name"] for t in await team_storage.list_teams(uow)}
        rows = await uow.all(uow.select(contacts).where(contacts.c.id.in_(contact_ids))) if contact_ids else []
        return cls(admins, teams, {r["id"]: r["name"] or r["email"] or "Unknown contact" for r in rows})

    def author(self, author_type: str, author_id: str, name: str | None) -> tuple[str, str]:
        if author_type in CONTACT_AUTHORS:
            return "contact", self.contacts.get(author_id, "Unknown contact")
        if author_type == "admin":
            return "admin", self.admins.get(author_id, "Removed teammate")
        return "bot", name or "Fin"

    def assignee(self, kind: str | None, assignee_id: str | None) -> str:
        if kind == "admin":
            return self.admins.get(str(assignee_id), "a removed teammate")
        if kind == "team":
            return "team " + self.teams.get(str(assignee_id), "?")
        return "nobody"


def _event_detail(part: Any, people: People) -> str:
    words = EVENT_WORDS.get(part["part_type"], part["part_type"].replace("_", " "))
    if part["part_type"] in ("assignment", "assign_and_reopen", "away_mode_assignment"):
        return f"{words} to {people.assignee(part['assigned_to_type'], part['assigned_to_id'])}"
    if part["part_type"] == "conversation_attribute_updated_by_admin" and part["event_details"]:
        details = part["event_details"]
        return f"set {details['attribute']['name']} to {details['value']['name']}"
    return words


def _item(part: Any, people: People) -> Item:
    author_kind, author_name = people.author(part["author_type"], part["author_id"], part["author_name"])
    part_type = part["part_type"]
    options = [o.get("text", "") for o in ((part["metadata"] or {}).get("quick_reply_options") or [])]
    if part_type == "note":
        kind = "note"
    elif part_type in MESSAGE_TYPES and (part["body"] or part["attachments"] or options):
        kind = "message"
    else:
        kind = "event"
    return Item(
        id=str(part["id"]),
        kind=kind,
        part_type=part_type,
        author_kind=author_kind,
        author_name=author_name,
        body=part["body"],
        created_at=part["created_at"],
        attachments=list(part["attachments"] or []),
        detail=_event_detail(part, people) if kind == "event" else None,
        options=options,
    )


async def build(uow: UnitOfWork, row: Any) -> tuple[list[Item], People, list[str]]:
    """The thread's items (opening message first), the people it names, and its contact ids."""
    contact_ids = await conversation_storage.contact_ids(uow, row["id"])
    parts = await conversation_storage.list_parts(uow, row["id"])
    people = await People.load(uow, contact_ids)
    author_kind, author_name = people.author(row["source_author_type"], row["source_author_id"], None)
    opening = Item(
        id="source",
        kind="message",
        part_type="source",
        author_kind=author_kind,
        author_name=author_name,
        body=row["source_body"],
        created_at=row["created_at"],
        attachments=list(row["source_attachments"] or []),
    )
    items = [opening] if (row["source_body"] or row["source_attachments"]) else []
    return items + [_item(part, people) for part in parts], people, contact_ids
