"""Tag attach and detach, written once for every taggable object.

Contacts, companies, conversations and tickets each keep their taggings in their own table; a
`Taggable` names the three queries on it. `attach` and `detach` are the one check-then-write
sequence over them: the pair (object, tag) is serialised first (`serialise_tagging`), so racing
requests end as if sent one after another. What each area answers, and which events it records,
stays in the area: `attach` says whether it tagged (so the area announces only a new tagging), and
both return the tagging row as the area's `find` reads it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tidings.core import clock
from tidings.core.uow import UnitOfWork

# (uow, object id, tag id) -> the tagging row, or None.
Find = Callable[[UnitOfWork, Any, int], Awaitable[Any]]
# (uow, object id, tag id, applying admin id or None, applied_at).
Insert = Callable[[UnitOfWork, Any, int, int | None, int], Awaitable[None]]
# (uow, object id, tag id).
Delete = Callable[[UnitOfWork, Any, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Taggable:
    kind: str  # the object kind, in the serialisation key
    find: Find
    insert: Insert
    delete: Delete


async def serialise_tagging(uow: UnitOfWork, kind: str, object_id: str | int, tag_id: int) -> None:
    """Tagging is check-then-insert: concurrent taggings of one object with one tag queue here
    (PostgreSQL), so a later one sees the earlier one's row instead of inserting it again (a 500 on
    its key, or a second event). Keyed by the pair, so requests tagging the same objects with other
    tags, in any order, never wait on each other."""
    await uow.serialise("tagging", kind, str(object_id), str(tag_id))


async def attach(
    uow: UnitOfWork, taggable: Taggable, object_id: Any, tag: Any, admin_id: int | None
) -> tuple[Any, bool]:
    """Tag the object (once): (the tagging row, whether this call made it)."""
    await serialise_tagging(uow, taggable.kind, object_id, tag["id"])
    tagging = await taggable.find(uow, object_id, tag["id"])
    if tagging is not None:
        return tagging, False
    await taggable.insert(uow, object_id, tag["id"], admin_id, clock.now())
    return await taggable.find(uow, object_id, tag["id"]), True


async def detach(uow: UnitOfWork, taggable: Taggable, object_id: Any, tag: Any) -> Any:
    """Untag the object: the tagging row it had, or None when it was not tagged (nothing changes)."""
    await serialise_tagging(uow, taggable.kind, object_id, tag["id"])
    tagging = await taggable.find(uow, object_id, tag["id"])
    if tagging is not None:
        await taggable.delete(uow, object_id, tag["id"])
    return tagging
