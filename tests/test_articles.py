"""Articles and the help center (help centers, collections) end to end through the official SDK
(`client.unstable.articles`, `client.unstable.help_center`); updating an article through raw HTTP,
which neither SDK can do. Every response is checked against the spec."""

from __future__ import annotations

from typing import Any

import pytest
from intercom.core.api_error import ApiError

from tests.support.live import LiveServer, Workspace, management_json
from tests.support.receiver import Receiver


def admin_id(client: Any) -> int:
    return int(client.unstable.admins.identify_admin().id)


def create_article(client: Any, **fields: Any) -> Any:
    """The SDK takes the create body as one untyped `request`."""
    return client.unstable.articles.create_article(request=fields)


def help_center(client: Any) -> Any:
    return client.unstable.help_center.list_help_centers().data[0]


def set_locales(server: LiveServer, ws: Workspace, client: Any, locales: list[str]) -> dict[str, Any]:
    hc = help_center(client)
    return management_json(server, "PUT", f"/workspaces/{ws.id}/help_centers/{hc.id}", json={"locales": locales})


def test_a_workspace_has_one_help_center(client: Any) -> None:
    listed = client.unstable.help_center.list_help_centers()
    assert len(listed.data) == 1
    hc = listed.data[0]
    assert hc.website_turned_on is True
    assert hc.url == f"https://intercom.help/{hc.identifier}"
    assert hc.custom_domain is None
    found = client.unstable.help_center.retrieve_help_center(id=int(hc.id))
    assert found.identifier == hc.identifier
    with pytest.raises(ApiError) as missing:
        client.unstable.help_center.retrieve_help_center(id=999999)
    assert missing.value.status_code == 404


def test_help_centers_are_set_up_through_the_management_api(server: LiveServer, workspace: Workspace, client) -> None:
    hc = help_center(client)
    path = f"/workspaces/{workspace.id}/help_centers"
    changed = management_json(server, "PUT", f"{path}/{hc.id}", json={"custom_domain": "help.acme.test"})
    assert changed["url"] == "https://help.acme.test"
    second = management_json(server, "POST", path, json={"identifier": "acme-pro", "display_name": "Pro"})
    assert second["website_turned_on"] is False
    assert {h.id for h in client.unstable.help_center.list_help_centers().data} == {hc.id, second["id"]}
    with server.management() as mgmt:
        assert mgmt.put(f"{path}/{hc.id}", json={"locales": ["en", "xx"]}).status_code == 400
        assert mgmt.put(f"{path}/{hc.id}", json={"locales": []}).status_code == 400


def test_collections_nest_order_and_delete_their_subtree(client: Any) -> None:
    hc = help_center(client)
    top = client.unstable.help_center.create_collection(name="Billing")
    assert top.help_center_id == int(hc.id)
    assert top.parent_id is None
    assert top.order == 1
    assert top.icon == "book-bookmark"
    assert top.url.endswith(f"/en/collections/{top.id}-billing")
    second = client.unstable.help_center.create_collection(name="Account", description="Your account")
    assert second.order == 2
    child = client.unstable.help_center.create_collection(name="Refunds", parent_id=top.id)
    assert child.parent_id == top.id
    assert child.help_center_id is None
    grandchild = client.unstable.help_center.create_collection(name="Cards", parent_id=child.id)
    with pytest.raises(ApiError) as too_deep:
        client.unstable.help_center.create_collection(name="Deeper", parent_id=grandchild.id)
    assert too_deep.value.status_code == 400
    with pytest.raises(ApiError) as cycle:
        client.unstable.help_center.update_collection(id=int(top.id), parent_id=grandchild.id)
    assert cycle.value.status_code == 400
    with pytest.raises(ApiError) as nameless:
        client.unstable.help_center.create_collection(name="")
    assert nameless.value.body["errors"][0] == {
        "code": "parameter_not_found",
        "message": "Name is a required parameter.",
        "field": "name",
    }
    renamed = client.unstable.help_center.update_collection(id=int(second.id), name="Profile")
    assert renamed.name == "Profile"
    assert renamed.description == "Your account"
    assert client.unstable.help_center.retrieve_collection(id=int(second.id)).name == "Profile"
    listed = client.unstable.help_center.list_all_collections()
    assert listed.total_count == 4
    stamps = [(c.updated_at, int(c.id)) for c in listed.data]
    assert stamps == sorted(stamps, reverse=True)  # most recently updated first

    author = admin_id(client)
    article = create_article(
        client,
        title="Refund timing",
        author_id=author,
        state="published",
        parent_id=int(grandchild.id),
        parent_type="collection",
    )
    assert article.parent_ids == [int(grandchild.id)]
    deleted = client.unstable.help_center.delete_collection(id=int(top.id))
    assert deleted.deleted is True
    assert deleted.object == "collection"
    assert {c.id for c in client.unstable.help_center.list_all_collections().data} == {second.id}
    # The article stays, unlisted.
    assert client.unstable.articles.retrieve_article(id=int(article.id)).parent_ids == []
    with pytest.raises(ApiError) as gone:
        client.unstable.help_center.retrieve_collection(id=int(child.id))
    assert gone.value.status_code == 404


