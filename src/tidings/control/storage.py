"""The control plane's tables: a workspace's id seed and its saved snapshots."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, Table, UniqueConstraint

from tidings.db.metadata import (
    KEEP_ON_RESET,
    NOT_IN_SNAPSHOTS,
    id_column,
    metadata,
    timestamp_column,
    workspace_column,
)

# A workspace's id seed (`tidings.core.ids`); no row means random ids.
workspace_seeds = Table(
    "workspace_seeds",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("seed", String(255), nullable=False),
    Column("generation", Integer, nullable=False, default=0),
    info={**KEEP_ON_RESET, **NOT_IN_SNAPSHOTS},
)

# A workspace's saved state (`tidings.control.snapshots`): every row of every table, pickled.
workspace_snapshots = Table(
    "workspace_snapshots",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(100), nullable=False),
    Column("objects", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    timestamp_column("created_at"),
    UniqueConstraint("workspace_id", "name", name="uq_workspace_snapshots_name"),
    info={**KEEP_ON_RESET, **NOT_IN_SNAPSHOTS},
)
