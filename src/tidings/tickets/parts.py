"""Ticket parts that record a change: who made it (`author_fields`), a state change
(`state_part`) and an assignment (`assignment_part`). Creation, updates and the conversion of a
conversation write them; the parts are `ticket_parts` rows.
"""

from __future__ import annotations

from typing import Any

from tidings.core.uow import UnitOfWork
from tidings.tickets import storage


def author_fields(admin_id: int | None) -> dict[str, Any]:
    return (
        {"author_type": "admin", "author_id": str(admin_id)} if admin_id else {"author_type": "bot", "author_id": None}
    )


async def assignment_part(
    uow: UnitOfWork, ticket_id: int, kind: str, assignee: int | None, actor: dict[str, Any], stamp: dict[str, int]
) -> None:
    assigned_to = {"type": kind, "id": str(assignee)} if assignee else {"type": "nobody_admin", "id": None}
    await storage.insert_part(
        uow, {"ticket_id": ticket_id, "part_type": "assignment", "assigned_to": assigned_to, **actor, **stamp}
    )


async def state_part(
    uow: UnitOfWork, ticket_id: int, previous: Any, state: Any, actor: dict[str, Any], stamp: dict[str, int]
) -> None:
    await storage.insert_part(
        uow,
        {
            "ticket_id": ticket_id,
            "part_type": "ticket_state_updated_by_admin",
            "previous_ticket_state": previous["category"],
            "ticket_state": state["category"],
            **actor,
            **stamp,
        },
    )
