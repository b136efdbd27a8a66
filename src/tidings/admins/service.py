from __future__ import annotations

from typing import Any

from tidings.admins import storage
from tidings.admins.activity_types import ACTIVITY_TYPES
from tidings.admins.schemas import (
    ActivityLogEventTypeList,
    ActivityLogList,
    ActivityLogOut,
    AdminList,
    AdminOut,
    AdminWithApp,
    App,
    Avatar,
    PerformedBy,
    SearchActivityLogsRequest,
    SetAwayRequest,
)
from tidings.away_status_reasons import service as away_reasons
from tidings.core import clock
from tidings.core.errors import ADMIN_NOT_FOUND, TidingsError, found, invalid, missing
from tidings.core.ids import is_integer_text, parse_numeric_id, uuid4
from tidings.core.paging import CursorPages, clamp_per_page, cursor_pages, decode_cursor, total_pages
from tidings.core.uow import UnitOfWork
from tidings.core.workspaces import get_workspace
from tidings.teams import storage as team_storage

ACTIVITY_PER_PAGE = 20


def admin_not_found(message: str = "Admin not found") -> TidingsError:
    """`GET /admins/{id}` says "Admin not found", `PUT /admins/{id}/away` "Admin for admin_id not found"."""
    return ADMIN_NOT_FOUND(message)


async def _team_ids_by_admin(uow: UnitOfWork) -> dict[int, list[int]]:
    memberships: dict[int, list[int]] = {}
    for team in await team_storage.list_teams(uow):
        for admin_id in team["admin_ids"]:
            memberships.setdefault(int(admin_id), []).append(int(team["id"]))
    return memberships


async def _row(uow: UnitOfWork, admin_id: str | int, missing: str = "Admin not found") -> Any:
    numeric = parse_numeric_id(admin_id)
    row = found(await storage.get_admin(uow, numeric) if numeric else None, admin_not_found(missing))
    return row


async def get(uow: UnitOfWork, admin_id: str | int) -> AdminOut:
    row = await _row(uow, admin_id)
    teams = await _team_ids_by_admin(uow)
    return AdminOut.from_row(row, teams.get(row["id"], []))


async def list_all(uow: UnitOfWork) -> AdminList:
    teams = await _team_ids_by_admin(uow)
    return AdminList(admins=[AdminOut.from_row(r, teams.get(r["id"], [])) for r in await storage.list_admins(uow)])


async def me(uow: UnitOfWork) -> AdminWithApp:
    if uow.admin_id is None:
        raise ADMIN_NOT_FOUND("This access token is not tied to an admin")
    admin = await get(uow, uow.admin_id)
    workspace = await get_workspace(uow, uow.workspace_id)
    return AdminWithApp(
        id=admin.id,
        name=admin.name,
        email=admin.email,
        job_title=admin.job_title,
        away_mode_enabled=admin.away_mode_enabled,
        away_mode_reassign=admin.away_mode_reassign,
        has_inbox_seat=admin.has_inbox_seat,
        team_ids=admin.team_ids,
        avatar=Avatar(image_url=admin.avatar),
        email_verified=True,
        app=App(
            id_code=workspace["id"],
            name=workspace["name"],
            region=workspace["region"],
            timezone=workspace["timezone"],
            created_at=workspace["created_at"],
        ),
    )


async def create(uow: UnitOfWork, name: str, email: str, job_title: str | None) -> AdminOut:
    if not name.strip():
        raise invalid("name must not be empty", "name")
    if "@" not in email:
        raise invalid("email must be an email address", "email")
    admin_id = await storage.insert_admin(
        uow,
        {"name": name.strip(), "email": email.strip(), "job_title": job_title, "created_at": clock.now()},
    )
    return await get(uow, admin_id)


