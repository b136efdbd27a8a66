"""The Fin Agent API's rules: /fin/start and /fin/reply record the user's message and queue Fin's work.

Both answer at once with status `thinking`; the answer is produced by the runner
(`tidings.fin.runner`) from the job queued here in the request's own transaction, so it survives a
restart. A message re-sent with the same author and timestamp within five minutes is recorded
once and answered once.
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from tidings.config import Settings
from tidings.core import clock
from tidings.core.errors import TidingsError, found, invalid, not_found
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.fin import storage
from tidings.fin.events import iso_ms, parse_iso_ms, subscription_url
from tidings.fin.rules import validate_rules
from tidings.fin.runner import wake_runner
from tidings.fin.schemas import (
    FinMessageIn,
    FinReplyRequest,
    FinSettingsOut,
    FinSettingsUpdate,
    FinStartRequest,
    FinStatusOut,
    FinUserIn,
)
from tidings.fin.users import check_attributes, upsert_user
from tidings.uploads.service import DecodedFile, decode_file
from tidings.uploads.service import store as store_upload
from tidings.webhooks.safety import UnsafeDestination, check_saved_url

AUTHORS = frozenset({"user", "agent", "fin"})
MAX_ATTACHMENTS = 10
FILE_PARTS = ("name", "content_type", "data")
MAX_HISTORY = 10
DEDUPE_WINDOW_MS = 5 * 60 * 1000
# Statuses in which Fin's workflow for a conversation is over.
FINISHED = frozenset({"complete"})


def required(field: str) -> TidingsError:
    return invalid(f"{field} is required", field)


def bad(field: str, message: str) -> TidingsError:
    return invalid(message, field)


def _text(value: Any, field: str) -> str:
    if value is UNSET or value is None or (isinstance(value, str) and not value.strip()):
        raise required(field)
    return str(value)


class CheckedMessage(NamedTuple):
    author: str
    body: str
    timestamp_ms: int


def _message(message: FinMessageIn | Any, field: str = "message") -> CheckedMessage:
    """A message's author, body and timestamp (Unix ms), checked."""
    if message is UNSET or message is None:
        raise required(field)
    author = _text(message.author, f"{field}.author")
    if author not in AUTHORS:
        raise bad(f"{field}.author", f"{field}.author must be one of user, agent, fin")
    body = _text(message.body, f"{field}.body")
    timestamp = found(
        parse_iso_ms(_text(message.timestamp, f"{field}.timestamp")),
        bad(f"{field}.timestamp", f"{field}.timestamp must be an ISO-8601 date-time"),
    )
    return CheckedMessage(author, body, timestamp)


def _user(user: FinUserIn | Any) -> FinUserIn:
    if user is UNSET or user is None:
        raise required("user")
    _text(user.id, "user.id")
    return user


Attachment = str | DecodedFile  # a URL as sent, or a file sent as data (kept as an upload)


def _attachments(attachments: Any) -> list[Attachment]:
    """The message's attachments, checked before anything is written."""
    if attachments is UNSET or attachments is None:
        return []
    if len(attachments) > MAX_ATTACHMENTS:
        raise bad("attachments", f"attachments accepts at most {MAX_ATTACHMENTS} items")
    checked: list[Attachment] = []
    for index, attachment in enumerate(attachments):
        field = f"attachments[{index}]"
        if attachment.type == "url":
            url = _text(attachment.url, f"{field}.url")
            if not url.startswith(("https://", "http://")):
                raise bad(f"{field}.url", f"{field}.url must be an http(s) URL")
            checked.append(url)
        elif attachment.type == "file":
            name, content_type, data = (_text(getattr(attachment, part), f"{field}.{part}") for part in FILE_PARTS)
            checked.append(decode_file(name, content_type, data, field))
        else:
            raise bad(f"{field}.type", f"{field}.type must be url or file")
    return checked


async def _attachment_urls(uow: UnitOfWork, attachments: list[Attachment], base_url: str) -> list[str] | None:
    if not attachments:
        return None
    return [item if isinstance(item, str) else await store_upload(uow, item, base_url) for item in attachments]


