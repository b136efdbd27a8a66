"""Rendering conversations and parts in the spec's shapes, with their authors, contacts and tags."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import unquote

import msgspec

from tidings.admins import storage as admin_storage
from tidings.contacts.storage import contacts, get_contact
from tidings.conversations import storage
from tidings.conversations.schemas import AppliedTagOut, ConversationOut, PartList, PartOut
from tidings.conversations.statistics import CONTACT_AUTHORS
from tidings.conversations.storage import STAT_COUNTS, STAT_DURATIONS, STAT_TIMESTAMPS
from tidings.core import clock
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import references
from tidings.tickets_conversations import links

# Intercom returns the most recent 500 parts of a conversation.
MAX_PARTS = 500
BOT_NAME = "Fin"
_TAG = re.compile(r"<[^>]+>")


def plaintext(html: str | None) -> str | None:
    return unescape(_TAG.sub("", html)) if html is not None else None


def is_snooze_over(state: str, snoozed_until: int | None) -> bool:
    return state == "snoozed" and snoozed_until is not None and snoozed_until <= clock.now()


def effective_state(row: Any) -> tuple[str, int | None]:
    """State and snoozed_until as of now: a snooze that has run out reads as open."""
    if is_snooze_over(row["state"], row["snoozed_until"]):
        return "open", None
    return row["state"], row["snoozed_until"]


def attachments_from_urls(urls: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "type": "upload",
            "name": unquote(url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]) or url,
            "url": url,
            "content_type": mimetypes.guess_type(url.split("?", 1)[0])[0] or "application/octet-stream",
        }
        for url in urls
    ]


@dataclass(slots=True)
class Directory:
    """Names and emails of the people a rendering mentions, loaded once per rendering."""

    uow: UnitOfWork
    admins: dict[str, Any]
    contacts: dict[str, Any]

    @classmethod
    async def load(cls, uow: UnitOfWork) -> Directory:
        admins = {str(a["id"]): a for a in await admin_storage.list_admins(uow)}
        return cls(uow=uow, admins=admins, contacts={})

    async def prefetch_contacts(self, contact_ids: set[str]) -> None:
        wanted = list(contact_ids - self.contacts.keys())
        if wanted:
            rows = await self.uow.all(self.uow.select(contacts).where(contacts.c.id.in_(wanted)))
            self.contacts.update(dict.fromkeys(wanted))
            self.contacts.update({row["id"]: row for row in rows})

    async def contact(self, contact_id: str) -> Any:
        if contact_id not in self.contacts:
            self.contacts[contact_id] = await get_contact(self.uow, contact_id)
        return self.contacts[contact_id]

    async def author(self, author_type: str, author_id: str, name: str | None = None) -> dict[str, Any]:
        if author_type == "admin":
            admin = self.admins.get(author_id)
            return {"type": "admin", "id": author_id, "name": admin["name"] if admin else name, **_email(admin)}
        if author_type == "bot":
            return {"type": "bot", "id": author_id, "name": name or BOT_NAME, "from_ai_agent": True}
        contact = await self.contact(author_id)
        role = contact["role"] if contact else author_type
        return {"type": role, "id": author_id, "name": contact["name"] if contact else name, **_email(contact)}


def _email(row: Any) -> dict[str, str]:
    return {"email": row["email"]} if row is not None and row["email"] else {}


def _reference(kind: str | None, ref_id: str | None) -> dict[str, Any] | None:
    return {"type": kind, "id": ref_id} if kind else None


async def render_part(directory: Directory, part: Any, plain: bool = False) -> PartOut:
    body = plaintext(part["body"]) if plain else part["body"]
    return PartOut(
        id=str(part["id"]),
        part_type=part["part_type"],
        body=body,
        created_at=part["created_at"],
        updated_at=part["updated_at"],
        notified_at=part["notified_at"],
        assigned_to=_reference(part["assigned_to_type"], part["assigned_to_id"]),
        author=await directory.author(part["author_type"], part["author_id"], part["author_name"]),
        attachments=part["attachments"],
        external_id=part["external_id"],
        redacted=part["redacted"],
        state=part["state"],
        tags=[],
        metadata=part["metadata"] or None,
        event_details=part["event_details"] or None,
        external_reply_send_state=part["send_state"] or UNSET,
        seen_state={"admin_seen": True} if part["admin_seen"] else UNSET,
    )


def _statistics(row: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"type": "conversation_statistics"}
    for name in (*STAT_TIMESTAMPS, *STAT_DURATIONS, *STAT_COUNTS, "last_closed_by_id"):
        value = row[f"stat_{name}"]
        if value is not None:
            values[name] = value
    return values


def _tags(applications: list[Any]) -> dict[str, Any]:
    return {"type": "tag.list", "tags": [msgspec.to_builtins(applied_tag(row, row)) for row in applications]}


def applied_tag(tag: Any, applied: Any) -> AppliedTagOut:
    """`tag` has the tag's name, `applied` the application (one joined row may be both)."""
    return AppliedTagOut(
        id=str(applied["tag_id"]),
        name=tag["name"],
        applied_at=applied["applied_at"],
        applied_by={"type": applied["applied_by_type"], "id": applied["applied_by_id"]},
    )


