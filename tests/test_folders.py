"""Folders over raw HTTP (neither SDK has them): integer ids, nesting, direct-children listing,
content counts, and deletion refused while a folder holds anything."""

from __future__ import annotations

from typing import Any

from tests.support.live import LiveServer, Workspace, management_json


def create(ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = ws.http.post("/folders", json={"folder": fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_folder_lifecycle(workspace: Workspace, client: Any) -> None:
    made = create(workspace, name="Product Documentation", description="Internal product docs", emoji="📚")
    assert isinstance(made["id"], int)
    assert made["parent_folder_id"] is None
    assert made["content_count"] == 0
    assert "type" not in made
    child = create(workspace, name="Billing", parent_folder_id=made["id"])
    assert child["parent_folder_id"] == made["id"]
    updated = workspace.http.put(f"/folders/{made['id']}", json={"folder": {"name": "Docs", "emoji": "📖"}})
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["emoji"], updated.json()["description"]) == (
        "Docs",
        "📖",
        "Internal product docs",
    )
    listed = workspace.http.get("/folders").json()
    assert listed["total_count"] == 2
    assert listed["pages"]["per_page"] == 50
    children = workspace.http.get("/folders", params={"parent_folder_id": made["id"]}).json()
    assert [f["id"] for f in children["data"]] == [child["id"]]

    author = int(client.unstable.admins.identify_admin().id)
    article = client.unstable.articles.create_article(request={"title": "In a folder", "author_id": author})
    workspace.http.put(f"/articles/{article.id}", json={"folder_id": child["id"]}).raise_for_status()
    assert workspace.http.get(f"/folders/{child['id']}").json()["content_count"] == 1
    refused = workspace.http.delete(f"/folders/{child['id']}")
    assert refused.status_code == 422
    assert workspace.http.delete(f"/folders/{made['id']}").status_code == 422  # holds a folder
    workspace.http.put(f"/articles/{article.id}", json={"folder_id": None}).raise_for_status()
    deleted = workspace.http.delete(f"/folders/{child['id']}")
    assert deleted.json() == {"id": child["id"], "object": "folder", "deleted": True}
    assert workspace.http.get(f"/folders/{child['id']}").status_code == 404


def test_folder_errors(workspace: Workspace) -> None:
    assert workspace.http.post("/folders", json={"name": "unwrapped"}).status_code == 400
    assert workspace.http.post("/folders", json={"folder": {}}).json()["errors"][0]["field"] == "name"
    assert workspace.http.post("/folders", json={"folder": {"name": "x", "parent_folder_id": 999}}).status_code == 400
    top = create(workspace, name="Top")
    below = create(workspace, name="Below", parent_folder_id=top["id"])
    cycle = workspace.http.put(f"/folders/{top['id']}", json={"folder": {"parent_folder_id": below["id"]}})
    assert cycle.status_code == 400
    assert workspace.http.get("/folders/abc").status_code == 404
    assert workspace.http.get("/folders", params={"per_page": 0}).status_code == 400
    assert workspace.http.get("/folders").json()["total_count"] == 2


def test_reset_keeps_only_the_help_center_set_up(server: LiveServer, workspace: Workspace, client) -> None:
    author = int(client.unstable.admins.identify_admin().id)
    top = create(workspace, name="Top")
    below = create(workspace, name="Below", parent_folder_id=top["id"])
    collection = client.unstable.help_center.create_collection(name="Billing")
    nested = client.unstable.help_center.create_collection(name="Refunds", parent_id=collection.id)
    client.unstable.articles.create_article(
        request={"title": "Refunds", "author_id": author, "state": "published", "parent_id": int(nested.id)}
    )
    workspace.http.post(
        "/internal_articles", json={"title": "x", "author_id": author, "owner_id": author, "folder_id": below["id"]}
    ).raise_for_status()
    workspace.http.post("/content_snippets", json={"title": "s", "json_blocks": []}).raise_for_status()
    feed = management_json(server, "POST", f"/workspaces/{workspace.id}/newsfeeds", json={"name": "Feed"})
    client.unstable.news.create_news_item(
        title="News", sender_id=author, state="live", newsfeed_assignments=[{"newsfeed_id": int(feed["id"])}]
    )
    management_json(server, "POST", f"/workspaces/{workspace.id}/reset")
    assert workspace.http.get("/folders").json()["total_count"] == 0
    assert client.unstable.articles.list_articles().total_count == 0
    assert client.unstable.help_center.list_all_collections().total_count == 0
    assert client.unstable.internal_articles.list_internal_articles().total_count == 0
    assert workspace.http.get("/content_snippets").json()["total_count"] == 0
    assert client.unstable.news.list_news_items().total_count == 0
    # Set-up stays: the help center and the newsfeed.
    assert len(client.unstable.help_center.list_help_centers().data) == 1
    assert client.unstable.news.list_newsfeeds().total_count == 1
