"""Finding a contact by path id, with Intercom's 404, for every area that acts on one contact."""

from __future__ import annotations

from typing import Any

from tidings.contacts import storage
from tidings.core.errors import USER_NOT_FOUND, TidingsError, found
from tidings.core.uow import UnitOfWork


def contact_not_found() -> TidingsError:
    return USER_NOT_FOUND()


async def live_row(uow: UnitOfWork, contact_id: str) -> Any:
    """The contact (not merged away), or Intercom's 404."""
    row = found(await storage.find_contact(uow, id=contact_id), contact_not_found())
    return row
