"""Inbox test helpers: a teammate with a password in a fresh workspace, signed in over plain HTTP."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import httpx

from tests.support.live import LiveServer, Workspace, management_json

PASSWORD = "correct horse battery"
_emails = itertools.count(1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Teammate:
    server: LiveServer
    workspace: Workspace
    admin_id: str
    email: str
    password: str = PASSWORD

    def login_link(self) -> str:
        path = f"/workspaces/{self.workspace.id}/admins/{self.admin_id}/login_link"
        return management_json(self.server, "POST", path)["url"]

    def browser_http(self) -> httpx.Client:
        """A cookie-keeping client, not signed in."""
        return httpx.Client(base_url=self.server.base_url, timeout=30, follow_redirects=False)

    def sign_in(self) -> SignedIn:
        http = self.browser_http()
        page = http.get("/inbox/login")
        token = csrf_of(page.text)
        answer = http.post("/inbox/login", data={"csrf_token": token, "email": self.email, "password": self.password})
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/inbox", answer.text
        home = http.get("/inbox")
        assert home.status_code == 200, home.text
        return SignedIn(http=http, csrf=csrf_of(home.text))


@dataclass
class SignedIn:
    http: httpx.Client
    csrf: str

    def act(self, conversation_id: str | int, action: str, htmx: bool = True, **fields: str) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.post(
            f"/inbox/conversations/{conversation_id}/{action}",
            data={"csrf_token": self.csrf, **fields},
            headers=headers,
        )


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def new_teammate(server: LiveServer, workspace: Workspace, name: str = "Ada Teammate") -> Teammate:
    email = f"teammate{next(_emails)}@example.com"
    admin = management_json(server, "POST", f"/workspaces/{workspace.id}/admins", json={"name": name, "email": email})
    management_json(
        server, "PUT", f"/workspaces/{workspace.id}/admins/{admin['id']}/password", json={"password": PASSWORD}
    )
    return Teammate(server=server, workspace=workspace, admin_id=str(admin["id"]), email=email)
