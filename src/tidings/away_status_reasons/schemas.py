from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import Request


class AwayStatusReasonOut(msgspec.Struct):
    id: str
    label: str
    emoji: str
    order: int
    deleted: bool
    created_at: int
    updated_at: int
    type: str = "away_status_reason"

    @classmethod
    def from_row(cls, row: Any) -> AwayStatusReasonOut:
        return cls(
            id=str(row["id"]),
            label=row["label"],
            emoji=row["emoji"],
            order=row["order"],
            deleted=row["deleted"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


class CreateAwayStatusReason(Request):
    label: str
    emoji: str
    order: int | None = None


class AwaySettings(Request):
    reason_mandatory: bool


class AwaySettingsOut(msgspec.Struct):
    reason_mandatory: bool
    type: str = "away_settings"