async def set_away(uow: UnitOfWork, admin_id: str, data: SetAwayRequest) -> AdminOut:
    row = await _row(uow, admin_id, "Admin for admin_id not found")
    await away_reasons.check_choice(uow, data.away_mode_enabled, data.away_status_reason_id)
    await storage.update_admin(
        uow,
        row["id"],
        {
            "away_mode_enabled": data.away_mode_enabled,
            "away_mode_reassign": data.away_mode_reassign,
            "away_status_reason_id": data.away_status_reason_id if data.away_mode_enabled else None,
        },
    )
    actor = uow.admin_id or row["id"]
    actor_row = await storage.get_admin(uow, actor) or row
    await storage.insert_activity(
        uow,
        {
            "id": uuid4(),
            "admin_id": actor,
            "activity_type": "admin_away_mode_change",
            "activity_description": (
                f"{actor_row['name']} changed {row['name']}'s away mode to "
                f"{'away' if data.away_mode_enabled else 'active'}."
            ),
            "metadata": {
                "away_mode": data.away_mode_enabled,
                "reassign_conversations": data.away_mode_reassign,
                "update_by": actor,
                "update_by_name": actor_row["name"],
            },
            "created_at": clock.now(),
        },
    )
    return await get(uow, row["id"])


def _timestamp(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    # 20 characters hold every 64-bit integer; longer text is no timestamp (and int() refuses past 4,300 digits).
    if len(value) > 20 or not is_integer_text(value, signed=True) or not -(2**63) <= int(value) < 2**63:
        raise invalid(f"{field} must be a UNIX timestamp", field)
    return int(value)


async def activity_logs(
    uow: UnitOfWork,
    created_at_after: str | None,
    created_at_before: str | None,
    per_page: int | None,
    starting_after: str | None,
) -> ActivityLogList:
    after = found(_timestamp(created_at_after, "created_at_after"), missing("created_at_after"))
    before = _timestamp(created_at_before, "created_at_before")
    size = clamp_per_page(per_page, ACTIVITY_PER_PAGE, 100)
    cursor = decode_cursor(starting_after)
    rows, total = await storage.activity_page(uow, after, before, cursor.key if cursor else None, size)
    more = len(rows) > size
    rows = rows[:size]
    next_key = [rows[-1]["created_at"], rows[-1]["id"]] if more and rows else None
    return ActivityLogList(
        pages=cursor_pages(cursor.page if cursor else 1, size, total, next_key, last=None),
        activity_logs=await _present_logs(uow, rows),
    )


async def _present_logs(uow: UnitOfWork, rows: list[Any]) -> list[ActivityLogOut]:
    admins = {r["id"]: r for r in await storage.list_admins(uow)}
    logs = []
    for r in rows:
        admin = admins.get(r["admin_id"])
        logs.append(
            ActivityLogOut(
                id=r["id"],
                performed_by=PerformedBy(id=str(r["admin_id"]), email=admin["email"] if admin else "", ip="127.0.0.1"),
                metadata=r["metadata"],
                created_at=r["created_at"],
                activity_type=r["activity_type"],
                activity_description=r["activity_description"],
            )
        )
    return logs


def event_types() -> ActivityLogEventTypeList:
    return ActivityLogEventTypeList(event_types=list(ACTIVITY_TYPES))


async def search_activity_logs(uow: UnitOfWork, data: SearchActivityLogsRequest) -> ActivityLogList:
    after = found(_timestamp(data.created_at_after, "created_at_after"), missing("created_at_after"))
    before = _timestamp(data.created_at_before, "created_at_before")
    if not 1 <= data.per_page <= 250:
        raise invalid("per_page must be between 1 and 250", "per_page")
    if data.page < 1:
        raise invalid("page must be a positive integer", "page")
    unknown = sorted(set(data.event_types or []) - set(ACTIVITY_TYPES))
    if unknown:
        raise invalid(f"Unknown event types: {', '.join(unknown)}", "event_types")
    rows, total = await storage.activity_numbered_page(uow, after, before, data.event_types, data.page, data.per_page)
    return ActivityLogList(
        pages=CursorPages(
            page=data.page, per_page=data.per_page, total_pages=total_pages(total, data.per_page), next=None
        ),
        activity_logs=await _present_logs(uow, rows),
    )
