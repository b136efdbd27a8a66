"""AI content end to end: content import sources and external pages through the official SDK, the
content pipeline and retrieval against the live server's database, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from intercom.core.api_error import ApiError
from sqlalchemy import text

from tests.support.live import LiveServer, Workspace
from tidings.ai_content.retrieval import Passage, search
from tidings.config import normalise_database_url
from tidings.core.uow import UnitOfWork
from tidings.db.storage import open_storage

GUIDE = """
<html><head><title>ignored</title><style>.x{color:red}</style><script>var secret = "scriptword";</script></head>
<body>
<nav><a href="/">Home</a> navigationword</nav>
<h1>Billing guide</h1>
<p>Invoices are emailed on the first day of every month.</p>
<h2>Refunds</h2>
<p>A refund reaches the original payment card within ten working days.</p>
<footer>footerword</footer>
</body></html>
"""


def database_url(server: LiveServer) -> str:
    if server.dialect == "postgresql":
        return normalise_database_url(server.database_url)
    return f"sqlite:///{server.data_dir / 'tidings.db'}"


def run_search(server: LiveServer, workspace: Workspace, query: str, **options: Any) -> list[Passage]:
    async def go() -> list[Passage]:
        storage = open_storage(database_url(server))
        tx = await storage.begin(write=False)
        try:
            return await search(UnitOfWork(tx=tx, workspace_id=workspace.id), query, **options)
        finally:
            await tx.rollback()
            await storage.close()

    return asyncio.run(go())


@pytest.fixture
def source(client) -> Any:
    return client.unstable.ai_content.create_content_import_source(url="https://help.example.com")


def make_page(client, source: Any, external_id: str = "p1", **fields: Any) -> Any:
    values = {"title": "Billing guide", "html": GUIDE, "url": f"https://help.example.com/{external_id}"}
    values |= fields
    return client.unstable.ai_content.create_external_page(
        source_id=int(source.id), external_id=external_id, ai_agent_availability=True, **values
    )


class TestContentImportSources:
    def test_create_get_list_update_delete(self, client, workspace: Workspace) -> None:
        ai = client.unstable.ai_content
        created = ai.create_content_import_source(url="https://help.example.com")
        assert created.type == "content_import_source"
        assert isinstance(created.id, int)
        assert created.sync_behavior == "api"
        assert created.status == "active"
        assert created.url == "https://help.example.com"
        assert created.last_synced_at == created.created_at == created.updated_at
        assert ai.get_content_import_source(id=str(created.id)).url == "https://help.example.com"

        second = ai.create_content_import_source(url="https://docs.example.com", status="deactivated")
        assert second.status == "deactivated"
        listed = ai.list_content_import_sources()
        assert listed.type == "list"
        assert listed.total_count == 2
        assert [s.id for s in listed.data] == [created.id, second.id]
        assert (listed.pages.page, listed.pages.per_page, listed.pages.total_pages) == (1, 50, 1)

        updated = ai.update_content_import_source(
            id=str(created.id), sync_behavior="api", url="https://new.example.com", status="deactivated"
        )
        assert updated.url == "https://new.example.com"
        assert updated.status == "deactivated"
        assert ai.get_content_import_source(id=str(created.id)).status == "deactivated"

        ai.delete_content_import_source(id=str(created.id))
        with pytest.raises(ApiError, match="status_code: 404"):
            ai.get_content_import_source(id=str(created.id))
        assert ai.list_content_import_sources().total_count == 1

    def test_delete_answers_204_and_takes_its_pages(self, client, workspace: Workspace, source: Any) -> None:
        page = make_page(client, source)
        response = workspace.http.delete(f"/ai/content_import_sources/{source.id}")
        assert response.status_code == 204
        assert response.content == b""
        with pytest.raises(ApiError, match="status_code: 404"):
            client.unstable.ai_content.get_external_page(id=page.id)

    def test_sync_behavior_cannot_leave_api(self, client, source: Any) -> None:
        with pytest.raises(ApiError) as error:
            client.unstable.ai_content.update_content_import_source(
                id=str(source.id), sync_behavior="manual", url="https://help.example.com"
            )
        assert error.value.status_code == 400
        assert error.value.body["errors"][0]["field"] == "sync_behavior"

    def test_invalid_create_writes_nothing(self, workspace: Workspace) -> None:
        for body, field in [
            ({"url": "https://x.example.com"}, "sync_behavior"),
            ({"sync_behavior": "manual", "url": "https://x.example.com"}, "sync_behavior"),
            ({"sync_behavior": "api"}, "url"),
            ({"sync_behavior": "api", "url": "https://x.example.com", "status": "paused"}, "status"),
        ]:
            response = workspace.http.post("/ai/content_import_sources", json=body)
            assert response.status_code == 400, body
            assert response.json()["errors"][0]["field"] == field
        assert workspace.http.get("/ai/content_import_sources").json()["total_count"] == 0

    def test_unknown_source_is_404(self, workspace: Workspace) -> None:
        for path in ("/ai/content_import_sources/999999", "/ai/content_import_sources/abc"):
            response = workspace.http.get(path)
            assert response.status_code == 404
            assert response.json()["errors"][0]["code"] == "not_found"


class TestExternalPages:
    def test_create_get_update_delete(self, client, source: Any) -> None:
        ai = client.unstable.ai_content
        page = make_page(client, source, ai_copilot_availability=False)
        assert page.type == "external_page"
        assert isinstance(page.id, str)
        assert page.title == "Billing guide"
        assert page.html == GUIDE
        assert page.source_id == source.id
        assert page.external_id == "p1"
        assert page.locale == "en"
        assert page.ai_agent_availability is True
        assert page.ai_copilot_availability is False
        assert page.last_ingested_at == page.created_at

        fetched = ai.get_external_page(id=page.id)
        assert fetched.url == "https://help.example.com/p1"

        updated = ai.update_external_page(
            id=page.id,
            title="Billing handbook",
            html="<p>New body</p>",
            url="https://help.example.com/handbook",
            source_id=int(source.id),
            fin_availability=False,
        )
        assert updated.id == page.id
        assert updated.title == "Billing handbook"
        assert updated.html == "<p>New body</p>"
        assert updated.url == "https://help.example.com/handbook"
        assert updated.ai_agent_availability is False
        assert updated.fin_availability is False
        assert updated.external_id == "p1"

        deleted = ai.delete_external_page(id=page.id)
        assert deleted.id == page.id
        assert deleted.html == ""
        with pytest.raises(ApiError, match="status_code: 404"):
            ai.get_external_page(id=page.id)

    def test_post_with_known_external_id_updates_in_place(self, client, source: Any) -> None:
        ai = client.unstable.ai_content
        first = make_page(client, source, ai_copilot_availability=True)
        again = ai.create_external_page(
            title="Renamed", html="<p>Other</p>", source_id=int(source.id), external_id="p1"
        )
        assert again.id == first.id
        assert again.title == "Renamed"
        # Availability flags are not reset by an upsert that leaves them out.
        assert again.ai_agent_availability is True
        assert again.ai_copilot_availability is True
        assert ai.list_external_pages().total_count == 1

    def test_same_external_id_in_two_sources_is_two_pages(self, client, source: Any) -> None:
        other = client.unstable.ai_content.create_content_import_source(url="https://other.example.com")
        first = make_page(client, source)
        second = make_page(client, other)
        assert first.id != second.id

    def test_list_pages(self, client, workspace: Workspace, source: Any) -> None:
        ids = [make_page(client, source, external_id=f"p{i}").id for i in range(5)]
        listed = client.unstable.ai_content.list_external_pages()
        assert listed.total_count == 5
        assert [p.id for p in listed.data] == ids
        first = workspace.http.get("/ai/external_pages", params={"per_page": 2}).json()
        assert [p["id"] for p in first["data"]] == ids[:2]
        assert first["pages"] | {"next": None} == {
            "type": "pages",
            "page": 1,
            "per_page": 2,
            "total_pages": 3,
            "next": None,
        }
        following = httpx.get(first["pages"]["next"], headers=workspace.http.headers).json()
        assert [p["id"] for p in following["data"]] == ids[2:4]
        last = workspace.http.get("/ai/external_pages", params={"per_page": 2, "page": 3}).json()
        assert [p["id"] for p in last["data"]] == ids[4:]
        assert "next" not in last["pages"]

    def test_invalid_pages_write_nothing(self, workspace: Workspace, source: Any) -> None:
        valid = {"title": "T", "html": "<p>x</p>", "locale": "en", "source_id": source.id, "external_id": "e"}
        cases = [
            (valid | {"source_id": 999999}, "source_id"),
            ({k: v for k, v in valid.items() if k != "title"}, "title"),
            ({k: v for k, v in valid.items() if k != "external_id"}, "external_id"),
            ({k: v for k, v in valid.items() if k != "source_id"}, "source_id"),
            (valid | {"locale": "fr"}, "locale"),
        ]
        for body, field in cases:
            response = workspace.http.post("/ai/external_pages", json=body)
            assert response.status_code == 400, body
            assert response.json()["errors"][0]["field"] == field
        assert workspace.http.get("/ai/external_pages").json()["total_count"] == 0

    def test_put_cannot_take_another_pages_external_id(self, client, workspace: Workspace, source: Any) -> None:
        make_page(client, source, external_id="a")
        b = make_page(client, source, external_id="b")
        response = workspace.http.put(
            f"/ai/external_pages/{b.id}",
            json={"title": "T", "html": "<p>x</p>", "url": "https://x", "locale": "en", "source_id": source.id}
            | {"external_id": "a"},
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "external_id"

    def test_pages_of_other_workspaces_are_invisible(self, server: LiveServer, client, source: Any) -> None:
        page = make_page(client, source)
        other = server.new_workspace("other")
        assert other.http.get(f"/ai/external_pages/{page.id}").status_code == 404
        body = {"title": "T", "html": "<p>x</p>", "locale": "en", "source_id": source.id, "external_id": "x"}
        assert other.http.post("/ai/external_pages", json=body).status_code == 400

    def test_concurrent_upserts_of_one_external_id_leave_one_page(
        self, workspace: Workspace, client, source: Any
    ) -> None:
        barrier = threading.Barrier(8)
        ids: list[str] = []

        def upsert(n: int) -> None:
            body = {
                "title": f"Version {n}",
                "html": f"<p>Body number {n}</p>",
                "locale": "en",
                "source_id": source.id,
                "external_id": "racy",
                "ai_agent_availability": True,
            }
            with httpx.Client(base_url=workspace.base_url, headers=workspace.http.headers, timeout=30) as http:
                barrier.wait()
                response = http.post("/ai/external_pages", json=body)
            assert response.status_code == 200, response.text
            ids.append(response.json()["id"])

        threads = [threading.Thread(target=upsert, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(ids) == 8
        assert len(set(ids)) == 1
        assert client.unstable.ai_content.list_external_pages().total_count == 1


class TestRetrieval:
    def test_a_written_page_is_searchable_at_once_without_page_chrome(
        self, server: LiveServer, workspace: Workspace, client, source: Any
    ) -> None:
        page = make_page(client, source)
        found = run_search(server, workspace, "how long does a refund take?")
        assert found, "the page was acknowledged, so it must be searchable"
        best = found[0]
        assert best.page_id == page.id
        assert best.title == "Billing guide"
        assert best.url == "https://help.example.com/p1"
        assert best.heading == "Billing guide › Refunds"
        assert best.text == "A refund reaches the original payment card within ten working days."
        assert best.score > 0
        for chrome in ("scriptword", "navigationword", "footerword"):
            # The dense ranker returns the nearest passages whatever the words: none may hold chrome.
            assert all(chrome not in f"{p.heading} {p.text}" for p in run_search(server, workspace, chrome))

    def test_update_leaves_no_stale_passage_and_delete_leaves_none(
        self, server: LiveServer, workspace: Workspace, client, source: Any
    ) -> None:
        page = make_page(client, source)
        client.unstable.ai_content.update_external_page(
            id=page.id,
            title="Shipping guide",
            html="<p>Parcels leave the warehouse within two days.</p>",
            url="https://help.example.com/shipping",
            source_id=int(source.id),
        )
        stale = run_search(server, workspace, "refund payment card")
        shipping = ("Shipping guide", "Parcels leave the warehouse within two days.")
        assert [(p.title, p.text) for p in stale] == [shipping]
        found = run_search(server, workspace, "when do parcels leave the warehouse")
        assert [(p.page_id, p.title) for p in found] == [(page.id, "Shipping guide")]
        client.unstable.ai_content.delete_external_page(id=page.id)
        assert run_search(server, workspace, "parcels warehouse") == []

    def test_deleting_the_source_removes_its_passages(
        self, server: LiveServer, workspace: Workspace, client, source: Any
    ) -> None:
        make_page(client, source)
        client.unstable.ai_content.delete_content_import_source(id=str(source.id))
        assert run_search(server, workspace, "refund") == []

    def test_audience_flags_and_locale(self, server: LiveServer, workspace: Workspace, client, source: Any) -> None:
        agent = make_page(client, source, external_id="agent", html="<p>Password reset steps for agents.</p>")
        copilot = client.unstable.ai_content.create_external_page(
            title="Internal",
            html="<p>Password reset steps for teammates.</p>",
            source_id=int(source.id),
            external_id="copilot",
            ai_copilot_availability=True,
        )
        assert {p.page_id for p in run_search(server, workspace, "password reset")} == {agent.id}
        copilot_hits = run_search(server, workspace, "password reset", audience="copilot")
        assert {p.page_id for p in copilot_hits} == {copilot.id}
        assert copilot_hits[0].url is None
        assert run_search(server, workspace, "password reset", locale="fr") == []
        assert {p.page_id for p in run_search(server, workspace, "password reset", locale="en")} == {agent.id}

    def test_pages_of_other_workspaces_are_not_searched(
        self, server: LiveServer, workspace: Workspace, client, source: Any
    ) -> None:
        make_page(client, source)
        other = server.new_workspace("other")
        assert run_search(server, other, "refund") == []

    def test_ranks_the_page_that_answers_first(
        self, server: LiveServer, workspace: Workspace, client, source: Any
    ) -> None:
        topics = {
            "returns": "<h2>Returns</h2><p>Items can be returned within thirty days for a full refund.</p>",
            "shipping": "<h2>Shipping</h2><p>Orders ship from our warehouse in two business days.</p>",
            "accounts": "<h2>Accounts</h2><p>Change your email address from the profile settings page.</p>",
        }
        ids = {
            key: make_page(client, source, external_id=key, title=key.title(), html=html).id
            for key, html in topics.items()
        }
        assert run_search(server, workspace, "How do I change my email address?")[0].page_id == ids["accounts"]
        assert run_search(server, workspace, "Can I return an item?")[0].page_id == ids["returns"]
        results = run_search(server, workspace, "warehouse shipping orders", k=2)
        assert len(results) <= 2
        assert results[0].page_id == ids["shipping"]
        assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)

    def test_postgres_term_statistics_follow_every_write(
        self, server: LiveServer, workspace: Workspace, client, source: Any
    ) -> None:
        if server.dialect != "postgresql":
            pytest.skip("FTS5 keeps its own statistics on SQLite")
        page = make_page(client, source)
        make_page(client, source, external_id="p2", html="<p>Refunds and invoices.</p>")

        def statistics() -> dict[str, int]:
            async def read() -> dict[str, int]:
                storage = open_storage(database_url(server))
                tx = await storage.begin(write=False)
                try:
                    rows = await tx.execute(
                        text("SELECT term, passages FROM content_terms WHERE workspace_id = :w AND passages > 0"),
                        {"w": workspace.id},
                    )
                    return {row[0]: int(row[1]) for row in rows}
                finally:
                    await tx.rollback()
                    await storage.close()

            return asyncio.run(read())

        before = statistics()
        assert before[""] == 3  # passages: two of the guide, one of p2
        assert before["refund"] == 2
        client.unstable.ai_content.update_external_page(
            id=page.id, title="Guide", html="<p>Parcels.</p>", url="https://x", source_id=int(source.id)
        )
        after = statistics()
        assert after[""] == 2
        assert after["refund"] == 1
        assert after["parcel"] == 1
        client.unstable.ai_content.delete_content_import_source(id=str(source.id))
        assert statistics() == {}
