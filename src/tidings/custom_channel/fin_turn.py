"""Fin in a custom-channel conversation: answer from the content library, offer quick replies,
collect what the team will need, and hand over.

The workspace's custom channel has Fin enabled (`custom_channel_settings.fin_enabled`, default
true) and the conversation is still Fin's (`fin_state` active). Then a user message gets:

- a request for a person ("talk to a human") → hand-over;
- otherwise `typing`, then Fin's answer (the Fin engine's answerer, the same that serves
  `/fin/start`): when the content covers the question, the answer (`new_message`) and a
  quick-reply offer "Did that answer your question?" (`quick_reply_options`) with
  "Yes, thanks" (Fin closes the conversation as resolved: `conversation_closed`) and
  "No, talk to a person" (hand-over); when it does not, Fin says so and hands over.

A hand-over first asks for the contact's email when it has none (`attribute_collection_request`
for `email`; the team needs a way to reach the contact) and completes once the integrator sends
it (`notify_attribute_collected`): Fin leaves the conversation (`handover`, with Intercom's
escalation reason), the conversation stays open and unassigned in the team inbox, and later user
messages wait for a human. An admin who replies takes the conversation from Fin as well.
"""

from __future__ import annotations

import uuid
from typing import Any

from tidings.ai_content.text import clean_text
from tidings.conversations import engine as conversation_engine
from tidings.conversations import storage as conversation_storage
from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.custom_channel import outbound, storage
from tidings.fin import answerer, rules
from tidings.fin import storage as fin_storage
from tidings.fin.handover import FIN_BOT
from tidings.fin.users import user_attributes

FIN_VIEW = {"type": "bot", "id": FIN_BOT.id, "name": FIN_BOT.name}

RESOLVED = "resolved"
MORE_HELP = "more_help"
OFFER_PROMPT = "Did that answer your question?"
USER_AUTHORS = frozenset({"user", "lead", "contact"})
OFFER_TEXTS = {RESOLVED: "Yes, thanks", MORE_HELP: "No, talk to a person"}
RESOLVED_REPLY = "Great, glad I could help. I'll close this conversation."
EMAIL_PROMPT = "Before I pass you to the team: what email address can they reach you at?"
HANDOVER_REPLY = "I'm passing you to the team; someone will reply here."
# Offers' option ids are UUIDs (as Intercom's quick replies), derived from the conversation and the
# choice so that a selection tells Fin what was chosen without a lookup table.
_OPTIONS_NAMESPACE = uuid.UUID("6f1d1e5c-9a51-4f4e-8e0e-3b8f0c1c2a77")


def option_uuid(conversation_id: int, choice: str) -> str:
    return str(uuid.uuid5(_OPTIONS_NAMESPACE, f"{conversation_id}:{choice}"))


def fin_answers(settings: Any, mapping: Any) -> bool:
    return bool(settings["fin_enabled"]) and mapping["fin_state"] == storage.FIN_ACTIVE


async def say(uow: UnitOfWork, mapping: Any, body: str, metadata: dict[str, Any] | None = None) -> None:
    await conversation_engine.add_part(uow, mapping["conversation_id"], FIN_BOT, "comment", body, metadata=metadata)


async def on_user_message(uow: UnitOfWork, settings: Any, mapping: Any, contact: Any, text: str) -> None:
    if not fin_answers(settings, mapping):
        return
    await conversation_storage.update_conversation(uow, mapping["conversation_id"], {"ai_agent_participated": True})
    reason = await escalation(uow, contact, text)
    if reason is not None:
        await hand_over(uow, mapping, contact, reason)
        return
    await outbound.emit(uow, mapping, outbound.TYPING, {"author": FIN_VIEW})
    reply = await answerer.answer(uow, text, await earlier_user_messages(uow, mapping["conversation_id"]))
    await say(uow, mapping, reply.html)
    if not reply.covered:
        await hand_over(uow, mapping, contact, rules.REASON_ROUTED, announced=True)
        return
    options = [
        {"uuid": option_uuid(mapping["conversation_id"], choice), "text": OFFER_TEXTS[choice]} for choice in OFFER_TEXTS
    ]
    await conversation_engine.add_part(
        uow, mapping["conversation_id"], FIN_BOT, "quick_reply", OFFER_PROMPT, metadata={"quick_reply_options": options}
    )


