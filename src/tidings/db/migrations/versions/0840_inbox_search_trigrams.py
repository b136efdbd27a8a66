"""inbox search: trigram indexes (PostgreSQL)

Revision ID: 0840
Revises: 0810
Create Date: 2026-12-02 00:45:00

The inbox's search is a case-insensitive substring match (`lower(x) LIKE '%words%'`, see
`tidings.inbox.queries.search_condition`) over the conversations' opening messages and titles and
every conversation part. Without an index it reads every message of the workspace on each search;
`pg_trgm`'s GIN indexes on the same lower-cased expressions serve `LIKE '%...%'` directly
(docs/measurements/inbox.md). SQLite keeps scanning: its search measured well under the goal.

`pg_trgm` ships with PostgreSQL (contrib) and is a trusted extension: a database owner may create
it. Where it cannot be created, the migration leaves the indexes out and search still works, by
scanning.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0840"
down_revision = "0810"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

INDEXES = {
    "ix_conversations_source_body_trgm": "conversations USING gin (lower(source_body) gin_trgm_ops)",
    "ix_conversations_title_trgm": "conversations USING gin (lower(title) gin_trgm_ops)",
    "ix_conversation_parts_body_trgm": "conversation_parts USING gin (lower(body) gin_trgm_ops)",
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning("pg_trgm is not available (%s): the inbox's search will scan instead of using indexes", error)
        return
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
