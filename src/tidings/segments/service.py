"""Segments: saved search queries; a contact (or company) is in a segment when the query selects it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from tidings.companies.schemas import SegmentOut
from tidings.companies.search import company_fields
from tidings.companies.storage import companies
from tidings.contacts.lookup import live_row
from tidings.contacts.search import contact_fields
from tidings.contacts.storage import contacts
from tidings.core import clock
from tidings.core.errors import TidingsError, found, invalid, not_found
from tidings.core.ids import hex24
from tidings.core.search import FieldType, Searchable, compile_query, count_statement, validate_query
from tidings.core.uow import UnitOfWork
from tidings.data_attributes import service as attributes
from tidings.segments import storage
from tidings.segments.schemas import ContactSegmentList, CreateSegment, SegmentList, SegmentWithCount

MODELS = {"contact": contacts, "company": companies}


def segment_not_found() -> TidingsError:
    return not_found()


def segment_out(row: Any) -> SegmentOut:
    return SegmentOut(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        person_type=row["person_type"],
    )


async def saved_queries(uow: UnitOfWork, model: str, types: dict[str, FieldType] | None = None) -> dict[str, Any]:
    """Every segment of the model as `{id: {"query", "types"}}`, for `segment_id` search fields."""
    if types is None:
        types = await attributes.custom_types(uow, model)
    return {s["id"]: {"query": s["query"], "types": types} for s in await storage.list_segments(uow, model)}


def _fields(model: str, dialect: str, saved: dict[str, Any] | None = None) -> Searchable:
    return contact_fields(dialect, saved) if model == "contact" else company_fields(dialect, saved)


async def _condition(uow: UnitOfWork, row: Any) -> ColumnElement[bool]:
    types = await attributes.custom_types(uow, row["model"])
    return compile_query(_fields(row["model"], uow.dialect), row["query"], uow.dialect, types)


def _live(uow: UnitOfWork, model: str) -> Any:
    table = MODELS[model]
    if model == "contact":
        return uow.select(table, table.c.id).where(table.c.merged_into_id.is_(None), table.c.archived.is_(False))
    return uow.select(table, table.c.id)


async def _count(uow: UnitOfWork, row: Any) -> int:
    owner = MODELS[row["model"]].c.id
    return int(await uow.scalar(count_statement(_live(uow, row["model"]), owner, await _condition(uow, row))) or 0)


async def list_all(uow: UnitOfWork, include_count: bool) -> SegmentList:
    result = []
    for row in await storage.list_segments(uow):
        out = segment_out(row)
        count = await _count(uow, row) if include_count else None
        result.append(
            SegmentWithCount(
                id=out.id,
                name=out.name,
                created_at=out.created_at,
                updated_at=out.updated_at,
                person_type=out.person_type,
                **({"count": count} if count is not None else {}),
            )
        )
    return SegmentList(segments=result)


async def get(uow: UnitOfWork, segment_id: str) -> SegmentOut:
    row = found(await storage.get_segment(uow, segment_id), segment_not_found())
    return segment_out(row)


async def memberships(uow: UnitOfWork, model: str, member_ids: list[str]) -> dict[str, list[SegmentOut]]:
    """member id -> the segments it is in (one query per segment of the model)."""
    table = MODELS[model]
    found: dict[str, list[SegmentOut]] = {member_id: [] for member_id in member_ids}
    if not member_ids:
        return found
    for row in await storage.list_segments(uow, model):
        stmt = _live(uow, model).where(table.c.id.in_(member_ids), await _condition(uow, row))
        for member in await uow.all(stmt):
            found[member["id"]].append(segment_out(row))
    return found


async def _matching(uow: UnitOfWork, model: str, member_id: str) -> list[SegmentOut]:
    return (await memberships(uow, model, [member_id]))[member_id]


async def of_contact(uow: UnitOfWork, contact_id: str) -> ContactSegmentList:
    contact = await live_row(uow, contact_id)
    return ContactSegmentList(data=await _matching(uow, "contact", contact["id"]))


async def of_company(uow: UnitOfWork, company_id: str) -> list[SegmentOut]:
    return await _matching(uow, "company", company_id)


async def create(uow: UnitOfWork, data: CreateSegment) -> SegmentOut:
    """Management API: a segment is a named, saved query over contacts (or companies)."""
    if data.model not in MODELS:
        raise invalid("model must be contact or company", "model")
    if not data.name.strip():
        raise invalid("name must not be empty", "name")
    person_type = data.person_type if isinstance(data.person_type, str) else "user"
    if person_type not in ("contact", "user"):
        raise invalid("person_type must be contact or user", "person_type")
    validate_query(_fields(data.model, uow.dialect), data.query, await attributes.custom_types(uow, data.model))
    now = clock.now()
    segment_id = hex24()
    await storage.insert_segment(
        uow,
        {
            "id": segment_id,
            "name": data.name.strip(),
            "model": data.model,
            "person_type": person_type,
            "query": data.query,
            "created_at": now,
            "updated_at": now,
        },
    )
    return segment_out(await storage.get_segment(uow, segment_id))
