from __future__ import annotations

from typing import Any

import msgspec

from tidings.core import clock
from tidings.core.schemas import UNSET, Request, UnsetType
from tidings.macros.render import body_html, body_text


class MacroOut(msgspec.Struct):
    id: str
    name: str
    body: str
    body_text: str
    created_at: str
    updated_at: str
    visible_to: str
    visible_to_team_ids: list[str]
    available_on: list[str]
    type: str = "macro"

    @classmethod
    def from_row(cls, row: Any) -> MacroOut:
        return cls(
            id=str(row["id"]),
            name=row["name"],
            body=body_html(row["template"]),
            body_text=body_text(row["template"]),
            created_at=clock.iso_millis(row["created_at"]),
            updated_at=clock.iso_millis(row["updated_at"]),
            visible_to=row["visible_to"],
            visible_to_team_ids=[str(t) for t in row["visible_to_team_ids"]],
            available_on=list(row["available_on"]),
        )


class NextPage(msgspec.Struct):
    starting_after: str


class MacroPages(msgspec.Struct):
    per_page: int
    next: NextPage | None
    type: str = "pages"


class MacroList(msgspec.Struct):
    data: list[MacroOut]
    pages: MacroPages
    type: str = "list"


class MacroWrite(Request):
    name: str | UnsetType = UNSET
    # The template as a teammate writes it: text with `{{key}}` / `{{key | fallback: 'x'}}` placeholders.
    body: str | UnsetType = UNSET
    visible_to: str | UnsetType = UNSET
    visible_to_team_ids: list[str] | UnsetType = UNSET
    available_on: list[str] | UnsetType = UNSET
