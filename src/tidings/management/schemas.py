"""Bodies of tidings' own management API (docs/management-api.md in shared/)."""

from __future__ import annotations

from typing import Any

import msgspec

from tidings.core.schemas import Request


class WorkspaceOut(msgspec.Struct):
    id: str
    name: str
    created_at: int
    type: str = "workspace"

    @classmethod
    def from_row(cls, row: Any) -> WorkspaceOut:
        return cls(id=row["id"], name=row["name"], created_at=row["created_at"])


class WorkspaceList(msgspec.Struct):
    data: list[WorkspaceOut]
    type: str = "list"


class CreateWorkspace(Request):
    name: str


class CreateToken(Request):
    name: str
    # Checked against the known scope names (tidings.core.scopes) by the token's issuer.
    scopes: list[Any] | None = None


class TokenOut(msgspec.Struct):
    id: str
    name: str
    token: str
    scopes: list[str]
    type: str = "access_token"


class CreateAdmin(Request):
    name: str
    email: str
    job_title: str | None = None


class CreateTeam(Request):
    name: str
    admin_ids: list[int] = msgspec.field(default_factory=list)


class Status(msgspec.Struct):
    status: str