def _attributes(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


async def start(uow: UnitOfWork, data: FinStartRequest, base_url: str) -> FinStatusOut:
    conversation_id = _text(data.conversation_id, "conversation_id")
    message = _message(data.message)
    author, timestamp = message.author, message.timestamp_ms
    user = _user(data.user)
    attachments = _attachments(data.attachments)
    # Concurrent calls for one conversation (a client retrying, two tabs) queue here, so the
    # conversation is created once and a re-sent message is seen as the duplicate it is.
    await uow.serialise("fin", conversation_id)
    metadata = data.conversation_metadata if data.conversation_metadata not in (UNSET, None) else None
    history = [] if metadata is None or metadata.history in (UNSET, None) else metadata.history
    if len(history) > MAX_HISTORY:
        raise bad("conversation_metadata.history", f"history accepts at most {MAX_HISTORY} messages")
    checked_history = [_message(m, f"conversation_metadata.history[{i}]") for i, m in enumerate(history)]
    conversation_attributes, conversation_errors = check_attributes(
        _attributes(metadata.attributes if metadata is not None else None), "Conversation"
    )
    contact, user_errors = await _upsert(uow, user)
    now_ms = clock.now_ms()
    row = await storage.find_conversation(uow, conversation_id)
    values = {
        "contact_id": contact["id"],
        "user_id": str(user.id),
        # Only a user's message gives Fin work; other authors' messages are context.
        "status": "thinking" if author == "user" else (row["status"] if row else "awaiting_user_reply"),
        "unhelpful_count": 0,
        "attributes": {**(row["attributes"] if row else {}), **conversation_attributes},
        "updated_at": clock.now(),
    }
    if author == "user":
        values["nudged_at"] = None
    if row is None:
        values |= {"conversation_id": conversation_id, "created_at": clock.now(), "intercom_conversation_id": None}
        fin_conversation_id = await storage.insert_conversation(uow, values)
    else:
        duplicate = await storage.recent_duplicate(uow, row["id"], author, timestamp, now_ms - DEDUPE_WINDOW_MS)
        if duplicate is not None:
            return await _status(uow, row, base_url, user_errors, conversation_errors, rewind=True)
        fin_conversation_id = row["id"]
        await storage.update_conversation(uow, fin_conversation_id, values)
    for past in checked_history:
        await _record(uow, fin_conversation_id, past, now_ms, history=True)
    urls = await _attachment_urls(uow, attachments, base_url)
    await _accept(uow, fin_conversation_id, message, now_ms, urls)
    row = await storage.get_conversation(uow, fin_conversation_id)
    return await _status(uow, row, base_url, user_errors, conversation_errors, rewind=True)


async def reply(uow: UnitOfWork, data: FinReplyRequest, base_url: str) -> FinStatusOut:
    conversation_id = _text(data.conversation_id, "conversation_id")
    message = _message(data.message)
    author, timestamp = message.author, message.timestamp_ms
    user = _user(data.user)
    attachments = _attachments(data.attachments)
    await uow.serialise("fin", conversation_id)
    row = found(
        await storage.find_conversation(uow, conversation_id),
        not_found("Conversation not found", field="conversation_id"),
    )
    contact, user_errors = await _upsert(uow, user)
    now_ms = clock.now_ms()
    duplicate = await storage.recent_duplicate(uow, row["id"], author, timestamp, now_ms - DEDUPE_WINDOW_MS)
    if duplicate is None:
        if row["status"] in FINISHED:
            raise bad("conversation_id", "Fin has completed this conversation; start it again with /fin/start")
        changes: dict[str, Any] = {"contact_id": contact["id"], "user_id": str(user.id), "updated_at": clock.now()}
        if author == "user":
            changes |= {"status": "thinking", "nudged_at": None}
        await storage.update_conversation(uow, row["id"], changes)
        urls = await _attachment_urls(uow, attachments, base_url)
        await _accept(uow, row["id"], message, now_ms, urls)
        row = await storage.get_conversation(uow, row["id"])
    return await _status(uow, row, base_url, user_errors, {}, rewind=False)


async def _upsert(uow: UnitOfWork, user: FinUserIn) -> tuple[Any, dict[str, str]]:
    accepted, errors = check_attributes(_attributes(user.attributes), "User")
    name = user.name if isinstance(user.name, str) else None
    email = user.email if isinstance(user.email, str) and user.email.strip() else None
    return await upsert_user(uow, str(user.id), name, email, accepted), errors


async def _record(
    uow: UnitOfWork,
    fin_conversation_id: int,
    message: CheckedMessage,
    now_ms: int,
    *,
    history: bool,
    attachment_urls: list[str] | None = None,
) -> int:
    return await storage.insert_message(
        uow,
        {
            "fin_conversation_id": fin_conversation_id,
            "author": message.author,
            "body": message.body,
            "timestamp_ms": message.timestamp_ms,
            "is_history": history,
            "answered": None,
            "citations": None,
            "handed_over": False,
            "attachment_urls": attachment_urls,
            "received_at_ms": now_ms,
        },
    )


async def _accept(
    uow: UnitOfWork, fin_conversation_id: int, message: CheckedMessage, now_ms: int, attachment_urls: list[str] | None
) -> None:
    """Record the message; a user's message is queued for Fin, others are context."""
    message_id = await _record(
        uow, fin_conversation_id, message, now_ms, history=False, attachment_urls=attachment_urls
    )
    if message.author == "user":
        await storage.insert_job(uow, fin_conversation_id, message_id, clock.now())
        uow.after_commit.append(wake_runner)


async def _status(
    uow: UnitOfWork,
    row: Any,
    base_url: str,
    user_errors: dict[str, str],
    conversation_errors: dict[str, str],
    *,
    rewind: bool,
) -> FinStatusOut:
    fin_settings = await storage.get_settings(uow)
    out = FinStatusOut(
        conversation_id=row["conversation_id"],
        user_id=row["user_id"],
        status=row["status"],
        created_at_ms=iso_ms(clock.now_ms()),
    )
    if fin_settings is None or fin_settings["sse_enabled"]:
        out.sse_subscription_url = subscription_url(uow.workspace_id, row["conversation_id"], base_url, rewind=rewind)
    errors: dict[str, Any] = {}
    if user_errors:
        errors["user"] = {"attributes": user_errors}
    if conversation_errors:
        errors["conversation"] = {"attributes": conversation_errors}
    if errors:
        out.errors = errors
    return out


# Management API.
def new_secret() -> str:
    return secrets.token_hex(32)


async def update_settings(uow: UnitOfWork, data: FinSettingsUpdate, settings: Settings) -> FinSettingsOut:
    row = await storage.get_settings(uow)
    values: dict[str, Any] = {"updated_at": clock.now()}
    if data.webhook_url is not UNSET:
        url = (data.webhook_url or "").strip() or None
        if url is not None:
            try:
                await check_saved_url(url, settings, "webhook_url")
            except UnsafeDestination as exc:
                raise invalid(str(exc), "webhook_url") from None
        values["webhook_url"] = url
    if data.webhook_secret not in (UNSET, None, ""):
        values["webhook_secret"] = data.webhook_secret
    elif row is None or not row["webhook_secret"]:
        values["webhook_secret"] = new_secret()
    if data.sse_enabled is not UNSET:
        values["sse_enabled"] = data.sse_enabled
    if data.streaming is not UNSET:
        values["streaming"] = data.streaming
    if data.escalation_rules is not UNSET:
        rules = [{name: getattr(rule, name) for name in rule.__struct_fields__} for rule in data.escalation_rules or []]
        values["escalation_rules"] = validate_rules(rules)
    if data.inactivity_timeout_seconds is not UNSET:
        if data.inactivity_timeout_seconds < 0:
            raise bad("inactivity_timeout_seconds", "inactivity_timeout_seconds must be 0 (off) or more")
        values["inactivity_timeout_seconds"] = data.inactivity_timeout_seconds
    if data.inactivity_message is not UNSET:
        values["inactivity_message"] = (data.inactivity_message or "").strip() or None
    if row is None:
        values = {"webhook_url": None, "sse_enabled": True, "streaming": False, "escalation_rules": []} | values
    await storage.save_settings(uow, values, exists=row is not None)
    return FinSettingsOut.from_row(await storage.get_settings(uow))