def test_article_lifecycle(workspace: Workspace, client: Any) -> None:
    author = admin_id(client)
    collection = client.unstable.help_center.create_collection(name="Getting started")
    created = create_article(
        client,
        title="Thanks for everything",
        description="Description of the Article",
        body="Body of the Article",
        author_id=author,
        state="published",
        parent_id=int(collection.id),
        parent_type="collection",
    )
    assert created.body == '<p class="no-margin">Body of the Article</p>'
    assert created.state == "published"
    assert created.parent_ids == [int(collection.id)]
    assert created.url == f"{help_center(client).url}/en/articles/{created.id}-thanks-for-everything"
    assert created.statistics.views == 0
    assert created.translated_content is None
    raw = workspace.http.get(f"/articles/{created.id}").json()
    assert "translated_content" not in raw
    assert "default_locale" not in raw
    assert raw["tags"] == {"type": "tag.list", "tags": []}
    assert raw["statistics"]["conversations"] == 0

    draft = create_article(client, title="Unfinished", author_id=author)
    assert draft.state == "draft"
    assert draft.url is None
    assert draft.body == ""

    updated = workspace.http.put(
        f"/articles/{created.id}", json={"title": "Christmas is here!", "body": "<p>New gifts in store</p>"}
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["body"] == '<p class="no-margin">New gifts in store</p>'
    assert body["state"] == "published"  # omitted state is left as it was
    assert body["url"].endswith(f"/articles/{created.id}-christmas-is-here")
    assert body["description"] == "Description of the Article"

    listed = client.unstable.articles.list_articles()
    assert listed.total_count == 2
    assert {a.id for a in listed.data} == {created.id, draft.id}
    assert listed.data[0].updated_at >= listed.data[1].updated_at
    assert "statistics" not in workspace.http.get("/articles").json()["data"][0]

    deleted = client.unstable.articles.delete_article(id=int(draft.id))
    assert (deleted.id, deleted.object, deleted.deleted) == (draft.id, "article", True)
    with pytest.raises(ApiError) as missing:
        client.unstable.articles.retrieve_article(id=int(draft.id))
    assert missing.value.status_code == 404
    assert missing.value.body["errors"][0]["message"] == "Resource Not Found"


def test_article_errors_change_nothing(workspace: Workspace, client: Any) -> None:
    author = admin_id(client)
    no_author = workspace.http.post("/articles", json={"title": "x"})
    assert no_author.status_code == 400
    assert no_author.json()["errors"][0]["code"] == "parameter_not_found"
    assert "author_id must be in the main body" in no_author.json()["errors"][0]["message"]
    assert workspace.http.post("/articles", json={"author_id": author}).status_code == 400
    stranger = workspace.http.post("/articles", json={"title": "x", "author_id": 123456789})
    assert stranger.status_code == 400
    assert stranger.json()["errors"][0]["field"] == "author_id"
    assert (
        workspace.http.post("/articles", json={"title": "x", "author_id": author, "state": "live"}).status_code == 400
    )
    no_parent = workspace.http.post("/articles", json={"title": "x", "author_id": author, "parent_id": 99999})
    assert no_parent.status_code == 404
    bad_locale = workspace.http.post(
        "/articles", json={"title": "x", "author_id": author, "translated_content": {"xx": {"title": "y"}}}
    )
    assert bad_locale.status_code == 400
    assert workspace.http.put("/articles/²", json={"title": "x"}).status_code == 404
    assert workspace.http.get("/articles/abc").status_code == 404
    assert client.unstable.articles.list_articles().total_count == 0


def test_search_by_phrase_state_and_help_center(server: LiveServer, workspace: Workspace, client: Any) -> None:
    author = admin_id(client)
    collection = client.unstable.help_center.create_collection(name="Billing")
    refund = create_article(
        client,
        title="Refunds",
        body="<p>A refund reaches your card within ten days.</p>",
        author_id=author,
        state="published",
        parent_id=int(collection.id),
    )
    create_article(
        client,
        title="Invoices",
        body="<p>Invoices are emailed monthly; a refund appears on the next one.</p>",
        author_id=author,
        state="draft",
    )
    create_article(client, title="Passwords", body="<p>Reset it in Settings.</p>", author_id=author)

    found = client.unstable.articles.search_articles(phrase="refund card")
    assert found.total_count == 2
    assert found.data.articles[0].id == refund.id  # the one holding both words ranks first
    assert found.data.highlights == []
    published = client.unstable.articles.search_articles(phrase="refund", state="published")
    assert [a.id for a in published.data.articles] == [refund.id]
    drafts = client.unstable.articles.search_articles(phrase="refund", state="draft")
    assert [a.title for a in drafts.data.articles] == ["Invoices"]
    everything = client.unstable.articles.search_articles()
    assert everything.total_count == 3
    # An article belongs to the help center of its collection; unlisted ones to the workspace's.
    other = management_json(server, "POST", f"/workspaces/{workspace.id}/help_centers", json={"identifier": "pro"})
    assert client.unstable.articles.search_articles(help_center_id=int(other["id"])).total_count == 0
    pro = client.unstable.help_center.create_collection(name="Pro billing", help_center_id=int(other["id"]))
    workspace.http.put(f"/articles/{refund.id}", json={"parent_id": pro.id}).raise_for_status()
    in_pro = client.unstable.articles.search_articles(phrase="refund", help_center_id=int(other["id"]))
    assert [a.id for a in in_pro.data.articles] == [refund.id]
    assert in_pro.data.articles[0].url.startswith("https://intercom.help/pro/en/articles/")
    highlighted = client.unstable.articles.search_articles(phrase="refunds", highlight=True, state="published")
    marks = highlighted.data.highlights[0]
    assert marks.article_id == refund.id
    assert [(p.type, p.text) for p in marks.highlighted_title] == [("highlight", "Refunds")]
    raw = workspace.http.get("/articles/search", params={"phrase": "refund", "per_page": 1, "page": 2}).json()
    assert raw["pages"] == {"type": "pages", "page": 2, "per_page": 1, "total_pages": 2}
    assert len(raw["data"]["articles"]) == 1
    assert workspace.http.get("/articles/search", params={"state": "gone"}).status_code == 400


def test_translated_content_appears_with_two_languages(server: LiveServer, workspace: Workspace, client) -> None:
    author = admin_id(client)
    article = create_article(
        client,
        title="Thanks for everything",
        body="Body",
        author_id=author,
        state="published",
        translated_content={"fr": {"title": "Merci pour tout", "body": "Corps", "state": "draft"}},
    )
    assert article.translated_content is None
    set_locales(server, workspace, client, ["en", "fr"])
    raw = workspace.http.get(f"/articles/{article.id}").json()
    assert raw["default_locale"] == "en"
    content = raw["translated_content"]
    assert content["type"] == "article_translated_content"
    assert (content["en"]["title"], content["en"]["state"]) == ("Thanks for everything", "published")
    assert (content["fr"]["title"], content["fr"]["state"]) == ("Merci pour tout", "draft")
    assert content["fr"]["url"].endswith(f"/fr/articles/{article.id}-merci-pour-tout")
    assert content["fr"]["author_id"] == author
    published = workspace.http.put(
        f"/articles/{article.id}", json={"translated_content": {"fr": {"state": "published"}}}
    ).json()
    assert published["translated_content"]["fr"]["state"] == "published"
    assert published["translated_content"]["fr"]["url"].endswith(f"/fr/articles/{article.id}-merci-pour-tout")
    assert published["translated_content"]["en"]["title"] == "Thanks for everything"  # merged per locale
    collection = client.unstable.help_center.create_collection(
        name="Billing", translated_content={"fr": {"name": "Facturation", "description": "Tout"}}
    )
    assert collection.default_locale == "en"
    raw_collection = workspace.http.get(f"/help_center/collections/{collection.id}").json()
    assert raw_collection["translated_content"]["fr"] == {
        "type": "group_content",
        "name": "Facturation",
        "description": "Tout",
    }
    set_locales(server, workspace, client, ["en"])
    assert "translated_content" not in workspace.http.get(f"/articles/{article.id}").json()


def test_article_and_snippet_webhooks(server: LiveServer, workspace: Workspace, client: Any) -> None:
    topics = ["article.created", "article.updated", "article.published", "article.unpublished", "article.deleted"]
    with Receiver() as receiver:
        body = {"url": receiver.url, "topics": [*topics, "content_snippet.created", "content_snippet.updated"]}
        management_json(server, "POST", f"/workspaces/{workspace.id}/webhook_subscriptions", json=body)
        author = admin_id(client)
        article = create_article(client, title="Hooks", author_id=author, state="published")
        workspace.http.put(f"/articles/{article.id}", json={"state": "draft"}).raise_for_status()
        client.unstable.articles.delete_article(id=int(article.id))
        snippet = workspace.http.post("/content_snippets", json={"title": "s", "json_blocks": []}).json()

        def sent(seen: list[Any]) -> list[tuple[str, Any]]:
            unique = {r.delivery_id: r for r in seen}.values()
            return [(r.json["topic"], r.json["data"]["item"]) for r in unique if r.json["topic"] != "ping"]

        receiver.wait_for(lambda seen: len(sent(seen)) >= 6)
        got = sent(receiver.snapshot())
    assert sorted(topic for topic, _ in got) == sorted([*topics, "content_snippet.created"])
    items = dict(got)
    assert items["article.created"]["state"] == "published"
    assert items["article.created"]["statistics"]["type"] == "article_statistics"
    assert items["article.unpublished"]["state"] == "draft"
    assert items["article.deleted"] == {"id": article.id, "object": "article", "deleted": True}
    assert items["content_snippet.created"] == snippet
