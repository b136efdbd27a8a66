"""Data connectors as Fin's tools (generative mode only; the default answerer ignores them).

Before answering, the workspace's live connectors meant for Fin (`direct_fin_usage`) whose audience
includes the user are offered to the model as tools: name and description, the connector's inputs as
the parameters. Each tool call runs the connector (`tidings.data_connectors.executor`: the real HTTP
request, guarded like webhooks), is recorded as an execution result, and its answer goes back to the
model, which writes the reply from it. A turn done again after a restart calls the connectors again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tidings.config import Settings
from tidings.core.uow import UnitOfWork
from tidings.data_connectors import executor
from tidings.data_connectors import storage as connector_storage
from tidings.fin import llm
from tidings.fin.answerer import Grounding

log = logging.getLogger("tidings.fin")

TOOL_PREFIX = "data_connector_"
MAX_TOOL_CALLS = 4
RESULT_CHARS = 8000
JSON_TYPES = {"string": "string", "integer": "integer", "decimal": "number", "boolean": "boolean"}
AUDIENCE_OF_ROLE = {"user": "users", "lead": "leads"}

Work = Callable[[Callable[[UnitOfWork], Awaitable[Any]]], Awaitable[Any]]


def tool_of(connector: Any) -> dict[str, Any]:
    inputs = connector["data_inputs"]
    parameters = {
        "type": "object",
        "properties": {
            i["name"]: {"type": JSON_TYPES[i["type"]], "description": i["description"] or ""} for i in inputs
        },
        "required": [i["name"] for i in inputs if i["required"]],
    }
    description = connector["name"] + (f": {connector['description']}" if connector["description"] else "")
    return {
        "type": "function",
        "function": {"name": f"{TOOL_PREFIX}{connector['id']}", "description": description, "parameters": parameters},
    }


def _arguments(call: dict[str, Any]) -> dict[str, Any]:
    try:
        arguments = json.loads(call.get("function", {}).get("arguments") or "{}")
    except ValueError:
        return {}
    return arguments if isinstance(arguments, dict) else {}


async def consult(config: Settings, state: Any, grounding: Grounding, read: Work, write: Work) -> list[dict[str, Any]]:
    """The model's tool calls and their results, as messages for the answering prompt; [] when no
    connector is offered or the model calls none."""
    if not config.fin_generative or state.contact is None:
        return []
    audience = AUDIENCE_OF_ROLE.get(state.contact["role"])
    connectors = [c for c in await read(connector_storage.fin_connectors) if audience in c["audiences"]]
    if not connectors:
        return []
    try:
        message = await llm.complete(config, llm.prompt(grounding, state.history), [tool_of(c) for c in connectors])
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("offering data connectors failed (%s); answering without them", exc)
        return []
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)][:MAX_TOOL_CALLS]
    if not calls:
        return []
    by_tool = {f"{TOOL_PREFIX}{c['id']}": c for c in connectors}
    exchange: list[dict[str, Any]] = [{"role": "assistant", "content": message.get("content"), "tool_calls": calls}]
    for call in calls:
        connector = by_tool.get(call.get("function", {}).get("name"))
        exchange.append(
            {"role": "tool", "tool_call_id": call.get("id"), "content": await _run(state, connector, call, write)}
        )
    return exchange


async def _run(state: Any, connector: Any, call: dict[str, Any], write: Work) -> str:
    if connector is None:
        return "There is no such tool."
    outcome = await executor.perform(connector, _arguments(call))
    conversation = state.conversation

    async def keep(uow: UnitOfWork) -> int:
        return await executor.record(
            uow, connector, outcome, "fin", conversation["conversation_id"], conversation["user_id"]
        )

    await write(keep)
    if not outcome.success:
        return f"The request failed: {outcome.error_message}"
    return (outcome.response_body or "")[:RESULT_CHARS]
