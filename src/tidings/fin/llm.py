"""Generative mode: an OpenAI-compatible chat-completions endpoint writes the answer from the passages.

The model sees only the retrieved passages (numbered, with titles) and the conversation so far,
and is told to answer from them alone or to reply `NO_ANSWER`. The reply is streamed; every
delta is reported as the cumulative text so far. Any failure (connection, HTTP status, timeout,
malformed stream) returns None, and the caller falls back to the default answerer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tidings.config import Settings
from tidings.fin.answerer import Answer, Grounding, citations_of, not_covered, render

log = logging.getLogger("tidings.fin")

NO_ANSWER = "NO_ANSWER"
PASSAGES_IN_PROMPT = 6
SYSTEM_PROMPT = (
    "You are Fin, a customer support agent. Answer the user's last message using ONLY the numbered "
    "passages below and the results of any tools you called. Be brief (at most three sentences) and do "
    "not mention the passages or tools. If they do not contain the answer, reply with exactly "
    f"{NO_ANSWER} and nothing else."
)

OnText = Callable[[str], Awaitable[None]]


def prompt(grounding: Grounding, history: list[tuple[str, str]]) -> list[dict[str, Any]]:
    sources = "\n\n".join(
        f"[{i}] {p.title}{' — ' + p.heading if p.heading else ''}\n{p.text}"
        for i, p in enumerate(grounding.passages[:PASSAGES_IN_PROMPT], start=1)
    )
    messages: list[dict[str, Any]] = [{"role": "system", "content": f"{SYSTEM_PROMPT}\n\nPassages:\n{sources}"}]
    for author, body in history:
        messages.append({"role": "user" if author == "user" else "assistant", "content": body})
    messages.append({"role": "user", "content": grounding.question})
    return messages


def _headers(config: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.llm_api_key}"} if config.llm_api_key else {}


async def complete(config: Settings, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One non-streamed completion offering `tools`: the model's message (its `tool_calls`, if any)."""
    body = {"model": config.llm_model, "messages": messages, "tools": tools, "temperature": 0}
    url = config.llm_base_url.rstrip("/") + "/chat/completions"
    async with httpx.AsyncClient(timeout=config.llm_timeout_seconds) as client:
        response = await client.post(url, json=body, headers=_headers(config))
        response.raise_for_status()
        message = response.json()["choices"][0]["message"]
    if not isinstance(message, dict):
        raise ValueError("the completion's message is not an object")
    return message


async def stream_completion(config: Settings, messages: list[dict[str, Any]], on_text: OnText) -> str:
    headers = _headers(config)
    body = {"model": config.llm_model, "messages": messages, "stream": True, "temperature": 0}
    url = config.llm_base_url.rstrip("/") + "/chat/completions"
    text = ""
    async with (
        httpx.AsyncClient(timeout=config.llm_timeout_seconds) as client,
        client.stream("POST", url, json=body, headers=headers) as response,
    ):
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            delta = json.loads(data)["choices"][0].get("delta", {}).get("content") or ""
            if delta:
                text += delta
                if not NO_ANSWER.startswith(text.strip()):
                    await on_text(text)
    return text.strip()


async def generate(
    config: Settings,
    grounding: Grounding,
    history: list[tuple[str, str]],
    on_text: OnText,
    tool_exchange: list[dict[str, Any]] | None = None,
) -> Answer | None:
    """The model's answer, `not_covered()` when it declines, None when the endpoint failed.
    `tool_exchange` is the model's tool calls and their results (`tidings.fin.tools`), if any."""
    if not grounding.passages and not tool_exchange:
        return not_covered()
    try:
        async with asyncio.timeout(config.llm_timeout_seconds):
            text = await stream_completion(config, prompt(grounding, history) + (tool_exchange or []), on_text)
    except (TimeoutError, httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("generative answer failed (%s); using the default answerer", exc)
        return None
    if not text or text.startswith(NO_ANSWER):
        return not_covered()
    citations = citations_of(grounding)
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return Answer(covered=True, text=text, html=render(paragraphs, citations), citations=citations)
