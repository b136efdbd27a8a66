"""Bodies of tidings' own management API (docs/management-api.md in shared/)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from tidings.core import ids
from tidings.core.errors import invalid
from tidings.core.schemas import Out, PlainOut, Request


class WorkspaceOut(Out, tag="workspace"):
    id: str
    name: str
    created_at: int
    seed: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> WorkspaceOut:
        seeded = ids.seeded(row["id"])
        return cls(id=row["id"], name=row["name"], created_at=row["created_at"], seed=seeded and seeded.seed)


class WorkspaceList(Out, tag="list"):
    data: list[WorkspaceOut]


class CreateWorkspace(Request):
    name: str
    # Deterministic ids (docs/control-plane.md): the same seed and calls give the same ids.
    seed: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | int | None = None

    @property
    def seed_text(self) -> str | None:
        return None if self.seed is None else str(self.seed)


class ResetWorkspace(Request):
    seed: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | int | None = None

    @property
    def seed_text(self) -> str | None:
        return None if self.seed is None else str(self.seed)


class CreateToken(Request):
    name: str
    # Checked against the known scope names (tidings.core.scopes) by the token's issuer.
    scopes: list[Any] | None = None


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
            raise invalid("requests_per_minute must be 0 to 1000000", "requests_per_minute")


class RateLimitOut(Out, tag="rate_limit"):
    requests_per_minute: int
    window_seconds: int
    # What X-RateLimit-Limit says: the allowance of one window (null without a limit).
    requests_per_window: int | None


class Status(PlainOut):
    status: str


class SetPassword(Request):
    password: str


class LoginLinkOut(Out, tag="login_link"):
    url: str
    expires_in: int
