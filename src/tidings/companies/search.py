"""The searchable fields of companies (company segments and `GET /companies` filters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from tidings.companies.storage import companies, company_tags
from tidings.core.ids import parse_numeric_id
from tidings.core.search import FieldKind, FieldType, Searchable, SearchField, saved_query_predicate

STRING_COLUMNS = ("id", "company_id", "name", "plan", "website", "industry")
DATE_COLUMNS = ("created_at", "updated_at", "remote_created_at", "last_request_at")


def _tagged(values: list[Any] | None) -> Any:
    stmt = select(company_tags.c.company_id)
    if values is None:
        return stmt
    return stmt.where(company_tags.c.tag_id.in_([n for v in values if (n := parse_numeric_id(str(v)))]))


def company_fields(dialect: str, segment_queries: Mapping[str, Any] | None = None) -> Searchable:
    fields: dict[str, SearchField] = {name: SearchField(companies.c[name], FieldType.STRING) for name in STRING_COLUMNS}
    fields.update({name: SearchField(companies.c[name], FieldType.DATE) for name in DATE_COLUMNS})
    fields["size"] = SearchField(companies.c.size, FieldType.INTEGER)
    fields["session_count"] = SearchField(companies.c.session_count, FieldType.INTEGER)
    fields["monthly_spend"] = SearchField(companies.c.monthly_spend, FieldType.FLOAT)
    fields["tag_id"] = SearchField(kind=FieldKind.MEMBERSHIP, members=_tagged, sortable=False)
    if segment_queries is not None:
        plain = Searchable(fields=dict(fields), owner=companies.c.id, custom_attributes=companies.c.custom_attributes)
        fields["segment_id"] = SearchField(
            kind=FieldKind.PREDICATE, predicate=saved_query_predicate(plain, dialect, segment_queries), sortable=False
        )
    return Searchable(fields=fields, owner=companies.c.id, custom_attributes=companies.c.custom_attributes)
