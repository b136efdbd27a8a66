"""Which source object became which object here: what makes an import resumable and keeps references."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, UniqueConstraint

from tidings.core.uow import UnitOfWork
from tidings.db.metadata import id_column, metadata, timestamp_column, workspace_column

import_map = Table(
    "import_map",
    metadata,
    id_column(),
    workspace_column(),
    # The source server and app the object came from (an import from two sources keeps both apart).
    Column("source", String(512), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("source_id", String(128), nullable=False),
    Column("target_id", String(128), nullable=False),
    timestamp_column("created_at"),
    UniqueConstraint("workspace_id", "source", "kind", "source_id", name="uq_import_map_source_object"),
)


async def mapped(uow: UnitOfWork, source: str) -> dict[tuple[str, str], str]:
    rows = await uow.all(
        uow.select(import_map, import_map.c.kind, import_map.c.source_id, import_map.c.target_id).where(
            import_map.c.source == source
        )
    )
    return {(row["kind"], row["source_id"]): row["target_id"] for row in rows}


async def remember(uow: UnitOfWork, source: str, kind: str, source_id: str, target_id: str, now: int) -> None:
    await uow.execute(
        uow.insert(import_map).values(
            source=source, kind=kind, source_id=source_id, target_id=target_id, created_at=now
        )
    )
