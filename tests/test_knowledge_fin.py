"""Fin answers from the knowledge areas' content: published articles (citing their help-center
URL), content snippets (never cited), never drafts, never content whose Fin availability is off, and
never an internal article's link; Copilot's audience sees internal articles. Through /fin/start on
a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.live import LiveServer, Workspace
from tests.support.receiver import Receiver
from tests.test_ai_content import run_search
from tests.test_fin import configure, events_of, shape, start

AUDIT = (
    "<p>To export the audit log, open Admin and choose Compliance. Click Export audit log and pick a date "
    "range; the CSV file is emailed to you within an hour.</p>"
)
QUESTION = "How do I export the audit log?"
SNIPPET_QUESTION = "Which carrier ships parcels to Norway?"


class Knowledge:
    def __init__(self, server: LiveServer, ws: Workspace, receiver: Receiver, secret: str) -> None:
        self.server, self.ws, self.receiver, self.secret = server, ws, receiver, secret
        self.author = int(ws.client.unstable.admins.identify_admin().id)
        self.asked = 0

    def ask(self, question: str, events: int) -> list[dict[str, Any]]:
        self.asked += 1
        conversation = f"knowledge-{self.asked}"
        start(self.ws, conversation, question)
        return events_of(self.receiver, self.secret, conversation, events, self.ws.control)

    def answered(self, question: str) -> str:
        found = self.ask(question, 2)
        assert shape(found) == [("fin_replied", "replying", None), ("fin_status_updated", "awaiting_user_reply", None)]
        return found[0]["message"]["body"]

    def escalated(self, question: str) -> None:
        found = self.ask(question, 3)
        assert shape(found)[1] == ("fin_status_updated", "escalated", "Routed to team")
        assert "couldn't find" in found[0]["message"]["body"]

    def put_article(self, article_id: str, **fields: Any) -> dict[str, Any]:
        response = self.ws.http.put(f"/articles/{article_id}", json=fields)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def knowledge(server: LiveServer) -> Iterator[Knowledge]:
    ws = server.new_workspace("knowledge")
    with Receiver() as receiver:
        settings = configure(server, ws, webhook_url=receiver.url)
        yield Knowledge(server, ws, receiver, settings["webhook_secret"])


def links(body: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" target="_blank">', body)


def test_fin_answers_from_a_published_article_and_cites_it(knowledge: Knowledge) -> None:
    client = knowledge.ws.client
    collection = client.unstable.help_center.create_collection(name="Security")
    client.unstable.articles.create_article(
        request={
            "title": "Passwords",
            "body": "<p>Reset your password from Settings.</p>",
            "author_id": knowledge.author,
            "state": "published",
            "parent_id": int(collection.id),
        }
    )
    article = client.unstable.articles.create_article(
        request={
            "title": "Exporting the audit log",
            "body": AUDIT,
            "author_id": knowledge.author,
            "state": "published",
            "parent_id": int(collection.id),
            "parent_type": "collection",
        }
    )
    body = knowledge.answered(QUESTION)
    assert "Compliance" in body
    assert links(body)[0] == article.url

    # Unpublished: Fin no longer knows it.
    knowledge.put_article(article.id, state="draft")
    knowledge.escalated(QUESTION)
    # Published again, then its Fin availability turned off.
    knowledge.put_article(article.id, state="published")
    assert links(knowledge.answered(QUESTION))[0] == article.url
    knowledge.put_article(article.id, ai_chatbot_availability=False)
    knowledge.escalated(QUESTION)
    knowledge.put_article(article.id, ai_chatbot_availability=True)
    # Deleted: gone from Fin in the same transaction.
    client.unstable.articles.delete_article(id=int(article.id))
    knowledge.escalated(QUESTION)


def test_an_unlisted_article_answers_without_a_link(knowledge: Knowledge) -> None:
    client = knowledge.ws.client
    collection = client.unstable.help_center.create_collection(name="Security")
    article = client.unstable.articles.create_article(
        request={
            "title": "Exporting the audit log",
            "body": AUDIT,
            "author_id": knowledge.author,
            "state": "published",
            "parent_id": int(collection.id),
        }
    )
    assert links(knowledge.answered(QUESTION)) == [article.url]
    client.unstable.help_center.delete_collection(id=int(collection.id))
    body = knowledge.answered(QUESTION)
    assert "Compliance" in body
    assert links(body) == []


def test_internal_articles_are_copilots_never_cited_by_fin(knowledge: Knowledge) -> None:
    client = knowledge.ws.client
    internal = client.unstable.internal_articles.create_internal_article(
        request={
            "title": "Exporting the audit log",
            "body": AUDIT,
            "author_id": knowledge.author,
            "owner_id": knowledge.author,
        }
    )
    knowledge.escalated(QUESTION)
    for_copilot = run_search(knowledge.server, knowledge.ws, QUESTION, audience="copilot")
    assert for_copilot
    assert for_copilot[0].title == "Exporting the audit log"
    assert for_copilot[0].url is None
    assert run_search(knowledge.server, knowledge.ws, QUESTION, audience="ai_agent") == []
    # Even made available to Fin, an internal article has no public URL to cite.
    updated = knowledge.ws.http.put(f"/internal_articles/{internal.id}", json={"ai_chatbot_availability": True})
    assert updated.status_code == 200
    body = knowledge.answered(QUESTION)
    assert "Compliance" in body
    assert links(body) == []
    client.unstable.internal_articles.delete_internal_article(id=int(internal.id))
    assert run_search(knowledge.server, knowledge.ws, QUESTION, audience="copilot") == []


def test_fin_answers_from_snippets_without_links(knowledge: Knowledge) -> None:
    created = knowledge.ws.http.post(
        "/content_snippets",
        json={
            "title": "Shipping to Norway",
            "json_blocks": [
                {
                    "type": "paragraph",
                    "text": "Parcels to Norway ship with Posten, the Norwegian carrier, in five days.",
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    body = knowledge.answered(SNIPPET_QUESTION)
    assert "Posten" in body
    assert links(body) == []
    snippet_id = created.json()["id"]
    off = knowledge.ws.http.put(f"/content_snippets/{snippet_id}", json={"chatbot_availability": 0})
    assert off.json()["chatbot_availability"] == 0
    knowledge.escalated(SNIPPET_QUESTION)
    assert (
        run_search(knowledge.server, knowledge.ws, SNIPPET_QUESTION, audience="copilot")[0].title
        == "Shipping to Norway"
    )
