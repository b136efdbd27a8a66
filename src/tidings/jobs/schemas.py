from __future__ import annotations

from typing import Any

from tidings.core.schemas import Out


class JobOut(Out, tag="job"):
    id: str
    status: str
    url: str
    resource_type: str
    resource_id: str | None
    resource_url: str | None

    @classmethod
    def from_row(cls, row: Any) -> JobOut:
        base = row["base_url"].rstrip("/")
        resource_id = row["resource_id"]
        return cls(
            id=str(row["id"]),
            status=row["status"],
            url=f"{base}/jobs/status/{row['id']}",
            resource_type=row["resource_type"],
            resource_id=resource_id,
            resource_url=f"{base}/{row['resource_type']}s/{resource_id}" if resource_id else None,
        )
