from __future__ import annotations

from typing import Any

import msgspec


class AdminPriorityLevel(msgspec.Struct):
    primary_admin_ids: list[int] | None
    secondary_admin_ids: list[int] | None


class TeamOut(msgspec.Struct):
    id: str
    name: str
    admin_ids: list[int]
    admin_priority_level: AdminPriorityLevel
    type: str = "team"

    @classmethod
    def from_row(cls, row: Any) -> TeamOut:
        admin_ids = [int(a) for a in row["admin_ids"]]
        return cls(
            id=str(row["id"]),
            name=row["name"],
            admin_ids=admin_ids,
            admin_priority_level=AdminPriorityLevel(primary_admin_ids=admin_ids, secondary_admin_ids=[]),
        )


class TeamList(msgspec.Struct):
    teams: list[TeamOut]
    type: str = "team.list"


class TeamMetric(msgspec.Struct):
    admin_id: str
    open: int
    idle: int
    snoozed: int
    type: str = "team_metric"


class TeamMetricList(msgspec.Struct):
    data: list[TeamMetric]
    type: str = "team_metric.list"
