"""contact search indexes

Revision ID: 0090
Revises: 0080
Create Date: 2026-11-25 23:30:09.434826
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0090"
down_revision = "0080"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The predicate is written as each dialect renders `service.visible`'s conditions, so that the
    # planners recognise queries implying it (autogenerate rendered SQLite's `IS 0` for both).
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_live",
            ["workspace_id", "id"],
            unique=False,
            postgresql_where=sa.text("merged_into_id IS NULL AND archived IS false"),
            sqlite_where=sa.text("merged_into_id IS NULL AND archived IS 0"),
        )
    if op.get_bind().dialect.name == "postgresql":
        # `name ^ x` estimates: with the default 100-bucket histogram of lower(name), a prefix
        # matching 0.1% of contacts was now and then estimated at a whole bucket (1%), and the
        # planner then walked the created_at index for a page instead of the prefix index.
        op.execute("ALTER INDEX ix_contacts_name_prefix ALTER COLUMN 2 SET STATISTICS 1000")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_contacts_name_prefix ALTER COLUMN 2 SET STATISTICS -1")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_live")
