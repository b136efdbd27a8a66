from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import Request


class AdminOut(msgspec.Struct):
    id: str
    name: str
    email: str
    job_title: str
    away_mode_enabled: bool
    away_mode_reassign: bool
    away_status_reason_id: int | None
    has_inbox_seat: bool
    team_ids: list[int]
    avatar: str | None
    type: str = "admin"

    @classmethod
    def from_row(cls, row: Any, team_ids: list[int]) -> AdminOut:
        return cls(
            id=str(row["id"]),
            name=row["name"],
            email=row["email"],
            job_title=row["job_title"] or "",
            away_mode_enabled=row["away_mode_enabled"],
            away_mode_reassign=row["away_mode_reassign"],
            away_status_reason_id=row["away_status_reason_id"],
            has_inbox_seat=row["has_inbox_seat"],
            team_ids=team_ids,
            avatar=row["avatar_url"],
        )


class Avatar(msgspec.Struct):
    image_url: str | None
    type: str = "avatar"


class App(msgspec.Struct):
    id_code: str
    name: str
    region: str
    timezone: str
    created_at: int
    identity_verification: bool = False
    type: str = "app"


class AdminWithApp(msgspec.Struct):
    id: str
    name: str
    email: str
    job_title: str
    away_mode_enabled: bool
    away_mode_reassign: bool
    has_inbox_seat: bool
    team_ids: list[int]
    avatar: Avatar
    email_verified: bool
    app: App
    type: str = "admin"


class AdminList(msgspec.Struct):
    admins: list[AdminOut]
    type: str = "admin.list"


class SetAwayRequest(Request):
    away_mode_enabled: bool
    away_mode_reassign: bool
    away_status_reason_id: int | None = None


class PerformedBy(msgspec.Struct):
    id: str
    email: str
    ip: str
    type: str = "admin"


class ActivityLogOut(msgspec.Struct):
    id: str
    performed_by: PerformedBy
    metadata: dict[str, Any]
    created_at: int
    activity_type: str
    activity_description: str | None


class ActivityLogList(msgspec.Struct):
    pages: dict[str, Any]
    activity_logs: list[ActivityLogOut]
    type: str = "activity_log.list"


class ActivityLogEventTypeList(msgspec.Struct):
    event_types: list[str]
    type: str = "activity_log_event_type.list"


class SearchActivityLogsRequest(Request):
    created_at_after: str | None = None
    created_at_before: str | None = None
    event_types: list[str] | None = None
    page: int = 1
    per_page: int = 20
