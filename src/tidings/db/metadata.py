"""The one MetaData every table belongs to, with a naming convention Alembic can diff on both databases."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, MetaData, String
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# JSONB on PostgreSQL (indexable, compact); JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def id_column() -> Column[int]:
    return Column("id", BigId, primary_key=True, autoincrement=True)


def workspace_column() -> Column[str]:
    """Every row belongs to a workspace; queries are scoped through `UnitOfWork`."""
    return Column(
        "workspace_id",
        String(32),
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def timestamp_column(name: str, nullable: bool = False) -> Column[int]:
    """Timestamps are Unix seconds, as on Intercom's wire."""
    return Column(name, BigInteger, nullable=nullable)


# `Table(..., info=KEEP_ON_RESET)`: a workspace reset keeps these rows (who works there, its set-up).
KEEP_ON_RESET = {"reset": "keep"}
# `Table(..., info={**KEEP_ON_RESET, **NOT_IN_SNAPSHOTS})`: credentials and the control plane's own
# state, which a snapshot restore leaves as they are.
NOT_IN_SNAPSHOTS = {"snapshot": "skip"}
