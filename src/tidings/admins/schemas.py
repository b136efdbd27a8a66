from __future__ import annotations

from typing import Any

from tidings.core.paging import CursorPages
from tidings.core.schemas import Out, PlainOut, Request


class AdminOut(Out, tag="admin"):
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


class Avatar(Out, tag="avatar"):
    image_url: str | None


class App(Out, tag="app"):
    id_code: str
    name: str
    region: str
    timezone: str
    created_at: int
    identity_verification: bool = False


class AdminWithApp(Out, tag="admin"):
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


class AdminList(Out, tag="admin.list"):
    admins: list[AdminOut]


class SetAwayRequest(Request):
    away_mode_enabled: bool
    away_mode_reassign: bool
    away_status_reason_id: int | None = None


class PerformedBy(Out, tag="admin"):
    id: str
    email: str
    ip: str


class ActivityLogOut(PlainOut):
    id: str
    performed_by: PerformedBy
    metadata: dict[str, Any]
    created_at: int
    activity_type: str
    activity_description: str | None


class ActivityLogList(Out, tag="activity_log.list"):
    pages: CursorPages
    activity_logs: list[ActivityLogOut]


class ActivityLogEventTypeList(Out, tag="activity_log_event_type.list"):
    event_types: list[str]


class SearchActivityLogsRequest(Request):
    created_at_after: str | None = None
    created_at_before: str | None = None
    event_types: list[str] | None = None
    page: int = 1
    per_page: int = 20
