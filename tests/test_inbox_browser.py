"""The inbox in a real headless Chromium, on SQLite and PostgreSQL: sign in, a conversation Fin hands
over appears live, the teammate replies with the keyboard, and the reply reaches the customer's
platform (a custom channel receiver on loopback) and the Conversations API; XSS payloads never run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium_page, require_chromium
from tests.support.inbox import Teammate, new_teammate
from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Receiver
from tests.test_custom_channel import GUIDE, NOT_COVERED, Integrator, event_id, user

# `TIDINGS_INBOX_SCREENSHOTS=docs/inbox` redraws the screenshots docs/inbox.md shows (SQLite run).
SCREENSHOTS = os.environ.get("TIDINGS_INBOX_SCREENSHOTS")
# Payloads a customer could send; each would set window.__xss if it ever ran.
XSS_PAYLOADS = [
    "<script>window.__xss = 'script'</script>",
    '<img src="https://invalid.example/x.png" onerror="window.__xss = \'onerror\'">',
    '<a id="js-link" href="javascript:window.__xss = \'javascript\'">click me</a>',
    "<svg onload=\"window.__xss = 'svg'\"></svg>",
    "<iframe src=\"javascript:parent.__xss = 'iframe'\"></iframe>",
    "<p style=\"background:url(javascript:window.__xss = 'style')\" onclick=\"window.__xss = 'click'\">press</p>",
]


@pytest.fixture
def playwright(server: LiveServer) -> Iterator[Any]:
    """Per test, after the server: Playwright's sync API runs an event loop in this thread, and the
    PostgreSQL fixtures' `asyncio.run` must not meet it."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture
def dialogs() -> list[str]:
    """Every alert/confirm/prompt the page opened (an XSS payload would)."""
    return []


@pytest.fixture
def page(playwright: Any, dialogs: list[str]) -> Iterator[Any]:
    with chromium_page(playwright) as opened:
        opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        yield opened


@pytest.fixture
def teammate(server: LiveServer, workspace: Workspace) -> Teammate:
    return new_teammate(server, workspace)


