"""Tables every area relies on: workspaces, access tokens, rate-limit windows and clocks.

Core defines no area's tables: the event outbox is `tidings.events.storage`, the control plane's
seeds and snapshots are `tidings.control.storage`, and `tidings.areas.TABLE_MODULES` imports every
tables module (the registry Alembic diffs)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from tidings.db.metadata import (
    KEEP_ON_RESET,
    NOT_IN_SNAPSHOTS,
    JsonType,
    id_column,
    metadata,
    timestamp_column,
    workspace_column,
)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("region", String(8), nullable=False, default="US"),
    timestamp_column("created_at"),
    # Requests per minute the Intercom API serves this workspace (Intercom's default); 0: no limit.
    Column("rate_limit_per_minute", Integer, nullable=False, default=10_000, server_default="10000"),
)

# Requests counted per workspace and rate-limit window (shared by every worker process).
rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("window_start", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("workspace_id", "window_start"),
    info=KEEP_ON_RESET,
)

access_tokens = Table(
    "access_tokens",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", String(255), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("admin_id", ForeignKey("admins.id", ondelete="SET NULL"), nullable=True),
    Column("scopes", JsonType, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    timestamp_column("created_at"),
    info={**KEEP_ON_RESET, **NOT_IN_SNAPSHOTS},
)

# A workspace's controlled clock (`tidings.core.clock`); no row means real time.
workspace_clocks = Table(
    "workspace_clocks",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("frozen_ms", BigInteger, nullable=True),
    Column("offset_ms", BigInteger, nullable=False, default=0),
    info={**KEEP_ON_RESET, **NOT_IN_SNAPSHOTS},
)