async def _contacts(directory: Directory, contact_ids: list[str]) -> dict[str, Any]:
    refs = []
    for contact_id in contact_ids:
        contact = await directory.contact(contact_id)
        refs.append({"type": "contact", "id": contact_id, "external_id": contact["external_id"] if contact else None})
    return {"type": "contact.list", "contacts": refs}


def _teammates(admin_ids: list[str]) -> dict[str, Any]:
    return {"type": "admin.list", "teammates": [{"type": "admin", "id": admin_id} for admin_id in admin_ids]}


async def _source(directory: Directory, row: Any, plain: bool) -> dict[str, Any]:
    return {
        "type": row["source_type"],
        "id": row["source_id"],
        "delivered_as": row["source_delivered_as"],
        "subject": (plaintext(row["source_subject"]) if plain else row["source_subject"]) or "",
        "body": (plaintext(row["source_body"]) if plain else row["source_body"]) or "",
        "author": await directory.author(row["source_author_type"], row["source_author_id"]),
        "attachments": row["source_attachments"],
        "url": row["source_url"],
        "redacted": row["source_redacted"],
    }


async def render_conversations(
    uow: UnitOfWork, rows: list[Any], *, with_parts: bool = False, plain: bool = False
) -> list[ConversationOut]:
    """Render a page of conversations with a fixed number of queries, whatever its size."""
    directory = await Directory.load(uow)
    ids = [row["id"] for row in rows]
    participants = await storage.contact_ids_by_conversation(uow, ids)
    source_contacts = {r["source_author_id"] for r in rows if r["source_author_type"] in CONTACT_AUTHORS}
    await directory.prefetch_contacts({c for cs in participants.values() for c in cs} | source_contacts)
    tags = await storage.applied_tags_by_conversation(uow, ids)
    teammates = await storage.teammate_ids_by_conversation(uow, ids)
    linked = await links.linked_objects_of_conversations(uow, ids)
    instances = await references.expand_references_for_many(uow, "conversation", [str(i) for i in ids])
    rendered = []
    for row in rows:
        conversation = await _render(
            directory,
            row,
            plain,
            tags=tags.get(row["id"], []),
            contact_ids=participants.get(row["id"], []),
            teammate_ids=teammates.get(row["id"], []),
            linked_objects=msgspec.to_builtins(linked[row["id"]]),
            expanded_references=instances.get(str(row["id"]), {}),
        )
        if with_parts:
            parts = await storage.list_parts(uow, row["id"])
            conversation.conversation_parts = PartList(
                conversation_parts=[await render_part(directory, p, plain) for p in parts[-MAX_PARTS:]],
                total_count=len(parts),
            )
        rendered.append(conversation)
    return rendered


async def render_conversation(
    uow: UnitOfWork, row: Any, *, with_parts: bool = False, plain: bool = False
) -> ConversationOut:
    return (await render_conversations(uow, [row], with_parts=with_parts, plain=plain))[0]


async def _render(
    directory: Directory,
    row: Any,
    plain: bool,
    *,
    tags: list[Any],
    contact_ids: list[str],
    teammate_ids: list[str],
    linked_objects: dict[str, Any],
    expanded_references: dict[str, Any],
) -> ConversationOut:
    """One conversation; `expanded_references`: its custom object references (`custom_objects.references`)."""
    first_reply_at = row["stat_first_contact_reply_at"]
    state, snoozed_until = effective_state(row)
    return ConversationOut(
        id=str(row["id"]),
        title=row["title"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        waiting_since=row["waiting_since"],
        snoozed_until=snoozed_until,
        open=row["open"],
        state=state,
        read=row["read"],
        priority=row["priority"],
        admin_assignee_id=row["admin_assignee_id"],
        team_assignee_id=row["team_assignee_id"],
        tags=_tags(tags),
        conversation_rating=None,
        source=await _source(directory, row, plain),
        contacts=await _contacts(directory, contact_ids),
        teammates=_teammates(teammate_ids),
        custom_attributes={**row["custom_attributes"], **expanded_references},
        first_contact_reply=(
            {"created_at": first_reply_at, "type": row["source_type"], "url": row["source_url"]}
            if first_reply_at is not None
            else None
        ),
        statistics=_statistics(row),
        linked_objects=linked_objects,
        ai_agent_participated=row["ai_agent_participated"],
    )