def sign_in(page: Any, teammate: Teammate) -> None:
    page.goto(f"{teammate.server.base_url}/inbox")
    screenshot(page, "login", teammate.server.dialect)
    page.fill("input[name=email]", teammate.email)
    page.fill("input[name=password]", teammate.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{teammate.server.base_url}/inbox")
    page.wait_for_function("document.body.dataset.liveConnected === '1'")


def wait_for_row(page: Any, conversation_id: str) -> Any:
    row = page.locator(f".row[data-conversation-id='{conversation_id}']")
    row.wait_for()
    return row


def screenshot(page: Any, name: str, dialect: str) -> None:
    if SCREENSHOTS and dialect == "sqlite":
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def test_fin_hand_over_appears_live_and_the_reply_reaches_the_customers_platform(
    page: Any, server: LiveServer, workspace: Workspace, teammate: Teammate
) -> None:
    client = workspace.client
    source = client.unstable.ai_content.create_content_import_source(url="https://help.example.com")
    client.unstable.ai_content.create_external_page(
        title="Account help",
        html=GUIDE,
        url="https://help.example.com/account",
        source_id=int(source.id),
        external_id="account",
        ai_agent_availability=True,
    )
    with Receiver() as receiver:
        integrator = Integrator(server, workspace, receiver, fin_enabled=True)
        sign_in(page, teammate)
        page.click("a[data-view='fin']")
        page.wait_for_selector(".empty-list")
        page.evaluate("window.__not_reloaded = true")

        # The customer writes on their platform; Fin cannot answer and hands over.
        opened = integrator.events.notify_new_message(
            event_id=event_id(), external_conversation_id="browser-1", contact=user(), body=NOT_COVERED
        )
        integrator.wait_for("browser-1", "handover")
        row = wait_for_row(page, opened.conversation_id)
        assert page.evaluate("window.__not_reloaded") is True, "the list was reloaded instead of updated live"
        assert "unread" in (row.get_attribute("class") or "")
        screenshot(page, "list", server.dialect)

        row.click()
        page.wait_for_selector("#conversation")
        assert "passing you to the team" in page.inner_text("#thread")
        assert page.locator(".msg.from-bot").count() >= 1

        # r focuses the reply box; Ctrl+Enter sends.
        page.keyboard.press("r")
        page.keyboard.type("Hello Jane, a person here: yes, parrots are welcome.")
        page.keyboard.press("Control+Enter")
        page.locator(".msg.from-admin", has_text="parrots are welcome").wait_for()
        screenshot(page, "conversation", server.dialect)

        [*_, said] = integrator.wait_for("browser-1", "new_message", count=2)
        author = said["payload"]["message"]["author"]
        assert author["type"] == "admin"
        assert author["id"] == teammate.admin_id
        assert said["payload"]["message"]["body"] == "<p>Hello Jane, a person here: yes, parrots are welcome.</p>"
    conversation = client.unstable.conversations.retrieve_conversation(id=int(opened.conversation_id))
    last = conversation.conversation_parts.conversation_parts[-1]
    assert last.part_type == "comment"
    assert last.author.id == teammate.admin_id
    assert "parrots are welcome" in last.body


def test_notes_close_and_a_customer_reply_arriving_live(
    page: Any, server: LiveServer, workspace: Workspace, teammate: Teammate
) -> None:
    jane = workspace.http.post("/contacts", json={"role": "user", "email": "jane@example.com", "name": "Jane"}).json()
    started = workspace.http.post(
        "/conversations", json={"from": {"type": "user", "id": jane["id"]}, "body": "<p>Is my order shipped?</p>"}
    ).json()
    conversation_id = started["conversation_id"]
    sign_in(page, teammate)
    wait_for_row(page, conversation_id).click()
    page.wait_for_selector("#conversation")

    page.keyboard.press("n")
    page.keyboard.type("Checking with the warehouse")
    page.keyboard.press("Control+Enter")
    page.locator(".msg.note", has_text="Checking with the warehouse").wait_for()

    # The customer writes again while the teammate looks at the thread: it appears without reload.
    page.evaluate("window.__not_reloaded = true")
    reply = workspace.http.post(
        f"/conversations/{conversation_id}/reply",
        json={"message_type": "comment", "type": "user", "intercom_user_id": jane["id"], "body": "<p>Any news?</p>"},
    )
    assert reply.status_code == 200, reply.text
    page.locator(".msg.from-contact", has_text="Any news?").wait_for()
    assert page.evaluate("window.__not_reloaded") is True

    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("c")
    page.wait_for_selector("#state-badge:has-text('Closed')")
    state = workspace.http.get(f"/conversations/{conversation_id}").json()
    assert state["state"] == "closed"
    kinds = [p["part_type"] for p in state["conversation_parts"]["conversation_parts"]]
    assert kinds == ["note", "comment", "close"]


def test_xss_payloads_never_run(
    page: Any, dialogs: list[str], server: LiveServer, workspace: Workspace, teammate: Teammate
) -> None:
    evil_name = "<img src=x onerror=\"window.__xss = 'name'\">"
    contact = workspace.http.post(
        "/contacts", json={"role": "user", "email": "evil@example.com", "name": evil_name}
    ).json()
    body = "<p>Hi</p>" + "".join(XSS_PAYLOADS)
    started = workspace.http.post("/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": body})
    assert started.status_code == 200, started.text
    conversation_id = started.json()["conversation_id"]
    reply = workspace.http.post(
        f"/conversations/{conversation_id}/reply",
        json={"message_type": "comment", "type": "user", "intercom_user_id": contact["id"], "body": body},
    )
    assert reply.status_code == 200, reply.text
    sign_in(page, teammate)
    wait_for_row(page, conversation_id).click()
    page.wait_for_selector("#conversation")
    page.locator("#thread a", has_text="click me").first.click()
    page.locator("#thread p", has_text="press").first.click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    dangerous = (
        "#thread script, #thread iframe, #thread svg, [onerror], [onload], [onclick], [style*=javascript],"
        " a[href^='javascript']"
    )
    assert page.locator(dangerous).count() == 0
    assert page.locator("#thread a", has_text="click me").first.get_attribute("href") is None
    # The contact's name is shown as text, not markup.
    assert page.locator(".msg header b", has_text=evil_name).count() >= 1
