"""Bodies of tidings' own management API (docs/management-api.md in shared/)."""

from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.errors import TidingsError
from tidings.core.schemas import Out, PlainOut, Request


class WorkspaceOut(Out, tag="workspace"):
    id: str
    name: str
    created_at: int

    @classmethod
    def from_row(cls, row: Any) -> WorkspaceOut:
        return cls(id=row["id"], name=row["name"], created_at=row["created_at"])


class WorkspaceList(Out, tag="list"):
    data: list[WorkspaceOut]


class CreateWorkspace(Request):
    name: str


class CreateToken(Request):
    name: str
    scopes: list[str] | None = None


class TokenOut(Out, tag="access_token"):
    id: str
    name: str
    token: str
    scopes: list[str]


class CreateAdmin(Request):
    name: str
    email: str
    job_title: str | None = None


class CreateTeam(Request):
    name: str
    admin_ids: list[int] = msgspec.field(default_factory=list)


class RateLimitUpdate(Request):
    # Requests a minute; 0 turns the limit off. Capped at a million (Intercom's is 10,000).
    requests_per_minute: int = msgspec.field(default=10_000)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.requests_per_minute <= 1_000_000:
            raise TidingsError(
                400, "parameter_invalid", "requests_per_minute must be 0 to 1000000", "requests_per_minute"
            )


class RateLimitOut(Out, tag="rate_limit"):
    requests_per_minute: int
    window_seconds: int
    # What X-RateLimit-Limit says: the allowance of one window (null without a limit).
    requests_per_window: int | None


class Status(PlainOut):
    status: str
