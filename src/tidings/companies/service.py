"""Companies: create-or-update by company_id, lookups, lists, scroll, and the contacts attached to them."""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func

from tidings.companies import storage
from tidings.companies.schemas import (
    AttachCompanyRequest,
    CompanyContacts,
    CompanyDeleted,
    CompanyList,
    CompanyNotes,
    CompanyOut,
    CompanyScroll,
    CompanySegmentList,
    CompanySegments,
    CompanyTag,
    CompanyTags,
    CompanyWrite,
    ContactCompanies,
    SegmentOut,
)
from tidings.companies.search import company_fields
from tidings.companies.storage import companies, contact_companies
from tidings.contacts import service as contact_service
from tidings.contacts.lookup import live_row
from tidings.contacts.search import contact_fields
from tidings.contacts.storage import contacts
from tidings.core import clock
from tidings.core.errors import (
    COMPANY_NOT_FOUND,
    CONTACT_COMPANY_LIMIT_EXCEEDED,
    PARAMETER_NOT_FOUND,
    TidingsError,
    found,
    invalid,
    missing,
)
from tidings.core.ids import hex24
from tidings.core.paging import numbered_cursor_pages, numbered_page, numbered_pages
from tidings.core.schemas import present
from tidings.core.search import compile_query, search_page
from tidings.core.uow import UnitOfWork
from tidings.data_attributes import service as attributes
from tidings.events.record import record_event
from tidings.segments import service as segment_service
from tidings.tags import tagging

LIST_PER_PAGE = 15
MAX_PER_PAGE = 60
CONTACT_COMPANIES_PER_PAGE = 50
SCROLL_PAGE = 50
CONTACT_COMPANY_LIMIT = 1000
WRITABLE = ("name", "plan", "size", "website", "industry", "remote_created_at", "monthly_spend")


def company_not_found() -> TidingsError:
    return COMPANY_NOT_FOUND()


async def company_row(uow: UnitOfWork, company_id: str) -> Any:
    row = found(await storage.get_company(uow, company_id), company_not_found())
    return row


# ---------------------------------------------------------------- wire shape

NOTES_SHOWN = 10


