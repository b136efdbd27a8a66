"""What a contact embeds (tags, notes, companies, subscriptions, custom object references), read for
many contacts in one statement whatever their number or size.

Each kind is one branch of a `UNION ALL`: its rows are numbered per contact (and per consent for
subscriptions) in the order the API lists them and counted; only the first `limit` of each are
returned, each carrying the total. References are returned whole (the custom attribute shows every
instance). Foreign keys cascade, so the link tables alone are enough: no join with the tags,
companies or subscription types themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, literal, select, union_all

from tidings.companies.storage import contact_companies
from tidings.contacts.storage import contact_tags
from tidings.core.uow import UnitOfWork
from tidings.custom_objects.storage import custom_object_references
from tidings.notes.storage import notes
from tidings.subscriptions.storage import contact_subscriptions


def _branch(
    uow: UnitOfWork,
    table: Any,
    kind: Any,
    item: Any,
    owner: Any,
    order: list[Any],
    *,
    partition: Any = None,
    detail: Any = None,
) -> Any:
    parts = [owner] if partition is None else [owner, partition]
    return uow.select(
        table,
        owner.label("owner_id"),
        kind.label("kind"),
        cast(item, String).label("item"),
        (detail if detail is not None else literal(None, String)).label("detail"),
        func.row_number().over(partition_by=parts, order_by=order).label("rn"),
        func.count().over(partition_by=parts).label("total"),
    )


async def related_of(uow: UnitOfWork, contact_ids: list[str], limit: int) -> list[Any]:
    """Rows (owner_id, kind, item, detail, rn, total): kind is `tags`, `notes`, `companies`, `opt_in`,
    `opt_out` (first `limit` of each) or `ref` (every reference; detail is the attribute), in order."""
    if not contact_ids:
        return []
    t, n, c, s, r = contact_tags, notes, contact_companies, contact_subscriptions, custom_object_references
    branches = [
        _branch(uow, t, literal("tags"), t.c.tag_id, t.c.contact_id, [t.c.applied_at, t.c.tag_id]).where(
            t.c.contact_id.in_(contact_ids)
        ),
        _branch(uow, n, literal("notes"), n.c.id, n.c.contact_id, [n.c.id.desc()]).where(
            n.c.contact_id.in_(contact_ids)
        ),
        _branch(uow, c, literal("companies"), c.c.company_id, c.c.contact_id, [c.c.created_at, c.c.company_id]).where(
            c.c.contact_id.in_(contact_ids)
        ),
        _branch(
            uow,
            s,
            s.c.consent_type,
            s.c.subscription_type_id,
            s.c.contact_id,
            [s.c.subscription_type_id],
            partition=s.c.consent_type,
        ).where(s.c.contact_id.in_(contact_ids)),
        _branch(
            uow, r, literal("ref"), r.c.instance_id, r.c.owner_id, [r.c.attribute, r.c.position], detail=r.c.attribute
        ).where(r.c.owner_type == "contact", r.c.owner_id.in_(contact_ids)),
    ]
    inner = union_all(*branches).subquery("related")
    stmt = (
        select(inner)
        .where((inner.c.rn <= limit) | (inner.c.kind == "ref"))
        .order_by(inner.c.owner_id, inner.c.kind, inner.c.detail, inner.c.rn)
    )
    return await uow.all(stmt)
