from __future__ import annotations

from typing import Any

from tidings.core.schemas import Out, PlainOut


class AdminPriorityLevel(PlainOut):
    primary_admin_ids: list[int] | None
    secondary_admin_ids: list[int] | None


class TeamOut(Out, tag="team"):
    id: str
    name: str
    admin_ids: list[int]
    admin_priority_level: AdminPriorityLevel

    @classmethod
    def from_row(cls, row: Any) -> TeamOut:
        admin_ids = [int(a) for a in row["admin_ids"]]
        return cls(
            id=str(row["id"]),
            name=row["name"],
            admin_ids=admin_ids,
            admin_priority_level=AdminPriorityLevel(primary_admin_ids=admin_ids, secondary_admin_ids=[]),
        )


class TeamList(Out, tag="team.list"):
    teams: list[TeamOut]


class TeamMetric(Out, tag="team_metric"):
    admin_id: str
    open: int
    idle: int
    snoozed: int


class TeamMetricList(Out, tag="team_metric.list"):
    data: list[TeamMetric]
