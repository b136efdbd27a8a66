"""Bulk tagging: `POST /tags` with `users` and `companies` (createTag).

A use case above three areas: it saves the tag (`tags.service`), then tags or, with
`"untag": true`, untags each company and user the request lists, through the companies' and
contacts' own `tag_by_reference`. Living here, not in `tags/service.py`, is what keeps the
import graph acyclic: the contacts and companies services import `tags.service` (to resolve
tags) and `tags.tagging` (to tag), and only this module imports them.
"""

from __future__ import annotations

from typing import Any

from tidings.companies import service as company_service
from tidings.contacts import service as contact_service
from tidings.core.errors import invalid
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.tags import service
from tidings.tags.schemas import CreateOrUpdateTagRequest, TagOut


async def create_or_update(uow: UnitOfWork, data: CreateOrUpdateTagRequest) -> TagOut:
    row = await service.save(uow, data)
    await _tag_in_bulk(uow, row, data)
    return TagOut.from_row(row)


async def _tag_in_bulk(uow: UnitOfWork, tag: Any, data: CreateOrUpdateTagRequest) -> None:
    """Tag (or, with `"untag": true`, untag) the companies and users the request lists."""
    for field, apply in (("companies", company_service.tag_by_reference), ("users", contact_service.tag_by_reference)):
        entries = getattr(data, field)
        if entries is UNSET:
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                raise invalid(f"Each entry of {field} must be an object", field)
            await apply(uow, entry, tag, bool(entry.get("untag")))
