"""What a contact embeds (tags, notes, companies, subscriptions, custom object references), read for
many contacts in one statement whatever their number or size.

Each kind is one branch of a `UNION ALL`: its rows are numbered per contact (and per consent for
subscriptions) in the order the API lists them and counted; only the first `limit` of each are
returned, each carrying the total. References are returned whole (the custom attribute shows every
instance). Foreign keys cascade, so the link tables alone are enough: no join with the tags,
companies or subscription types themselves. One contact (`GET /contacts/{id}`, the hot path) is
read with the statement prepared once (`ONE_CONTACT`); lists and searches build it for their ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String, bindparam, cast, func, literal_column, null, select, union_all

from tidings.companies.storage import contact_companies
from tidings.contacts.storage import contact_tags
from tidings.core.uow import UnitOfWork
from tidings.custom_objects.storage import custom_object_references
from tidings.db.prepared import WORKSPACE_PARAM, PreparedRead
from tidings.notes.storage import notes
from tidings.subscriptions.storage import contact_subscriptions

# Contacts embed the first ten of each kind (Intercom's `has_more` beyond).
EMBEDDED_LIMIT = 10


def _kind(name: str) -> Any:
    return literal_column(f"'{name}'", String)


def _statement(workspace: Any, owned: Callable[[Any], Any], limit: int) -> Any:
    t, n, c, s, r = contact_tags, notes, contact_companies, contact_subscriptions, custom_object_references

    def branch(
        table: Any, kind: Any, item: Any, owner: Any, order: list[Any], partition: Any = None, detail: Any = None
    ) -> Any:
        parts = [owner] if partition is None else [owner, partition]
        return select(
            owner.label("owner_id"),
            kind.label("kind"),
            cast(item, String).label("item"),
            (detail if detail is not None else cast(null(), String)).label("detail"),
            func.row_number().over(partition_by=parts, order_by=order).label("rn"),
            func.count().over(partition_by=parts).label("total"),
        ).where(table.c.workspace_id == workspace, owned(owner))

    inner = union_all(
        branch(t, _kind("tags"), t.c.tag_id, t.c.contact_id, [t.c.applied_at, t.c.tag_id]),
        branch(n, _kind("notes"), n.c.id, n.c.contact_id, [n.c.id.desc()]),
        branch(c, _kind("companies"), c.c.company_id, c.c.contact_id, [c.c.created_at, c.c.company_id]),
        branch(
            s,
            s.c.consent_type,
            s.c.subscription_type_id,
            s.c.contact_id,
            [s.c.subscription_type_id],
            partition=s.c.consent_type,
        ),
        branch(
            r, _kind("ref"), r.c.instance_id, r.c.owner_id, [r.c.attribute, r.c.position], detail=r.c.attribute
        ).where(r.c.owner_type == literal_column("'contact'", String)),
    ).subquery("related")
    return (
        select(inner)
        .where((inner.c.rn <= literal_column(str(int(limit)))) | (inner.c.kind == _kind("ref")))
        .order_by(inner.c.owner_id, inner.c.kind, inner.c.detail, inner.c.rn)
    )


ONE_CONTACT = PreparedRead(
    lambda: _statement(bindparam(WORKSPACE_PARAM), lambda owner: owner == bindparam("owner"), EMBEDDED_LIMIT)
)


async def related_of(uow: UnitOfWork, contact_ids: list[str]) -> list[Any]:
    """Rows (owner_id, kind, item, detail, rn, total): kind is `tags`, `notes`, `companies`, `opt_in`,
    `opt_out` (first EMBEDDED_LIMIT of each) or `ref` (every reference; detail is the attribute), in order."""
    if not contact_ids:
        return []
    if len(contact_ids) == 1:
        return await uow.fetch_all(ONE_CONTACT, owner=contact_ids[0])
    ids = list(contact_ids)
    return await uow.all(_statement(uow.workspace_id, lambda owner: owner.in_(ids), EMBEDDED_LIMIT))
