from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import Out, PlainOut, Request


class Translation(PlainOut):
    name: str
    description: str
    locale: str


class SubscriptionTypeOut(Out, tag="subscription"):
    id: str
    state: str
    consent_type: str
    default_translation: Translation
    translations: list[Translation]
    content_types: list[str]

    @classmethod
    def from_row(cls, row: Any) -> SubscriptionTypeOut:
        translation = Translation(name=row["name"], description=row["description"], locale=row["locale"])
        return cls(
            id=str(row["id"]),
            state=row["state"],
            consent_type=row["consent_type"],
            default_translation=translation,
            translations=[translation],
            content_types=list(row["content_types"]),
        )


class SubscriptionTypeList(Out, tag="list"):
    data: list[SubscriptionTypeOut]


class AttachSubscriptionRequest(Request):
    id: str | int | None = None
    consent_type: str | None = None


class CreateSubscriptionType(Request):
    """Management API body."""

    name: str
    description: str = ""
    consent_type: str = "opt_out"
    content_types: list[str] = msgspec.field(default_factory=lambda: ["email"])
    locale: str = "en"
    state: str = "live"
