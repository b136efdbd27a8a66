"""Fin Agent API bodies (spec: /fin/start, /fin/reply, fin_agent_*) and the management API's Fin settings.

Request fields are all optional at the decoding layer so that a missing one is reported with the
spec's own message ("conversation_id is required", code `parameter_invalid`) by the service.
"""

from __future__ import annotations

from typing import Any

from tidings.core.schemas import UNSET, Out, PlainOut, Request, UnsetType


class FinMessageIn(Request):
    author: str | UnsetType = UNSET
    body: str | UnsetType = UNSET
    timestamp: str | UnsetType = UNSET


class FinUserIn(Request):
    id: str | int | UnsetType = UNSET
    name: str | None | UnsetType = UNSET
    email: str | None | UnsetType = UNSET
    attributes: dict[str, Any] | None | UnsetType = UNSET


class FinAttachmentIn(Request):
    type: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    content_type: str | UnsetType = UNSET
    data: str | UnsetType = UNSET


class FinConversationMetadataIn(Request):
    history: list[FinMessageIn] | None | UnsetType = UNSET
    attributes: dict[str, Any] | None | UnsetType = UNSET


class FinReplyRequest(Request):
    conversation_id: str | int | UnsetType = UNSET
    message: FinMessageIn | UnsetType = UNSET
    user: FinUserIn | UnsetType = UNSET
    attachments: list[FinAttachmentIn] | None | UnsetType = UNSET


class FinStartRequest(FinReplyRequest):
    conversation_metadata: FinConversationMetadataIn | None | UnsetType = UNSET


class FinStatusOut(PlainOut):
    """The synchronous answer of /fin/start and /fin/reply."""

    conversation_id: str
    user_id: str
    status: str
    created_at_ms: str
    sse_subscription_url: str | UnsetType = UNSET
    errors: dict[str, Any] | UnsetType = UNSET


# Management API: PUT /_tidings/v1/workspaces/{ws}/fin_agent_settings.
DEFAULT_INACTIVITY_MESSAGE = "Is there anything else I can help you with?"


class EscalationRule(Request):
    """Either `keywords` (any of them in a user message) or an `attribute` condition on the user."""

    name: str | None = None
    keywords: list[str] | None = None
    attribute: str | None = None
    operator: str | None = None
    value: Any = None


class FinSettingsUpdate(Request):
    webhook_url: str | None | UnsetType = UNSET
    webhook_secret: str | None | UnsetType = UNSET
    sse_enabled: bool | UnsetType = UNSET
    streaming: bool | UnsetType = UNSET
    escalation_rules: list[EscalationRule] | None | UnsetType = UNSET
    inactivity_timeout_seconds: int | UnsetType = UNSET
    inactivity_message: str | None | UnsetType = UNSET


class FinSettingsOut(Out, tag="fin_agent_settings"):
    webhook_url: str | None
    webhook_secret: str
    sse_enabled: bool
    streaming: bool
    escalation_rules: list[dict[str, Any]]
    inactivity_timeout_seconds: int
    inactivity_message: str

    @classmethod
    def from_row(cls, row: Any) -> FinSettingsOut:
        return cls(
            webhook_url=row["webhook_url"],
            webhook_secret=row["webhook_secret"],
            sse_enabled=bool(row["sse_enabled"]),
            streaming=bool(row["streaming"]),
            escalation_rules=list(row["escalation_rules"] or []),
            inactivity_timeout_seconds=int(row["inactivity_timeout_seconds"]),
            inactivity_message=row["inactivity_message"] or DEFAULT_INACTIVITY_MESSAGE,
        )
