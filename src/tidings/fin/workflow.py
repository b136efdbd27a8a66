"""One turn of Fin's workflow: what it does with one user message, and the events that announce it.

Reading the message, in order:
1. the user asks for a person → escalated (`Escalation requested by user`);
2. a configured escalation rule matches (keywords in the message, or a user attribute) → escalated
   (`Escalation rule: {name}` / `Escalation rule matched`);
3. after an answer, the user confirms it helped → resolved → complete; says it did not → Fin asks
   for more detail, and the second time in a row → escalated (`Conversation finished without
   resolution`);
4. otherwise it is a question: answered from the content (`fin_replied`, then
   `awaiting_user_reply`), or, when the content does not cover it, Fin says so and escalates
   (`Routed to team`).

Every escalation hands the exchange over to an Intercom conversation, then ends with `complete`.
Events and state changes of a turn are written in one transaction with the job's completion, so a
turn interrupted by a restart is done again from the start, never half-announced.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from tidings.config import Settings
from tidings.contacts.storage import get_contact
from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.fin import answerer, llm, rules, storage
from tidings.fin.answerer import Answer
from tidings.fin.events import emit, replied, reply_chunk, status_updated
from tidings.fin.handover import hand_over
from tidings.fin.users import user_attributes
from tidings.webhooks.sse import close_channel_streams, fin_channel

ASK_FOR_DETAIL = "Sorry that didn't help. Could you tell me a bit more about what you're trying to do?"
# Streaming: the default answerer reveals its answer this many words at a time.
CHUNK_WORDS = 6


@dataclass(slots=True)
class TurnState:
    conversation: Any
    message: Any
    settings: Any
    contact: Any
    history: list[tuple[str, str]]
    last_fin_answered: bool


@dataclass(slots=True)
class Outcome:
    """What the turn does: reply (optional), then a final status (and a reason when escalating)."""

    status: str
    reply: Answer | None = None
    reason: str | None = None
    stream_id: str | None = None
    unhelpful_count: int = 0


async def load(uow: UnitOfWork, job: Any) -> TurnState | None:
    conversation = await storage.get_conversation(uow, job["fin_conversation_id"])
    message = await storage.get_message(uow, job["message_id"])
    if conversation is None or message is None or conversation["status"] == "complete":
        return None
    messages = [m for m in await storage.list_messages(uow, conversation["id"]) if m["id"] < message["id"]]
    fin_messages = [m for m in messages if m["author"] == "fin" and not m["is_history"]]
    return TurnState(
        conversation=conversation,
        message=message,
        settings=await storage.get_settings(uow),
        contact=await get_contact(uow, conversation["contact_id"]),
        history=[(m["author"], m["body"]) for m in messages],
        last_fin_answered=bool(fin_messages and fin_messages[-1]["answered"]),
    )


def escalation(state: TurnState) -> str | None:
    text = state.message["body"]
    if rules.asks_for_human(text):
        return rules.REASON_REQUESTED
    configured = list(state.settings["escalation_rules"] or []) if state.settings else []
    attributes = user_attributes(state.contact) if state.contact else {}
    matched = rules.matching_rule(configured, text, attributes)
    return matched.reason if matched else None


def plain_reply(text: str) -> Answer:
    return Answer(covered=False, text=text, html=answerer.render([text], []), citations=[])


def decide(state: TurnState) -> Outcome | str:
    """The outcome, or the question to answer when the message is one."""
    reason = escalation(state)
    if reason is not None:
        return Outcome(status="escalated", reason=reason)
    if state.last_fin_answered:
        verdict = rules.feedback(state.message["body"])
        if verdict == "positive":
            return Outcome(status="resolved")
        if verdict == "negative":
            count = state.conversation["unhelpful_count"] + 1
            if count >= 2:
                return Outcome(status="escalated", reason=rules.REASON_UNRESOLVED, unhelpful_count=count)
            return Outcome(status="awaiting_user_reply", reply=plain_reply(ASK_FOR_DETAIL), unhelpful_count=count)
    return state.message["body"]


def answered(answer: Answer, stream_id: str | None, unhelpful_count: int) -> Outcome:
    if answer.covered:
        return Outcome(status="awaiting_user_reply", reply=answer, stream_id=stream_id, unhelpful_count=unhelpful_count)
    return Outcome(status="escalated", reply=answer, reason=rules.REASON_ROUTED, stream_id=stream_id)


class Streamer:
    """Sends cumulative `fin_reply_chunk` events, each in its own short transaction, when streaming is on."""

    def __init__(self, state: TurnState, write: Any) -> None:
        self.state = state
        self.write = write
        self.enabled = bool(state.settings and state.settings["streaming"])
        self.stream_id = secrets.token_hex(16) if self.enabled else None
        self.index = 0

    async def send(self, text: str) -> None:
        if not self.enabled or self.stream_id is None:
            return
        event = reply_chunk(self.state.conversation["conversation_id"], self.stream_id, self.index, text)
        self.index += 1
        first = self.index == 1

        async def write(uow: UnitOfWork) -> None:
            if first:
                await storage.update_conversation(uow, self.state.conversation["id"], {"status": "replying"})
            await emit(uow, self.state.settings, event)

        await self.write(write)

    async def replay(self, text: str) -> None:
        """The default answerer has its answer at once; stream it a few words at a time."""
        words = text.split()
        for end in range(CHUNK_WORDS, len(words) + CHUNK_WORDS, CHUNK_WORDS):
            await self.send(" ".join(words[:end]))


async def answer_question(
    config: Settings,
    state: TurnState,
    grounding: answerer.Grounding,
    streamer: Streamer,
    tool_exchange: list[dict[str, Any]] | None = None,
) -> Outcome:
    count = state.conversation["unhelpful_count"]
    # The generative mode answers from the same passages, and only what the answerability model lets
    # through or a connector's result speaks to; the model may still decline.
    if config.fin_generative and (grounding.covered or tool_exchange):
        generated = await llm.generate(config, grounding, state.history, streamer.send, tool_exchange)
        if generated is not None:
            return answered(generated, streamer.stream_id, count)
        streamer.index = 0
    answer = answerer.compose(grounding)
    if answer.covered:
        await streamer.replay(answer.text)
    return answered(answer, streamer.stream_id if answer.covered else None, count)


async def apply(uow: UnitOfWork, state: TurnState, outcome: Outcome, job_id: int) -> None:
    """Write the turn: Fin's message, its events, the new status, a hand-over; finish the job."""
    conversation = state.conversation
    conversation_id = conversation["conversation_id"]
    user_id = conversation["user_id"]
    settings = state.settings
    if outcome.reply is not None:
        now_ms = clock.now_ms()
        message_id = await storage.insert_fin_message(
            uow,
            conversation["id"],
            outcome.reply.html,
            now_ms,
            answered=outcome.reply.covered,
            citations=[{"title": c.title, "url": c.url} for c in outcome.reply.citations],
        )
        event = replied(conversation_id, user_id, message_id, outcome.reply.html, now_ms, outcome.stream_id)
        await emit(uow, settings, event)
    if outcome.status == "escalated":
        await emit(uow, settings, status_updated(conversation_id, user_id, "escalated", outcome.reason))
        fresh = await storage.get_conversation(uow, conversation["id"])
        await hand_over(uow, fresh, outcome.reason or rules.REASON_ROUTED)
        final = "complete"
    elif outcome.status == "resolved":
        await emit(uow, settings, status_updated(conversation_id, user_id, "resolved"))
        final = "complete"
    else:
        final = outcome.status
    await emit(uow, settings, status_updated(conversation_id, user_id, final))
    # Fin is done for now: its SSE streams end (the token is spent), as Intercom revokes it.
    await close_channel_streams(uow, fin_channel(uow.workspace_id, conversation_id))
    await storage.update_conversation(
        uow,
        conversation["id"],
        {"status": final, "unhelpful_count": outcome.unhelpful_count, "updated_at": clock.now()},
    )
    await storage.finish_job(uow, job_id)
