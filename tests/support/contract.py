"""The contract checker: every response a test receives is validated against the spec.

The spec stays in ../shared/spec; it is read from there, never copied. A response is matched to
its operation by method and path template, then its body is
1. validated against the schema the spec gives for that status (or, for an undocumented error
   status, against the `error` schema), and
2. compared with the spec's example for that operation and status (strict: the spec's object
   schemas declare no `required`, so schema validation alone passes a body with half its fields
   missing). Every key the example carries must be present, recursively into nested objects and
   the first element of arrays, with the same JSON type; null is allowed where the schema allows
   it (step 1 checked that). Where the example's type differs from the type its schema declares,
   the schema wins (step 1 checked it); maps (`additionalProperties` without `properties`, such as
   `custom_attributes`) are checked by the schema only. With several examples, the body must
   match one of them. `EXAMPLE_EXCEPTIONS` lists where an example is not to be followed.

Webhook items get the same comparison (`check_webhook_item`): a topic's item is exactly the
object's GET shape, so it is compared with that GET operation's example.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from tidings.app import create_app

SPEC_PATH = Path(
    os.environ.get(
        "TIDINGS_SPEC",
        Path(__file__).resolve().parents[3] / "shared" / "spec" / "intercom-unstable.openapi.yaml",
    )
)
METHODS = ("get", "put", "post", "delete", "patch")
# When set, shortfalls against the spec's examples are appended to this file (one JSON line each)
# instead of failing the test: how to survey a whole run, e.g. of an older commit.
REPORT_PATH = os.environ.get("TIDINGS_CONTRACT_REPORT")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    literal_segments: int
    responses: dict[str, Any]


@cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open() as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}/?$")


@cache
def operations() -> list[Operation]:
    ops = []
    for template, item in spec()["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            literal = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            ops.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    operation_id=op.get("operationId") or f"{method}:{template}",
                    pattern=_pattern(template),
                    literal_segments=literal,
                    responses=op.get("responses", {}),
                )
            )
    # A literal segment beats a template one: /contacts/search before /contacts/{id}.
    ops.sort(key=lambda o: -o.literal_segments)
    return ops


def operation_ids() -> set[str]:
    return {o.operation_id for o in operations()}


def find_operation(method: str, path: str) -> Operation | None:
    for op in operations():
        if op.method == method.upper() and op.pattern.match(path):
            return op
    return None


@cache
def _validator(operation_id: str, status: str) -> OAS30Validator | None:
    op = next(o for o in operations() if o.operation_id == operation_id)
    response = op.responses.get(status)
    if response is None:
        if int(status) >= 400:
            return _schema_validator({"$ref": "#/components/schemas/error"})
        raise AssertionError(f"{operation_id}: status {status} is not documented in the spec")
    if "$ref" in response:
        response = spec()["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = (response.get("content") or {}).get("application/json")
    if not content or "schema" not in content:
        return None
    return _schema_validator(content["schema"])


def _schema_validator(schema: dict[str, Any]) -> OAS30Validator:
    root = {**_nullable_refs(schema), "components": _components()}
    return OAS30Validator(root)


@cache
def _components() -> dict[str, Any]:
    components = _nullable_refs(spec()["components"])
    for schema, prop, _ in NULLABLE_EXCEPTIONS:
        properties = components["schemas"][schema]["properties"]
        properties[prop] = _nullable_refs({**properties[prop], "nullable": True})
    return components


# (schema, property, reason): properties the spec's examples send as null although the schema
# does not say nullable.
NULLABLE_EXCEPTIONS = [
    ("conversation", "ai_topics", "the spec's conversation examples send null when there are no topics"),
]


def _nullable_refs(node: Any) -> Any:
    """`{$ref, nullable: true}` as the spec means it: the referenced schema, or null. (OpenAPI 3.0
    ignores a `$ref`'s siblings, so a validator would refuse the null the spec's examples show.)"""
    if isinstance(node, list):
        return [_nullable_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and node.get("nullable"):
        return {"anyOf": [{"$ref": node["$ref"]}, {"enum": [None]}]}
    return {key: _nullable_refs(value) for key, value in node.items()}


class ContractError(AssertionError):
    pass


# Operations answering conversations, and where in their body the conversation is.
CONVERSATION_BODIES = [
    *[(op, "") for op in ("retrieveConversation", "updateConversation", "replyConversation", "manageConversation")],
    *[(op, "") for op in ("redactConversation", "attachContactToConversation", "autoAssignConversation")],
    *[(op, "conversations[].") for op in ("listConversations", "searchConversations")],
]
TICKET_BODIES = [
    *[(op, "") for op in ("getTicket", "updateTicket", "createTicket", "changeTicketType")],
    ("convertConversationToTicket", ""),
    ("searchTickets", "tickets[]."),
]
# (operation id or "*", path in the body, reason): keys of the spec's example not to be required.
# A path is dotted keys, `[]` for "an element of the array": "conversation_parts.conversation_parts[].assigned_to".
EXAMPLE_EXCEPTIONS: list[tuple[str, str, str]] = [
    ("listCompaniesForAContact", "data", "the example says `data`; the schema and both SDKs read `companies`"),
    ("scrollOverAllCompanies", "scroll_param", "the scroll's last (empty) page has none: the SDKs stop on it"),
    ("createExternalPage", "url", "a page created without a URL has none, and the schema does not allow null"),
    ("getExternalPage", "url", "a page created without a URL has none, and the schema does not allow null"),
    ("updateExternalPage", "url", "a page created without a URL has none, and the schema does not allow null"),
    ("listExternalPages", "data[].url", "a page created without a URL has none, and the schema does not allow null"),
    ("updateDataAttribute", "options", "only list attributes have options, and the schema does not allow null"),
    ("RetrieveWhatsAppMessageStatus", "message", "its 400 example alone is a flat `error`; tidings answers error.list"),
    *[
        (op, path, "only text blocks (paragraph, heading) carry text; a list or image block has none")
        for op, path in (
            ("createContentSnippet", "json_blocks[].text"),
            ("getContentSnippet", "json_blocks[].text"),
            ("updateContentSnippet", "json_blocks[].text"),
            ("listContentSnippets", "data[].json_blocks[].text"),
        )
    ],
    ("lisDataEvents", "pages.next", "only while more events follow (the example is a first page of several)"),
    *[
        (op, "newsfeed_assignments[].published_at", "absent until the item goes live; the schema has no null")
        for op in ("createNewsItem", "retrieveNewsItem", "updateNewsItem", "listNewsItems")
    ],
    *[
        (op, path, "only string (multiline) and list (list_items) attributes have input options; not nullable")
        for op in ("createTicketTypeAttribute", "updateTicketTypeAttribute")
        for path in ("input_options", "input_options.multiline")
    ],
    *[
        (op, f"{prefix}{key}", reason)
        for op, prefix in TICKET_BODIES
        for key, reason in (
            ("ticket_parts.ticket_parts[].app_package_code", "the schema: absent unless an API app made the part"),
            ("ticket_parts.ticket_parts[].ticket_state", "only parts that change the ticket's state carry it"),
            ("ticket_parts.ticket_parts[].previous_ticket_state", "only parts that change the ticket's state carry it"),
            ("snoozed_until", "absent unless snoozed: the schema's text says null, its type does not allow it"),
            ("ticket_state_internal_label", "not in the ticket schema nor in the SDKs' Ticket model"),
            ("ticket_state_external_label", "not in the ticket schema nor in the SDKs' Ticket model"),
        )
    ],
    *[
        (op, f"{prefix}{key}", "an author with no email address (a lead, a bot) has none; the schema has no null")
        for op, prefix in CONVERSATION_BODIES
        for key in ("source.author.email", "conversation_parts.conversation_parts[].author.email")
    ],
    ("startFinConversation", "sse_subscription_url", "only sent where the workspace streams Fin's answers by SSE"),
    ("replyToFin", "sse_subscription_url", "only sent where the workspace streams Fin's answers by SSE"),
    *[
        (op, f"activity_logs[].metadata.{key}", "metadata's keys depend on the activity type")
        for op in ("listActivityLogs", "searchActivityLogs")
        for key in ("before", "after")
    ],
    (
        "getWhatsAppMessageStatus",
        "message",
        "its error example is not the error.list every other operation answers",
    ),
    *[
        (op, f"{prefix}{key}", "not in the conversation schema nor in the SDKs' Conversation model")
        for op, prefix in CONVERSATION_BODIES
        for key in ("topics", "ticket")
    ],
]


def _exempt(operation_id: str, where: str) -> bool:
    return any(op in ("*", operation_id) and where == path for op, path, _ in EXAMPLE_EXCEPTIONS)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _resolve(schema: Any) -> dict[str, Any]:
    """The schema with its `$ref` followed and its `allOf` members merged (enough to find keys)."""
    if not isinstance(schema, dict):
        return {}
    while "$ref" in schema:
        schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for member in schema["allOf"]:
            part = _resolve(member)
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged.setdefault("type", part.get("type"))
        return merged
    return schema


def _variants(schema: Any) -> list[dict[str, Any]]:
    schema = _resolve(schema)
    members = schema.get("anyOf") or schema.get("oneOf")
    return [v for m in members for v in _variants(m)] if members else [schema]


def _property(schema: Any, key: str) -> Any:
    for variant in _variants(schema):
        if key in (variant.get("properties") or {}):
            return variant["properties"][key]
    return None


def _items(schema: Any) -> Any:
    return next((v["items"] for v in _variants(schema) if "items" in v), None)


def _is_map(schema: Any) -> bool:
    variants = _variants(schema)
    return any(v.get("additionalProperties") not in (None, False) and not v.get("properties") for v in variants)


def _declares_type(schema: Any) -> bool:
    return schema is not None and all("type" in v for v in _variants(schema))


def example_mismatches(operation_id: str, schema: Any, example: Any, actual: Any, where: str = "") -> list[str]:
    """Where `actual` falls short of `example`: a key missing, or a JSON type that differs."""
    if example is None or actual is None:
        return []  # null where the example has a value was validated against the schema
    if _json_type(example) != _json_type(actual):
        if _declares_type(schema):
            return []
        return [f"{where or '<root>'}: {_json_type(actual)} where the example has {_json_type(example)}"]
    if isinstance(example, list):
        if not example or not actual:
            return []
        return example_mismatches(operation_id, _items(schema), example[0], actual[0], f"{where}[]")
    if not isinstance(example, dict) or _is_map(schema):
        return []
    problems = []
    for key, value in example.items():
        path = f"{where}.{key}" if where else key
        if key not in actual:
            if not _exempt(operation_id, path):
                problems.append(f"{path}: missing (the example has {_json_type(value)})")
            continue
        problems += example_mismatches(operation_id, _property(schema, key), value, actual[key], path)
    return problems


def _response_content(op: Operation, status: str) -> dict[str, Any]:
    response = op.responses.get(status) or {}
    if "$ref" in response:
        response = spec()["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return (response.get("content") or {}).get("application/json") or {}


def _examples(content: dict[str, Any]) -> list[Any]:
    if "example" in content:
        return [content["example"]]
    return [e["value"] for e in (content.get("examples") or {}).values() if "value" in e]


def check_against_examples(op: Operation, status: str, document: Any, what: str) -> None:
    content = _response_content(op, status)
    examples = _examples(content)
    if not examples:
        return
    attempts = [example_mismatches(op.operation_id, content.get("schema"), e, document) for e in examples]
    if all(attempts):
        closest = min(attempts, key=len)
        if REPORT_PATH:
            with open(REPORT_PATH, "a") as report:
                report.write(json.dumps({"what": what, "problems": closest}) + "\n")
            return
        details = "\n".join(f"  {p}" for p in closest[:15])
        raise ContractError(f"{what} falls short of the spec's example:\n{details}")


# The GET operation whose 200 body a webhook item of this `type` must have the shape of.
WEBHOOK_ITEM_SHAPES = {
    "company": "RetrieveACompanyById",
    "contact": "ShowContact",
    "conversation": "retrieveConversation",
    "ticket": "getTicket",
}
# Topics whose item is an event-only shape, not an object's GET shape (one line of reason each).
EVENT_ONLY_TOPICS = {
    "company.deleted": "the item of a deleted object is its reference ({type, id})",
    "conversation.deleted": "the item of a deleted object is its reference ({type, id})",
    "contact.deleted": "the item is the deleteContact answer ({type, id, external_id, deleted})",
    "contact.archived": "the item is the contact's reference ({type, id, external_id})",
    "contact.unarchive": "the item is the contact's reference ({type, id, external_id})",
    "contact.subscribed": "the item is the contact's reference with the subscription type",
    "contact.unsubscribed": "the item is the contact's reference with the subscription type",
}


def check_webhook_item(topic: str, item: Any) -> None:
    """A topic's item has its object's GET shape (topics carrying tagging records are left to their tests)."""
    if topic in EVENT_ONLY_TOPICS or ".tag." in topic or not isinstance(item, dict):
        return
    operation_id = WEBHOOK_ITEM_SHAPES.get(item.get("type"))
    if operation_id is None:
        return
    op = next(o for o in operations() if o.operation_id == operation_id)
    validator = _validator(operation_id, "200")
    errors = list(validator.iter_errors(item)) if validator else []
    if errors:
        raise ContractError(f"webhook {topic}: item does not match {operation_id}: {errors[0].message[:300]}")
    check_against_examples(op, "200", item, f"webhook {topic} item (shape of {operation_id})")


def check_response(method: str, path: str, status: int, body: bytes) -> str | None:
    """Validate one response; returns the operation id matched, or None for paths outside the spec."""
    if method.upper() in ("HEAD", "OPTIONS"):
        if body:
            raise ContractError(f"{method} {path} answered {status} with a body")
        return None
    if path.startswith("/_tidings/"):
        if status >= 400:
            _check_error_envelope(json.loads(body), f"{method} {path}")
        return None
    op = find_operation(method, path)
    if op is None:
        if status >= 400:
            _check_error_envelope(json.loads(body), f"{method} {path}")
            return None
        raise ContractError(f"{method} {path} answered {status} but matches no operation in the spec")
    validator = _validator(op.operation_id, str(status))
    if status >= 400 and _own_error_shape(op, status):
        _check_own_error(json.loads(body), op.operation_id)
        return op.operation_id
    if status >= 400:
        _check_error_envelope(json.loads(body), op.operation_id)
    if validator is None:
        return op.operation_id
    if not body.strip():
        raise ContractError(f"{op.operation_id} {status}: empty body where the spec documents one")
    document = json.loads(body)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        details = "\n".join(f"  at {'/'.join(map(str, e.path)) or '<root>'}: {e.message[:300]}" for e in errors[:10])
        raise ContractError(f"{op.operation_id} {status} does not match the spec:\n{details}")
    check_against_examples(op, str(status), document, f"{op.operation_id} {status}")
    return op.operation_id


def _own_error_shape(op: Operation, status: int) -> bool:
    """Whether the spec documents this error in an operation's own shape rather than `error.list`
    (Switch: `{"error_key", "message"}`)."""
    response = op.responses.get(str(status)) or {}
    examples = ((response.get("content") or {}).get("application/json") or {}).get("examples") or {}
    return any(isinstance(e.get("value"), dict) and "error_key" in e["value"] for e in examples.values())


def _check_own_error(document: Any, where: str) -> None:
    """The operation's own shape; or `error.list`, which such operations still use for what is refused
    before they run (authentication, a body that is not JSON), as the 401 examples show."""
    if isinstance(document, dict) and isinstance(document.get("error_key"), str):
        return
    _check_error_envelope(document, where)


def _check_error_envelope(document: Any, where: str) -> None:
    ok = (
        isinstance(document, dict)
        and document.get("type") == "error.list"
        and isinstance(document.get("request_id"), str)
        and isinstance(document.get("errors"), list)
        and document["errors"]
        and all(isinstance(e, dict) and isinstance(e.get("code"), str) for e in document["errors"])
    )
    if not ok:
        raise ContractError(f"{where}: error body is not Intercom's error.list envelope: {document!r}")


def served_operation_ids() -> set[str]:
    """The operation ids of the Intercom API routes the app registers (not tidings' own `/_tidings`, nor
    the teammates' web inbox under `/inbox`)."""
    ids = set()
    for route in create_app().routes:
        if route.path.startswith(("/_tidings", "/inbox")):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.operation_id:
                ids.add(str(handler.operation_id))
    return ids
