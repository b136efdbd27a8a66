"""News items and newsfeeds through the official SDK (`client.unstable.news`); newsfeeds are set
up through the management API, as Intercom's are in its UI."""

from __future__ import annotations

from typing import Any

import pytest
from intercom.core.api_error import ApiError

from tests.support.live import LiveServer, Workspace, management_json


def newsfeed(server: LiveServer, ws: Workspace, name: str) -> dict[str, Any]:
    return management_json(server, "POST", f"/workspaces/{ws.id}/newsfeeds", json={"name": name})


def test_news_item_lifecycle(server: LiveServer, workspace: Workspace, client: Any) -> None:
    sender = int(client.unstable.admins.identify_admin().id)
    feed = newsfeed(server, workspace, "Visitor Feed")
    other = newsfeed(server, workspace, "Customer Feed")
    assert client.unstable.news.retrieve_newsfeed(id=feed["id"]).name == "Visitor Feed"
    feeds = client.unstable.news.list_newsfeeds()
    assert feeds.total_count == 2

    live = client.unstable.news.create_news_item(
        title="Halloween is here!",
        body="<p>New costumes in store for this spooky season</p>",
        sender_id=sender,
        state="live",
        labels=["Product", "Update", "New"],
        reactions=["😆", "😅"],
        deliver_silently=True,
        newsfeed_assignments=[{"newsfeed_id": int(feed["id"]), "published_at": 1664638214}],
    )
    assert live.labels == ["New", "Product", "Update"]
    assert live.reactions == ["😆", "😅"]
    assert live.newsfeed_assignments[0].published_at == 1664638214
    draft = client.unstable.news.create_news_item(
        title="We have news", sender_id=sender, newsfeed_assignments=[{"newsfeed_id": int(other["id"])}]
    )
    assert draft.state == "draft"
    assert draft.cover_image_url is None
    raw = workspace.http.get(f"/news/news_items/{draft.id}").json()
    assert raw["type"] == "news-item"
    assert raw["newsfeed_assignments"] == [{"newsfeed_id": int(other["id"])}]

    assert [i.id for i in client.unstable.news.list_live_newsfeed_items(id=feed["id"]).data] == [live.id]
    assert client.unstable.news.list_live_newsfeed_items(id=other["id"]).total_count == 0
    went_live = client.unstable.news.update_news_item(
        id=int(draft.id), title="We have news", sender_id=sender, state="live"
    )
    assert went_live.state == "live"
    assert went_live.newsfeed_assignments[0].published_at >= went_live.created_at
    assert [i.id for i in client.unstable.news.list_live_newsfeed_items(id=other["id"]).data] == [draft.id]

    assert client.unstable.news.list_news_items().total_count == 2
    deleted = client.unstable.news.delete_news_item(id=int(live.id))
    assert (deleted.id, deleted.object, deleted.deleted) == (live.id, "news-item", True)
    with pytest.raises(ApiError) as missing:
        client.unstable.news.retrieve_news_item(id=int(live.id))
    assert missing.value.status_code == 404
    assert client.unstable.news.list_live_newsfeed_items(id=feed["id"]).total_count == 0


def test_news_errors(server: LiveServer, workspace: Workspace, client: Any) -> None:
    sender = int(client.unstable.admins.identify_admin().id)
    assert workspace.http.post("/news/news_items", json={"sender_id": sender}).status_code == 400
    assert workspace.http.post("/news/news_items", json={"title": "x"}).status_code == 400
    assert workspace.http.post("/news/news_items", json={"title": "x", "sender_id": 99999}).status_code == 400
    bad_feed = workspace.http.post(
        "/news/news_items", json={"title": "x", "sender_id": sender, "newsfeed_assignments": [{"newsfeed_id": 999}]}
    )
    assert bad_feed.status_code == 400
    future = workspace.http.post(
        "/news/news_items",
        json={
            "title": "x",
            "sender_id": sender,
            "newsfeed_assignments": [{"newsfeed_id": 1, "published_at": 99999999999}],
        },
    )
    assert future.status_code == 400
    cover = workspace.http.post(
        "/news/news_items", json={"title": "x", "sender_id": sender, "cover_image_url": "https://x.test/a.gif"}
    )
    assert cover.status_code == 400
    assert workspace.http.get("/news/newsfeeds/12345").status_code == 404
    assert workspace.http.get("/news/news_items/abc").status_code == 404
    assert client.unstable.news.list_news_items().total_count == 0
