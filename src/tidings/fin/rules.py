"""Reading a user's message before answering it: a request for a human, an escalation rule, or feedback.

Escalation rules are configured per workspace (`fin_agent_settings.escalation_rules`):

- `{"name": "Refunds", "keywords": ["refund", "chargeback"]}` fires when a user message contains
  any keyword (whole words, case-insensitive);
- `{"name": "Enterprise", "attribute": "plan", "operator": "equals", "value": "enterprise"}` fires
  when the user's attribute (custom attributes, or `email`/`name`) matches. Operators: `equals`,
  `not_equals`, `contains`, `exists`, `greater_than`, `less_than`.

A rule with a name escalates with reason `Escalation rule: {name}`, one without with
`Escalation rule matched`, as Intercom words it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tidings.core.errors import invalid

OPERATORS = frozenset({"equals", "not_equals", "contains", "exists", "greater_than", "less_than"})

REASON_REQUESTED = "Escalation requested by user"
REASON_RULE_MATCHED = "Escalation rule matched"
REASON_ROUTED = "Routed to team"
REASON_UNRESOLVED = "Conversation finished without resolution"

_HUMAN = (
    r"(?:human|person|people|someone|somebody|agent|representative|rep|operator|staff|teammate|"
    r"support(?: team| staff)?|customer service|real person|live (?:chat|agent|person)|manager|supervisor)"
)
# Asking for a person: "talk to a human", "can I speak with someone", "connect me to an agent", "human please".
_HUMAN_REQUEST = re.compile(
    rf"\b(?:talk|speak|chat|connect|transfer|put|get|escalate|hand|pass|reach|contact|want|need|like)\b"
    rf"(?:\W+\w+){{0,4}}?\W+(?:to|with|me|a|an|the|some)?\W*{_HUMAN}\b"
    rf"|^\W*(?:a\s+)?{_HUMAN}\W*(?:please|pls|now)?\W*$"
    rf"|\bescalate\b",
    re.IGNORECASE,
)

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_POSITIVE = frozenset(
    """thanks thank thx ty helped helps helpful solved resolved fixed works worked working perfect great
    awesome excellent brilliant cool ok okay yes yep yeah yup sorted got answered""".split()
)
_NEGATIVE = frozenset(
    """no nope not didn't didnt doesn't doesnt don't dont wrong unhelpful useless neither nor
    still isn't isnt wasn't wasnt""".split()
)
# Feedback is a short message; anything longer is read as a new question.
FEEDBACK_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class Escalation:
    reason: str


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def asks_for_human(text: str) -> bool:
    return bool(_HUMAN_REQUEST.search(text))


def feedback(text: str) -> str | None:
    """`positive` (the answer helped), `negative` (it did not), or None (a new question)."""
    found = words(text)
    if not found or len(found) > FEEDBACK_MAX_WORDS or "?" in text:
        return None
    if any(word in _NEGATIVE for word in found):
        return "negative"
    if any(word in _POSITIVE for word in found):
        return "positive"
    return None


def validate_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules as stored: checked, with empty fields dropped."""
    cleaned: list[dict[str, Any]] = []
    for index, rule in enumerate(rules):
        field = f"escalation_rules[{index}]"
        name = rule.get("name")
        keywords = rule.get("keywords")
        attribute = rule.get("attribute")
        if bool(keywords) == bool(attribute):
            raise invalid("an escalation rule needs either keywords or an attribute", field)
        entry: dict[str, Any] = {"name": name} if name else {}
        if keywords:
            if not all(isinstance(k, str) and k.strip() for k in keywords):
                raise invalid("keywords must be non-empty strings", f"{field}.keywords")
            entry["keywords"] = [k.strip() for k in keywords]
        else:
            operator = rule.get("operator") or "equals"
            if operator not in OPERATORS:
                raise invalid(f"operator must be one of {', '.join(sorted(OPERATORS))}", f"{field}.operator")
            entry |= {"attribute": attribute, "operator": operator}
            if operator != "exists":
                entry["value"] = rule.get("value")
        cleaned.append(entry)
    return cleaned


def _reason(rule: dict[str, Any]) -> str:
    return f"Escalation rule: {rule['name']}" if rule.get("name") else REASON_RULE_MATCHED


def _keywords_match(keywords: list[str], text: str) -> bool:
    lowered = " ".join(words(text))
    return any(re.search(rf"\b{re.escape(' '.join(words(k)))}\b", lowered) for k in keywords if words(k))


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "exists":
        return actual is not None and actual != ""
    if actual is None:
        return operator == "not_equals"
    if operator in ("equals", "not_equals"):
        same = str(actual).casefold() == str(expected).casefold()
        return same if operator == "equals" else not same
    if operator == "contains":
        return str(expected).casefold() in str(actual).casefold()
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return left > right if operator == "greater_than" else left < right


def matching_rule(rules: list[dict[str, Any]], text: str, user_attributes: dict[str, Any]) -> Escalation | None:
    for rule in rules:
        if rule.get("keywords"):
            if _keywords_match(rule["keywords"], text):
                return Escalation(_reason(rule))
        elif _compare(user_attributes.get(rule["attribute"]), rule["operator"], rule.get("value")):
            return Escalation(_reason(rule))
    return None
