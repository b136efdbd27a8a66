from __future__ import annotations

from tidings.away_status_reasons import storage
from tidings.away_status_reasons.schemas import (
    AwaySettings,
    AwaySettingsOut,
    AwayStatusReasonOut,
    CreateAwayStatusReason,
)
from tidings.core import clock
from tidings.core.errors import AWAY_STATUS_REASON_MANDATORY, found, invalid, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.uow import UnitOfWork

LABEL_LIMIT = 255
EMOJI_LIMIT = 32


async def list_all(uow: UnitOfWork) -> list[AwayStatusReasonOut]:
    """Every reason, deleted ones included (as Intercom lists them), in display order."""
    return [AwayStatusReasonOut.from_row(row) for row in await storage.list_reasons(uow)]


async def create(uow: UnitOfWork, data: CreateAwayStatusReason) -> AwayStatusReasonOut:
    label, emoji = data.label.strip(), data.emoji.strip()
    if not label or len(label) > LABEL_LIMIT:
        raise invalid(f"label must be 1 to {LABEL_LIMIT} characters", "label")
    if not emoji or len(emoji) > EMOJI_LIMIT:
        raise invalid(f"emoji must be 1 to {EMOJI_LIMIT} characters", "emoji")
    if data.order is not None and not 0 <= data.order < 2**31:
        raise invalid("order must be a non-negative integer", "order")
    now = clock.now()
    order = data.order if data.order is not None else await storage.next_order(uow)
    reason_id = await storage.insert_reason(
        uow, {"label": label, "emoji": emoji, "order": order, "deleted": False, "created_at": now, "updated_at": now}
    )
    return AwayStatusReasonOut.from_row(await storage.get_reason(uow, reason_id))


async def soft_delete(uow: UnitOfWork, reason_id: str) -> AwayStatusReasonOut:
    numeric = parse_numeric_id(reason_id)
    row = found(await storage.get_reason(uow, numeric) if numeric else None, not_found("Away status reason not found"))
    await storage.update_reason(uow, row["id"], {"deleted": True, "updated_at": clock.now()})
    return AwayStatusReasonOut.from_row(await storage.get_reason(uow, row["id"]))


async def update_settings(uow: UnitOfWork, data: AwaySettings) -> AwaySettingsOut:
    await storage.set_reason_mandatory(uow, data.reason_mandatory)
    return AwaySettingsOut(reason_mandatory=data.reason_mandatory)


async def check_choice(uow: UnitOfWork, away: bool, reason_id: int | None) -> None:
    """What `PUT /admins/{id}/away` may set: a live reason of this workspace, required when the
    workspace makes reasons mandatory and the admin goes away."""
    if reason_id is None:
        if away and await storage.reason_mandatory(uow):
            raise AWAY_STATUS_REASON_MANDATORY()
        return
    row = found(
        await storage.get_reason(uow, reason_id) if 0 < reason_id < 2**63 else None,
        invalid("Away status reason not found", "away_status_reason_id"),
    )
    if row["deleted"]:
        raise invalid("Away status reason is deleted", "away_status_reason_id")
