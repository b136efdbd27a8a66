"""The inbox over HTTP on both databases: sign-in, sessions, CSRF, isolation, every action through the
API's services, the list's filters and search, and sanitised rendering. (Browser tests: test_inbox_browser.py.)"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from tests.support.inbox import PASSWORD, SignedIn, Teammate, csrf_of, new_teammate
from tests.support.live import SRC, LiveServer, Workspace, management_json

STAMP = "2026-01-01T10:00:00.000Z"
XSS_BODY = (
    '<p>Hello <script>window.__xss = 1</script><img src="https://example.com/a.png" onerror="window.__xss = 2">'
    '<a href="javascript:window.__xss = 3">click</a><a href="https://example.com/ok">fine</a></p>'
)


@pytest.fixture
def teammate(server: LiveServer, workspace: Workspace) -> Teammate:
    return new_teammate(server, workspace)


@pytest.fixture
def signed_in(teammate: Teammate) -> SignedIn:
    return teammate.sign_in()


def contact(workspace: Workspace, name: str = "Jane Doe", email: str = "jane@example.com") -> str:
    answer = workspace.http.post("/contacts", json={"role": "user", "email": email, "name": name})
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def conversation(workspace: Workspace, contact_id: str, body: str = "<p>My invoice is wrong</p>") -> str:
    answer = workspace.http.post("/conversations", json={"from": {"type": "user", "id": contact_id}, "body": body})
    assert answer.status_code == 200, answer.text
    return answer.json()["conversation_id"]


def api_conversation(workspace: Workspace, conversation_id: str) -> dict[str, Any]:
    answer = workspace.http.get(f"/conversations/{conversation_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def parts(workspace: Workspace, conversation_id: str) -> list[dict[str, Any]]:
    return api_conversation(workspace, conversation_id)["conversation_parts"]["conversation_parts"]


def list_ids(signed_in: SignedIn, **params: str) -> list[str]:
    page = signed_in.http.get("/inbox", params=params, headers={"HX-Request": "true"})
    assert page.status_code == 200, page.text
    return list_ids_from(page.text)


def list_ids_from(html: str) -> list[str]:
    return re.findall(r'class="row[^"]*"[^>]*data-conversation-id="(\d+)"', html)


class TestSignIn:
    def test_password_sign_in_sets_a_server_side_session_cookie(self, teammate: Teammate) -> None:
        http = teammate.browser_http()
        assert http.get("/inbox").headers["location"] == "/inbox/login"
        token = csrf_of(http.get("/inbox/login").text)
        wrong = http.post("/inbox/login", data={"csrf_token": token, "email": teammate.email, "password": "nope"})
        assert wrong.status_code == 303
        assert wrong.headers["location"].startswith("/inbox/login?error")
        answer = http.post("/inbox/login", data={"csrf_token": token, "email": teammate.email, "password": PASSWORD})
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "path=/inbox" in cookie
        home = http.get("/inbox")
        assert home.status_code == 200
        assert "Ada Teammate" in home.text
        assert "content-security-policy" in home.headers

    def test_sign_in_form_needs_its_csrf_token(self, teammate: Teammate) -> None:
        http = teammate.browser_http()
        http.get("/inbox/login")
        refused = http.post("/inbox/login", data={"email": teammate.email, "password": PASSWORD})
        assert refused.status_code == 403
        assert "_session" not in refused.headers.get("set-cookie", "")

    def test_logout_ends_the_session_on_the_server(self, teammate: Teammate) -> None:
        signed_in = teammate.sign_in()
        stolen_cookie = dict(signed_in.http.cookies)
        out = signed_in.http.post("/inbox/logout", data={"csrf_token": signed_in.csrf})
        assert out.status_code == 303
        assert out.headers["location"] == "/inbox/login"
        replay = teammate.browser_http()
        replay.cookies.update(stolen_cookie)
        assert replay.get("/inbox").status_code == 303

    def test_login_link_signs_in_once(self, teammate: Teammate) -> None:
        link = teammate.login_link()
        path = link.removeprefix(teammate.server.base_url)
        http = teammate.browser_http()
        confirm = http.get(path)
        assert confirm.status_code == 200
        used = http.post(path, data={"csrf_token": csrf_of(confirm.text)})
        assert used.status_code == 303
        assert used.headers["location"] == "/inbox"
        assert http.get("/inbox").status_code == 200
        again = teammate.browser_http()
        page = again.get(path)
        refused = again.post(path, data={"csrf_token": csrf_of(page.text)})
        assert refused.headers["location"] == "/inbox/login?error=link"

    def test_cli_sets_passwords_and_prints_login_links(self, server: LiveServer, teammate: Teammate) -> None:
        env = {
            **server.env(),
            "PYTHONPATH": str(SRC),
            "TIDINGS_PUBLIC_URL": server.base_url,
        }
        command = [sys.executable, "-m", "tidings", "admin"]
        ws = ["--workspace", teammate.workspace.id]
        done = subprocess.run(
            [*command, "set-password", teammate.email, *ws, "--password", "a new password"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        teammate.password = "a new password"
        teammate.sign_in()
        printed = subprocess.run(
            [*command, "login-link", teammate.email, *ws], env=env, capture_output=True, text=True, timeout=60
        )
        assert printed.returncode == 0, printed.stderr
        link = printed.stdout.strip()
        assert link.startswith(f"{server.base_url}/inbox/login/")
        http = teammate.browser_http()
        path = link.removeprefix(server.base_url)
        page = http.get(path)
        assert http.post(path, data={"csrf_token": csrf_of(page.text)}).headers["location"] == "/inbox"
        unknown = subprocess.run(
            [*command, "login-link", "nobody@example.com", *ws], env=env, capture_output=True, text=True, timeout=60
        )
        assert unknown.returncode == 1
        assert "No admin" in unknown.stderr

    def test_short_password_is_refused(self, server: LiveServer, teammate: Teammate) -> None:
        with server.management() as mgmt:
            answer = mgmt.put(
                f"/workspaces/{teammate.workspace.id}/admins/{teammate.admin_id}/password", json={"password": "short"}
            )
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["field"] == "password"

    def test_removing_the_admin_revokes_their_sessions(self, server: LiveServer, workspace: Workspace) -> None:
        teammate = new_teammate(server, workspace)
        signed_in = teammate.sign_in()
        conversation_id = conversation(workspace, contact(workspace))
        assert signed_in.act(conversation_id, "assign", assignee="me").status_code == 200
        management_json(server, "DELETE", f"/workspaces/{workspace.id}/admins/{teammate.admin_id}")
        assert signed_in.http.get("/inbox").status_code == 303
        refused = signed_in.act(conversation_id, "reply", body="still here?")
        assert refused.status_code == 401
        assert refused.headers["hx-redirect"] == "/inbox/login"
        assert api_conversation(workspace, conversation_id)["admin_assignee_id"] is None
        with server.management() as mgmt:
            assert mgmt.post(f"/workspaces/{workspace.id}/admins/{teammate.admin_id}/login_link").status_code == 404

    def test_a_teammate_sees_only_their_workspace(self, server: LiveServer, signed_in: SignedIn) -> None:
        other = server.new_workspace("other")
        foreign = conversation(other, contact(other))
        assert foreign not in list_ids(signed_in, state="all")
        assert signed_in.http.get(f"/inbox/conversations/{foreign}").status_code == 404
        assert signed_in.act(foreign, "reply", body="hello").status_code == 404
        assert all(p["part_type"] != "comment" for p in parts(other, foreign))


class TestCsrf:
    def test_every_action_needs_the_sessions_token(self, signed_in: SignedIn, workspace: Workspace) -> None:
        conversation_id = conversation(workspace, contact(workspace))
        missing = signed_in.http.post(f"/inbox/conversations/{conversation_id}/close", data={})
        assert missing.status_code == 403
        wrong = signed_in.http.post(f"/inbox/conversations/{conversation_id}/close", data={"csrf_token": "guess"})
        assert wrong.status_code == 403
        assert api_conversation(workspace, conversation_id)["state"] == "open"
        header = signed_in.http.post(
            f"/inbox/conversations/{conversation_id}/close", headers={"X-CSRF-Token": signed_in.csrf}
        )
        assert header.status_code == 303
        assert api_conversation(workspace, conversation_id)["state"] == "closed"


class TestActions:
    def test_reply_and_note_are_the_teammates_parts(
        self, signed_in: SignedIn, teammate: Teammate, workspace: Workspace
    ) -> None:
        conversation_id = conversation(workspace, contact(workspace))
        answer = signed_in.act(conversation_id, "reply", body="Sorry about that <b>Jane</b>\n\nFixed.")
        assert answer.status_code == 200
        assert signed_in.act(conversation_id, "note", body="refund issued").status_code == 200
        comment, note = parts(workspace, conversation_id)[-2:]
        assert comment["part_type"] == "comment"
        assert comment["author"]["id"] == teammate.admin_id
        assert comment["body"] == "<p>Sorry about that &lt;b&gt;Jane&lt;/b&gt;</p><p>Fixed.</p>"
        assert note["part_type"] == "note"
        assert note["body"] == "<p>refund issued</p>"
        assert "Sorry about that &lt;b&gt;Jane&lt;/b&gt;" in answer.text
        empty = signed_in.act(conversation_id, "reply", body="   ")
        assert empty.status_code == 400
        assert empty.headers["hx-retarget"] == "#flash"

    def test_assign_snooze_close_reopen_tag_priority(
        self, signed_in: SignedIn, teammate: Teammate, server: LiveServer, workspace: Workspace
    ) -> None:
        conversation_id = conversation(workspace, contact(workspace))
        team = management_json(server, "POST", f"/workspaces/{workspace.id}/teams", json={"name": "Billing"})
        assert signed_in.act(conversation_id, "assign", assignee=f"team:{team['id']}").status_code == 200
        assert api_conversation(workspace, conversation_id)["team_assignee_id"] == int(team["id"])
        assert signed_in.act(conversation_id, "assign", assignee="me").status_code == 200
        assert api_conversation(workspace, conversation_id)["admin_assignee_id"] == int(teammate.admin_id)
        assert signed_in.act(conversation_id, "snooze", preset="1d").status_code == 200
        snoozed = api_conversation(workspace, conversation_id)
        assert snoozed["state"] == "snoozed"
        assert snoozed["snoozed_until"] > time.time() + 80000
        assert signed_in.act(conversation_id, "snooze", preset="", until="2001-01-01T10:00").status_code == 400
        assert signed_in.act(conversation_id, "close").status_code == 200
        assert api_conversation(workspace, conversation_id)["state"] == "closed"
        assert signed_in.act(conversation_id, "reopen").status_code == 200
        assert api_conversation(workspace, conversation_id)["state"] == "open"
        assert signed_in.act(conversation_id, "tag", tag_name="refund").status_code == 200
        tags = api_conversation(workspace, conversation_id)["tags"]["tags"]
        assert [t["name"] for t in tags] == ["refund"]
        assert signed_in.act(conversation_id, "priority", priority="priority").status_code == 200
        assert api_conversation(workspace, conversation_id)["priority"] == "priority"
        assert signed_in.act(conversation_id, "priority", priority="urgent").status_code == 400
        kinds = [p["part_type"] for p in parts(workspace, conversation_id)]
        assert kinds == ["assignment", "assignment", "snoozed", "close", "open"]
        assert signed_in.act(conversation_id, "explode").status_code == 404

    def test_actions_send_the_webhooks_the_api_sends(
        self, signed_in: SignedIn, server: LiveServer, workspace: Workspace
    ) -> None:
        from tests.support.receiver import Receiver

        with Receiver() as receiver:
            topics = ["conversation.admin.replied", "conversation.admin.closed", "conversation.priority.updated"]
            management_json(
                server,
                "POST",
                f"/workspaces/{workspace.id}/webhook_subscriptions",
                json={"url": receiver.url, "topics": topics},
            )
            conversation_id = conversation(workspace, contact(workspace))
            signed_in.act(conversation_id, "reply", body="On it")
            signed_in.act(conversation_id, "priority", priority="priority")
            signed_in.act(conversation_id, "close")

            def arrived(seen: list[Any]) -> bool:
                return {r.json["topic"] for r in seen} >= set(topics)

            seen = receiver.wait_for(arrived)
        replied = next(r.json for r in seen if r.json["topic"] == "conversation.admin.replied")
        assert replied["data"]["item"]["id"] == conversation_id

    def test_convert_to_ticket(self, signed_in: SignedIn, workspace: Workspace) -> None:
        conversation_id = conversation(workspace, contact(workspace))
        ticket_type = workspace.http.post("/ticket_types", json={"name": "Refund", "category": "Customer"})
        assert ticket_type.status_code == 200, ticket_type.text
        answer = signed_in.act(conversation_id, "convert", ticket_type_id=ticket_type.json()["id"])
        assert answer.status_code == 200, answer.text
        linked = api_conversation(workspace, conversation_id)["linked_objects"]["data"]
        assert [item["type"] for item in linked] == ["ticket"]
        tickets_page = signed_in.http.get("/inbox/tickets")
        assert "Refund" in tickets_page.text
        ticket_id = linked[0]["id"]
        page = signed_in.http.get(f"/inbox/tickets/{ticket_id}")
        assert page.status_code == 200
        assert "Submitted" in page.text
        states = workspace.http.get("/ticket_states").json()["data"]
        in_progress = next(s for s in states if s["category"] == "in_progress")
        changed = signed_in.http.post(
            f"/inbox/tickets/{ticket_id}/state",
            data={"csrf_token": signed_in.csrf, "ticket_state_id": in_progress["id"]},
            headers={"HX-Request": "true"},
        )
        assert changed.status_code == 200, changed.text
        assert workspace.http.get(f"/tickets/{ticket_id}").json()["ticket_state"]["id"] == in_progress["id"]
        assert "changed the state" in changed.text


class TestList:
    def test_filters_search_and_unread(
        self, signed_in: SignedIn, teammate: Teammate, server: LiveServer, workspace: Workspace
    ) -> None:
        jane = contact(workspace)
        bob = contact(workspace, "Bob Stone", "bob@example.com")
        invoice = conversation(workspace, jane, "<p>My invoice is wrong</p>")
        parcel = conversation(workspace, bob, "<p>Where is my parcel?</p>")
        closed = conversation(workspace, jane, "<p>Thanks!</p>")
        signed_in.act(invoice, "assign", assignee="me")
        signed_in.act(parcel, "priority", priority="priority")
        signed_in.act(closed, "close")
        assert set(list_ids(signed_in)) == {invoice, parcel}
        assert list_ids(signed_in, state="closed") == [closed]
        assert list_ids(signed_in, assignee="me") == [invoice]
        assert list_ids(signed_in, assignee="unassigned") == [parcel]
        assert list_ids(signed_in, priority="1") == [parcel]
        assert list_ids(signed_in, q="PARCEL") == [parcel]
        assert list_ids(signed_in, q="bob@example") == [parcel]
        assert list_ids(signed_in, q="100%_") == []
        assert set(list_ids(signed_in, q="jane", state="all")) == {invoice, closed}
        home = signed_in.http.get("/inbox").text
        assert 'data-view="all"' in home
        assert 'title="unread">2<' in home
        signed_in.http.get(f"/inbox/conversations/{parcel}")
        assert api_conversation(workspace, parcel)["read"] is True

    def test_rows_show_their_contact_and_latest_part_and_search_reads_parts(
        self, signed_in: SignedIn, workspace: Workspace
    ) -> None:
        jane = contact(workspace)
        noted = conversation(workspace, jane, "<p>Opening words</p>")
        bare = conversation(workspace, contact(workspace, "", "nameless@example.com"), "<p>Second one</p>")
        assert signed_in.act(noted, "note", body="Checked the zebra ledger").status_code == 200
        page = signed_in.http.get("/inbox", headers={"HX-Request": "true"}).text

        def row(conversation_id: str) -> str:
            start = page.index(f'data-conversation-id="{conversation_id}"')
            return page[start : page.index("</a>", start)]

        assert "Jane Doe" in row(noted)
        assert "Note:" in row(noted)
        assert "zebra ledger" in row(noted)
        assert "Opening words" not in row(noted)
        assert "nameless@example.com" in row(bare)
        assert "Second one" in row(bare)
        assert list_ids(signed_in, q="ZEBRA") == [noted]
        assert list_ids(signed_in, q="nameless") == [bare]

    def test_handed_over_by_fin(self, signed_in: SignedIn, server: LiveServer, workspace: Workspace) -> None:
        plain = conversation(workspace, contact(workspace))
        started = workspace.http.post(
            "/fin/start",
            json={
                "conversation_id": "fin-1",
                "message": {"author": "user", "body": "Can I talk to a human please?", "timestamp": STAMP},
                "user": {"id": "fin-user-1", "name": "Fin User", "email": "fin@example.com"},
            },
        )
        assert started.status_code == 200, started.text
        deadline = time.monotonic() + 30
        handed = []
        while time.monotonic() < deadline and not handed:
            handed = list_ids(signed_in, fin="1")
            time.sleep(0.2)
        assert len(handed) == 1
        assert handed[0] != plain
        thread = signed_in.http.get(f"/inbox/conversations/{handed[0]}").text
        assert "Fin handed over: Escalation requested by user" in thread

    def test_paging_with_load_more(self, signed_in: SignedIn, workspace: Workspace) -> None:
        jane = contact(workspace)
        made = [conversation(workspace, jane, f"<p>number {n}</p>") for n in range(55)]
        first = signed_in.http.get("/inbox", headers={"HX-Request": "true"}).text
        cursor = re.search(r'/inbox\?[^"]*before=([0-9-]+)', first)
        assert cursor, "no Load more"
        second = list_ids_from(signed_in.http.get("/inbox", params={"before": cursor.group(1)}).text)
        assert set(list_ids_from(first)) | set(second) == set(made)
        assert len(second) == 5
        assert signed_in.http.get("/inbox", params={"before": "nonsense"}).status_code == 400


class TestRendering:
    def test_customer_html_is_sanitised(self, signed_in: SignedIn, workspace: Workspace) -> None:
        conversation_id = conversation(workspace, contact(workspace, name="<b>Evil</b>"), XSS_BODY)
        page = signed_in.http.get(f"/inbox/conversations/{conversation_id}").text
        thread = page[page.index('id="thread"') :]
        assert "<script" not in thread
        assert "onerror" not in thread
        assert "javascript:" not in thread
        assert 'href="https://example.com/ok"' in thread
        assert "&lt;b&gt;Evil&lt;/b&gt;" in page
        assert "<b>Evil</b>" not in page
        listing = signed_in.http.get("/inbox").text
        assert "<script" not in listing.split("</head>")[1]

    def test_off_switch(self, tmp_path: Any) -> None:
        from tests.conftest import start_server, stop_server

        live = start_server("sqlite", tmp_path, extra_env={"TIDINGS_INBOX_ENABLED": "0"})
        try:
            import httpx

            assert httpx.get(f"{live.base_url}/inbox/login").status_code == 404
        finally:
            stop_server(live)


class TestLive:
    def test_events_reach_streams_on_every_postgresql_worker(self, tmp_path: Any) -> None:
        from tests.conftest import start_server, stop_server

        live = start_server("postgresql", tmp_path, workers=2)
        try:
            workspace = live.new_workspace()
            signed_in = new_teammate(live, workspace).sign_in()
            # Four streams on two worker processes: the kernel spreads the connections over both.
            streams = [LiveStream(signed_in) for _ in range(4)]
            for stream in streams:
                stream.wait_open()
            conversation_id = conversation(workspace, contact(workspace))
            for stream in streams:
                stream.wait_for(f'"conversation_id":"{conversation_id}"')
        finally:
            stop_server(live)


class LiveStream:
    """One `GET /inbox/events` read on a thread, its lines kept."""

    def __init__(self, signed_in: SignedIn) -> None:
        import threading

        self.lines: list[str] = []
        self.opened = threading.Event()
        self.http = httpx.Client(base_url=str(signed_in.http.base_url), cookies=signed_in.http.cookies, timeout=30)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            with self.http.stream("GET", "/inbox/events") as answer:
                self.opened.set()
                for line in answer.iter_lines():
                    self.lines.append(line)
        except httpx.HTTPError:
            pass  # the server stopped at the end of the test; `wait_for` judges what arrived

    def wait_open(self) -> None:
        assert self.opened.wait(20), "the stream did not open"

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            time.sleep(0.05)
        raise AssertionError(f"{text} not streamed; got {self.lines[-5:]}")
