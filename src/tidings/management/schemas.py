"""Bodies of tidings' own management API (docs/management-api.md in shared/)."""

from __future__ import annotations

from typing import Any

import msgspec

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


class Status(PlainOut):
    status: str


class SetPassword(Request):
    password: str


class LoginLinkOut(Out, tag="login_link"):
    url: str
    expires_in: int