def _out(row: Any, users: int, tags: list[Any], notes: tuple[list[str], int], segments: list[SegmentOut]) -> CompanyOut:
    cid = row["id"]
    note_ids, note_count = notes
    optional = {name: row[name] for name in ("last_request_at", "size", "website", "industry") if row[name] is not None}
    return CompanyOut(
        id=cid,
        company_id=row["company_id"],
        app_id=row["workspace_id"],
        name=row["name"] or "",
        remote_created_at=row["remote_created_at"] or row["created_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        monthly_spend=int(row["monthly_spend"] or 0),
        session_count=row["session_count"],
        user_count=users,
        tags=CompanyTags(tags=[CompanyTag(id=str(t["id"]), name=t["name"]) for t in tags]),
        segments=CompanySegments(segments=segments),
        plan={"type": "plan", "id": row["plan"], "name": row["plan"]} if row["plan"] else {},
        custom_attributes=dict(row["custom_attributes"] or {}),
        notes=CompanyNotes(
            data=[{"type": "note", "id": n, "url": f"/notes/{n}"} for n in note_ids[:NOTES_SHOWN]],
            url=f"/companies/{cid}/notes",
            total_count=note_count,
            has_more=note_count > len(note_ids[:NOTES_SHOWN]),
        ),
        **optional,
    )


async def hydrate(uow: UnitOfWork, rows: list[Any]) -> list[CompanyOut]:
    """Companies as Intercom shows them: their user count, tags and newest notes in one statement
    (`storage.related_of`) whatever their size, then their segments (one statement per segment)."""
    ids = [r["id"] for r in rows]
    counts: dict[str, int] = {}
    tags: dict[str, list[Any]] = defaultdict(list)
    notes: dict[str, tuple[list[str], int]] = {}
    for item in await storage.related_of(uow, ids, NOTES_SHOWN):
        company_id, kind = item["company_id"], item["kind"]
        if kind == "users":
            counts[company_id] = int(item["total"])
        elif kind == "tags":
            tags[company_id].append({"id": item["item"], "name": item["name"]})
        else:
            notes.setdefault(company_id, ([], int(item["total"])))[0].append(item["item"])
    segments = await segment_service.memberships(uow, "company", ids)
    return [
        _out(r, counts.get(r["id"], 0), tags[r["id"]], notes.get(r["id"], ([], 0)), segments[r["id"]]) for r in rows
    ]


async def company_out(uow: UnitOfWork, row: Any) -> CompanyOut:
    return (await hydrate(uow, [row]))[0]


# ---------------------------------------------------------------- create, read, update, delete


async def _values(uow: UnitOfWork, fields: dict[str, Any], existing: Any) -> dict[str, Any]:
    values = {name: fields[name] for name in WRITABLE if name in fields}
    if "custom_attributes" in fields:
        given = await attributes.check_custom_attributes(uow, "company", fields["custom_attributes"])
        merged = {**((existing or {}).get("custom_attributes") or {}), **given}
        values["custom_attributes"] = {k: v for k, v in merged.items() if v is not None}
    if fields.get("update_last_request_at"):
        values["last_request_at"] = clock.now()
    if "monthly_spend" in values:
        values["monthly_spend"] = values["monthly_spend"] or 0
    return values


async def create_or_update(uow: UnitOfWork, data: CompanyWrite | None) -> CompanyOut:
    fields = present(data) if data is not None else {}
    company_id = fields.get("company_id")
    if company_id is None or company_id == "":
        raise missing("company_id")
    company_id = str(company_id)
    # Create-or-update by company_id: concurrent calls for one company queue, so the later updates.
    await uow.serialise("company", company_id)
    existing = await storage.find_by_company_id(uow, company_id)
    now = clock.now()
    values = await _values(uow, fields, dict(existing) if existing is not None else None)
    if existing is None:
        new_id = hex24()
        await storage.insert_company(
            uow,
            {
                "monthly_spend": 0,
                "session_count": 0,
                "custom_attributes": {},
                **values,
                "id": new_id,
                "company_id": company_id,
                "created_at": now,
                "updated_at": now,
            },
        )
        out = await company_out(uow, await storage.get_company(uow, new_id))
        await record_event(uow, "company.created", out)
        return out
    await storage.update_company(uow, existing["id"], {**values, "updated_at": now})
    out = await company_out(uow, await storage.get_company(uow, existing["id"]))
    await record_event(uow, "company.updated", out)
    return out


async def get(uow: UnitOfWork, company_id: str) -> CompanyOut:
    return await company_out(uow, await company_row(uow, company_id))


async def update(uow: UnitOfWork, company_id: str, data: CompanyWrite | None) -> CompanyOut:
    row = await company_row(uow, company_id)
    fields = present(data) if data is not None else {}
    if fields.get("company_id") not in (None, row["company_id"]):
        raise invalid("company_id can't be updated", "company_id")
    values = await _values(uow, fields, dict(row))
    await storage.update_company(uow, row["id"], {**values, "updated_at": clock.now()})
    out = await company_out(uow, await storage.get_company(uow, row["id"]))
    await record_event(uow, "company.updated", out)
    return out


async def delete(uow: UnitOfWork, company_id: str) -> CompanyDeleted:
    row = await company_row(uow, company_id)
    await storage.delete_company(uow, row["id"])
    await record_event(uow, "company.deleted", {"type": "company", "id": row["id"], "company_id": row["company_id"]})
    return CompanyDeleted(id=row["id"], deleted=True)


# ---------------------------------------------------------------- lists


def _with_users(uow: UnitOfWork) -> Select[Any]:
    """Companies show in lists once a contact is attached (Intercom hides the others)."""
    attached = uow.select(contact_companies, contact_companies.c.company_id)
    return uow.select(companies).where(companies.c.id.in_(attached))


async def _numbered_page(
    uow: UnitOfWork, stmt: Select[Any], page: int | None, per_page: int | None, order: Any
) -> CompanyList:
    page, size, offset = numbered_page(page, per_page, LIST_PER_PAGE, MAX_PER_PAGE)
    total = await uow.count(stmt)
    rows = await uow.all(stmt.order_by(*order).limit(size).offset(offset))
    pages = numbered_cursor_pages(page, size, total)
    return CompanyList(data=await hydrate(uow, rows), pages=pages, total_count=total)


async def list_all(uow: UnitOfWork, page: int | None, per_page: int | None, order: str | None) -> CompanyList:
    if order not in (None, "asc", "desc"):
        raise invalid("order must be asc or desc", "order")
    key = func.coalesce(companies.c.last_request_at, companies.c.created_at)
    ordering = (key.asc(), companies.c.id.asc()) if order == "asc" else (key.desc(), companies.c.id.desc())
    return await _numbered_page(uow, _with_users(uow), page, per_page, ordering)


async def retrieve(
    uow: UnitOfWork,
    *,
    name: str | None,
    company_id: str | None,
    tag_id: str | None,
    segment_id: str | None,
    page: int | None,
    per_page: int | None,
) -> CompanyList:
    """`GET /companies`: the company with this company_id or name, or those with a tag or in a segment."""
    filters = [
        {"field": field, "operator": "=", "value": value}
        for field, value in (("company_id", company_id), ("name", name), ("tag_id", tag_id), ("segment_id", segment_id))
        if value
    ]
    stmt = uow.select(companies) if filters else _with_users(uow)
    if filters:
        fields = company_fields(uow.dialect, await segment_service.saved_queries(uow, "company"))
        stmt = stmt.where(compile_query(fields, {"operator": "AND", "value": filters}, uow.dialect))
    result = await _numbered_page(uow, stmt, page, per_page, (companies.c.created_at.desc(), companies.c.id.desc()))
    if (company_id or name) and not result.data:
        raise company_not_found()
    return result


def _scroll_token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode()


def _scroll_position(token: str) -> str:
    try:
        position = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        position = ""
    if len(position) != 24:
        raise invalid("scroll_param is invalid or has expired; start a new scroll without it", "scroll_param")
    return position


async def scroll(uow: UnitOfWork, scroll_param: str | None) -> CompanyScroll:
    """Walk every listed company in id order; an empty page ends the scroll."""
    stmt = _with_users(uow)
    if scroll_param:
        stmt = stmt.where(companies.c.id > _scroll_position(scroll_param))
    rows = await uow.all(stmt.order_by(companies.c.id).limit(SCROLL_PAGE))
    if not rows:
        return CompanyScroll(data=[])
    return CompanyScroll(data=await hydrate(uow, rows), scroll_param=_scroll_token(rows[-1]["id"]))


# ---------------------------------------------------------------- contacts and companies


async def contacts_of(uow: UnitOfWork, company_id: str) -> CompanyContacts:
    row = await company_row(uow, company_id)
    stmt = contact_service.visible(uow).where(contacts.c.id.in_(storage.contact_ids_of_company(uow, row["id"])))
    page = await search_page(uow, stmt, contact_fields(uow.dialect), default_per_page=50, max_per_page=150)
    return CompanyContacts(
        data=await contact_service.hydrate(uow, page.rows), total_count=page.total_count, pages=page.pages
    )


async def segments_of(uow: UnitOfWork, company_id: str) -> CompanySegmentList:
    row = await company_row(uow, company_id)
    return CompanySegmentList(data=await segment_service.of_company(uow, row["id"]))


async def companies_of_contact(
    uow: UnitOfWork, contact_id: str, page: int | None, per_page: int | None, next_url: str
) -> ContactCompanies:
    contact = await live_row(uow, contact_id)
    number, size, offset = numbered_page(page, per_page, CONTACT_COMPANIES_PER_PAGE, MAX_PER_PAGE)
    rows, total = await storage.companies_page(uow, contact["id"], offset, size)
    pages = numbered_pages(number, size, total, next_url, last=None)
    return ContactCompanies(companies=await hydrate(uow, rows), total_count=total, pages=pages)


async def _company_by_reference(uow: UnitOfWork, intercom_id: str | None, company_id: str | None) -> Any:
    """A company named by its Intercom id or its company_id (the SDK sends either under either name)."""
    for candidate in filter(None, (intercom_id, company_id)):
        row = await storage.get_company(uow, candidate) or await storage.find_by_company_id(uow, candidate)
        if row is not None:
            return row
    raise company_not_found()


async def attach_contact(uow: UnitOfWork, contact_id: str, data: AttachCompanyRequest | None) -> CompanyOut:
    contact = await live_row(uow, contact_id)
    if data is None or (not data.id and not data.company_id):
        raise PARAMETER_NOT_FOUND("company not specified", "id")
    company = await _company_by_reference(uow, data.id, data.company_id)
    # Check-then-insert, and a per-contact limit: one contact's attachments queue.
    await uow.serialise("contact-companies", contact["id"])
    if await storage.find_attachment(uow, contact["id"], company["id"]) is None:
        if await storage.company_count_of_contact(uow, contact["id"]) >= CONTACT_COMPANY_LIMIT:
            raise CONTACT_COMPANY_LIMIT_EXCEEDED(
                f"Contact has reached the maximum of {CONTACT_COMPANY_LIMIT} company associations"
            )
        await storage.attach(uow, contact["id"], company["id"], clock.now())
        await record_event(
            uow,
            "company.contact.attached",
            {
                "type": "company_contact",
                "company": {"type": "company", "id": company["id"]},
                "contact": contact_service.reference(contact),
            },
        )
    return await company_out(uow, company)


async def detach_contact(uow: UnitOfWork, contact_id: str, company_id: str) -> CompanyOut:
    contact = await live_row(uow, contact_id)
    company = await company_row(uow, company_id)
    if await storage.find_attachment(uow, contact["id"], company["id"]) is not None:
        await storage.detach(uow, contact["id"], company["id"])
        await record_event(
            uow,
            "company.contact.detached",
            {
                "type": "company_contact",
                "company": {"type": "company", "id": company["id"]},
                "contact": contact_service.reference(contact),
            },
        )
    return await company_out(uow, company)


async def tag_by_reference(uow: UnitOfWork, reference: dict[str, Any], tag: Any, untag: bool) -> None:
    """Tag or untag the company a `POST /tags` `companies` entry names (by id or company_id)."""
    company = await _company_by_reference(uow, reference.get("id"), reference.get("company_id"))
    if untag:
        await tagging.detach(uow, TAGGABLE, company["id"], tag)
    else:
        await tagging.attach(uow, TAGGABLE, company["id"], tag, None)


async def _tag(uow: UnitOfWork, company_id: str, tag_id: int, admin_id: int | None, applied_at: int) -> None:
    await storage.tag_company(uow, company_id, tag_id, applied_at)


# Companies are tagged only through `POST /tags` (tags/bulk.py); the tagging records no admin.
TAGGABLE = tagging.Taggable("company", storage.find_tagging, _tag, storage.untag_company)
