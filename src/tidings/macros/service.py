from __future__ import annotations

import base64
from typing import Any

import msgspec

from tidings.core import clock
from tidings.core.errors import TidingsError, found, invalid, missing, not_found
from tidings.core.ids import is_integer_text, parse_numeric_id
from tidings.core.paging import CursorPages, StartingAfter, clamp_per_page, invalid_cursor
from tidings.core.schemas import UNSET, present
from tidings.core.uow import UnitOfWork
from tidings.macros import storage
from tidings.macros.schemas import MacroList, MacroOut, MacroWrite
from tidings.teams import storage as team_storage

VISIBILITIES = ("everyone", "specific_teams")
SURFACES = ("inbox", "messenger")
NAME_LIMIT = 255
TEMPLATE_LIMIT = 65_536
TEAM_LIMIT = 100


def macro_not_found() -> TidingsError:
    return not_found("Macro not found")


async def _admin_team_ids(uow: UnitOfWork) -> set[str]:
    if uow.admin_id is None:
        return set()
    return {str(t["id"]) for t in await team_storage.list_teams(uow) if uow.admin_id in t["admin_ids"]}


def _visible(row: Any, team_ids: set[str]) -> bool:
    return row["visible_to"] == "everyone" or bool(team_ids & {str(t) for t in row["visible_to_team_ids"]})


def encode_cursor(row: Any) -> str:
    """Intercom's shape: base64 of JSON `[updated_at, "id"]`."""
    return base64.b64encode(msgspec.json.encode([float(row["updated_at"]), str(row["id"])])).decode()


def decode_cursor(value: str) -> tuple[int, int]:
    try:
        updated_at, macro_id = msgspec.json.decode(base64.b64decode(value + "=" * (-len(value) % 4), validate=True))
        key = (int(updated_at), int(macro_id))
    except (ValueError, TypeError, msgspec.DecodeError):
        raise invalid_cursor() from None
    return key


def _updated_since(value: str | None) -> int | None:
    if value is None:
        return None
    if not is_integer_text(value) or len(value) > 12:
        raise invalid("Invalid updated_since timestamp", "updated_since")
    return int(value)


async def list_page(
    uow: UnitOfWork, per_page: int | None, starting_after: str | None, updated_since: str | None
) -> MacroList:
    size = clamp_per_page(per_page, 50, 150)
    after = decode_cursor(starting_after) if starting_after else None
    since = _updated_since(updated_since)
    team_ids = await _admin_team_ids(uow)
    visible: list[Any] = []
    # Visibility is per admin, so rows are read in batches until a page (and one more) is visible.
    while len(visible) <= size:
        batch = await storage.macros_after(uow, after, since, 200)
        visible.extend(row for row in batch if _visible(row, team_ids))
        if len(batch) < 200:
            break
        after = (batch[-1]["updated_at"], batch[-1]["id"])
    page = visible[:size]
    following = StartingAfter(per_page=size, starting_after=encode_cursor(page[-1])) if len(visible) > size else None
    return MacroList(data=[MacroOut.from_row(r) for r in page], pages=CursorPages(per_page=size, next=following))


async def get(uow: UnitOfWork, macro_id: str) -> MacroOut:
    numeric = parse_numeric_id(macro_id)
    row = await storage.get_macro(uow, numeric) if numeric else None
    if row is None or not _visible(row, await _admin_team_ids(uow)):
        raise macro_not_found()
    return MacroOut.from_row(row)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        name = values["name"].strip()
        if not name or len(name) > NAME_LIMIT:
            raise invalid(f"name must be 1 to {NAME_LIMIT} characters", "name")
        values["name"] = name
    if "body" in values:
        if not values["body"].strip() or len(values["body"]) > TEMPLATE_LIMIT:
            raise invalid(f"body must be 1 to {TEMPLATE_LIMIT} characters", "body")
        values["template"] = values.pop("body")
    if values.get("visible_to", "everyone") not in VISIBILITIES:
        raise invalid("visible_to must be one of: everyone, specific_teams", "visible_to")
    if len(values.get("visible_to_team_ids", [])) > TEAM_LIMIT:
        raise invalid(f"visible_to_team_ids takes at most {TEAM_LIMIT} teams", "visible_to_team_ids")
    surfaces = values.get("available_on", [])
    if any(s not in SURFACES for s in surfaces):
        raise invalid("available_on must be a subset of: inbox, messenger", "available_on")
    if "available_on" in values:
        values["available_on"] = [s for s in SURFACES if s in surfaces]
    return values


async def create(uow: UnitOfWork, data: MacroWrite) -> MacroOut:
    if data.name is UNSET:
        raise missing("name")
    if data.body is UNSET:
        raise missing("body")
    values = {"visible_to": "everyone", "visible_to_team_ids": [], "available_on": list(SURFACES), **present(data)}
    values = _checked(values)
    now = clock.now()
    macro_id = await storage.insert_macro(uow, {**values, "created_at": now, "updated_at": now})
    return MacroOut.from_row(await storage.get_macro(uow, macro_id))


async def update(uow: UnitOfWork, macro_id: str, data: MacroWrite) -> MacroOut:
    numeric = parse_numeric_id(macro_id)
    row = found(await storage.get_macro(uow, numeric) if numeric else None, macro_not_found())
    values = _checked(present(data))
    await storage.update_macro(uow, row["id"], {**values, "updated_at": max(clock.now(), row["updated_at"] + 1)})
    return MacroOut.from_row(await storage.get_macro(uow, row["id"]))
