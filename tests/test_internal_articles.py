"""Internal articles through the official SDK (`client.unstable.internal_articles`), their folder
search (recursive) through folders made over raw HTTP (the SDK has no folders)."""

from __future__ import annotations

from typing import Any

import pytest
from intercom.core.api_error import ApiError

from tests.support.live import Workspace


def folder(ws: Workspace, name: str, parent: int | None = None) -> int:
    response = ws.http.post("/folders", json={"folder": {"name": name, "parent_folder_id": parent}})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_internal_article_lifecycle(workspace: Workspace, client: Any) -> None:
    author = int(client.unstable.admins.identify_admin().id)
    created = client.unstable.internal_articles.create_internal_article(
        request={
            "title": "Thanks for everything",
            "body": "Body of the Article",
            "owner_id": author,
            "author_id": author,
        }
    )
    assert (created.title, created.body, created.owner_id, created.author_id) == (
        "Thanks for everything",
        "Body of the Article",
        author,
        author,
    )
    assert created.locale == "en"
    raw = workspace.http.get(f"/internal_articles/{created.id}").json()
    assert raw["type"] == "internal_article"
    assert raw["folder_id"] is None
    assert "state" not in raw
    assert "url" not in raw
    updated = client.unstable.internal_articles.update_internal_article(id=int(created.id), title="Christmas is here!")
    assert updated.title == "Christmas is here!"
    assert updated.body == "Body of the Article"
    listed = client.unstable.internal_articles.list_internal_articles()
    assert listed.total_count == 1
    assert listed.data[0].id == created.id
    deleted = client.unstable.internal_articles.delete_internal_article(id=int(created.id))
    assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "internal_article", True)
    with pytest.raises(ApiError) as missing:
        client.unstable.internal_articles.retrieve_internal_article(id=int(created.id))
    assert missing.value.status_code == 404


def test_internal_article_errors(workspace: Workspace, client: Any) -> None:
    author = int(client.unstable.admins.identify_admin().id)
    no_owner = workspace.http.post("/internal_articles", json={"title": "x", "author_id": author})
    assert no_owner.status_code == 400
    assert no_owner.json()["errors"][0]["field"] == "owner_id"
    stranger = workspace.http.post("/internal_articles", json={"title": "x", "author_id": 9999, "owner_id": author})
    assert stranger.status_code == 400
    bad_folder = workspace.http.post(
        "/internal_articles", json={"title": "x", "author_id": author, "owner_id": author, "folder_id": 424242}
    )
    assert bad_folder.status_code == 400
    assert bad_folder.json()["errors"][0]["field"] == "folder_id"
    assert workspace.http.get("/internal_articles/²").status_code == 404
    assert client.unstable.internal_articles.list_internal_articles().total_count == 0


def test_search_by_folder_includes_descendant_folders(workspace: Workspace, client: Any) -> None:
    author = int(client.unstable.admins.identify_admin().id)
    top = folder(workspace, "Product")
    child = folder(workspace, "Billing", top)
    other = folder(workspace, "Legal")

    def make(title: str, folder_id: int | None) -> str:
        response = workspace.http.post(
            "/internal_articles", json={"title": title, "author_id": author, "owner_id": author, "folder_id": folder_id}
        )
        assert response.status_code == 200, response.text
        return response.json()["id"]

    in_top, in_child = make("Roadmap", top), make("Refund policy", child)
    make("Contracts", other)
    make("Loose", None)
    found = client.unstable.internal_articles.search_internal_articles(folder_id=str(top))
    assert found.total_count == 2
    assert {a.id for a in found.data.internal_articles} == {in_top, in_child}
    only_child = client.unstable.internal_articles.search_internal_articles(folder_id=str(child))
    assert [a.id for a in only_child.data.internal_articles] == [in_child]
    assert client.unstable.internal_articles.search_internal_articles().total_count == 0
    counted = workspace.http.get(f"/folders/{top}").json()
    assert counted["content_count"] == 1