async def earlier_user_messages(uow: UnitOfWork, conversation_id: int) -> list[str]:
    """The user's messages before the one Fin is answering (the last part), as plain text: the
    context a follow-up question is read in."""
    conversation = await conversation_storage.get_conversation(uow, conversation_id)
    bodies = [conversation["source_body"]] if conversation["source_author_type"] in USER_AUTHORS else []
    parts = await conversation_storage.list_parts(uow, conversation_id)
    bodies += [p["body"] for p in parts if p["author_type"] in USER_AUTHORS and p["part_type"] == "comment"]
    return [clean_text(body) for body in bodies[:-1] if body]


async def escalation(uow: UnitOfWork, contact: Any, text: str) -> str | None:
    """Fin's escalation reason for this message: a request for a person, or a configured rule
    (the Fin settings' `escalation_rules`, shared with the Fin Agent API)."""
    if rules.asks_for_human(text):
        return rules.REASON_REQUESTED
    settings = await fin_storage.get_settings(uow)
    configured = list(settings["escalation_rules"] or []) if settings else []
    matched = rules.matching_rule(configured, text, user_attributes(contact))
    return matched.reason if matched else None


async def on_quick_reply(uow: UnitOfWork, settings: Any, mapping: Any, contact: Any, chosen: dict[str, Any]) -> None:
    if not fin_answers(settings, mapping):
        return
    if chosen["uuid"] == option_uuid(mapping["conversation_id"], RESOLVED):
        await say(uow, mapping, f"<p>{RESOLVED_REPLY}</p>")
        await conversation_engine.add_part(uow, mapping["conversation_id"], FIN_BOT, "close")
    elif chosen["uuid"] == option_uuid(mapping["conversation_id"], MORE_HELP):
        await hand_over(uow, mapping, contact, rules.REASON_REQUESTED)


async def on_attribute_collected(
    uow: UnitOfWork, settings: Any, mapping: Any, contact: Any, request: dict[str, Any]
) -> None:
    if request.get("then") == "handover" and mapping["fin_state"] == storage.FIN_ACTIVE:
        await complete_hand_over(uow, mapping, request["reason"])


async def hand_over(uow: UnitOfWork, mapping: Any, contact: Any, reason: str, *, announced: bool = False) -> None:
    """Ask for an email the team can use when the contact has none; otherwise hand over now."""
    if not contact["email"]:
        request = {"id": "email", "target": {"owner": "contact", "name": "email"}, "then": "handover", "reason": reason}
        current = await storage.find_by_external_id(uow, mapping["external_conversation_id"])
        pending = {**(current["pending"] or {}), "attribute": request}
        await storage.update_conversation(uow, mapping["id"], {"pending": pending})
        attribute = {"id": "email", "type": "email", "label": "Email"}
        await say(uow, mapping, f"<p>{EMAIL_PROMPT}</p>", {outbound.ATTRIBUTE_REQUEST_KEY: attribute})
        return
    await complete_hand_over(uow, mapping, reason, announced=announced)


async def complete_hand_over(uow: UnitOfWork, mapping: Any, reason: str, *, announced: bool = False) -> None:
    await storage.update_conversation(uow, mapping["id"], {"fin_state": storage.FIN_HANDED_OVER})
    if not announced:
        await say(uow, mapping, f"<p>{HANDOVER_REPLY}</p>")
    row = await conversation_storage.get_conversation(uow, mapping["conversation_id"])
    assignee = (
        {"type": "team", "id": str(row["team_assignee_id"])} if row["team_assignee_id"] else {"type": "nobody_admin"}
    )
    await outbound.emit(
        uow, mapping, outbound.HANDOVER, {"reason": reason, "assignee": assignee, "handed_over_at": clock.now()}
    )
