"""The content pipeline's parts on their own (HTML → text → passages, query terms), the bulk importer
against a live server's database, and the embedder paths (skipped where their extra is missing)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live import LiveServer, Workspace
from tests.test_ai_content import database_url, run_search
from tidings.ai_content.lexical import Hit, query_terms
from tidings.ai_content.retrieval import fuse, rank_pages
from tidings.ai_content.text import MAX_WORDS, clean_text, html_sections, markdown_to_html, passages

HAS_NUMPY = importlib.util.find_spec("numpy") is not None
HAS_SENTENCE_TRANSFORMERS = importlib.util.find_spec("sentence_transformers") is not None


class TestText:
    def test_chrome_is_dropped_and_headings_structure_the_text(self) -> None:
        html = """<html><head><title>Tab title</title><style>p{}</style><script>alert('x')</script></head><body>
        <nav>Menu</nav><header>Site header</header>
        <h1>Guide</h1><p>Intro &amp; welcome.</p>
        <h2>Setup</h2><ul><li>Install it</li><li>Run it</li></ul>
        <h3>Details</h3><pre>code  here</pre>
        <h2>Usage</h2><p>Use <b>it</b> well.</p><div hidden>secret</div>
        <footer>Copyright</footer></body></html>"""
        sections = html_sections(html)
        assert [(s.headings, s.blocks) for s in sections] == [
            (["Guide"], ["Intro & welcome."]),
            (["Guide", "Setup"], ["Install it", "Run it"]),
            (["Guide", "Setup", "Details"], ["code here"]),
            (["Guide", "Usage"], ["Use it well."]),
        ]
        assert (
            clean_text(html)
            == "Guide\nIntro & welcome.\nSetup\nInstall it\nRun it\nDetails\ncode here\nUsage\nUse it well."
        )

    def test_passages_stay_under_their_heading_and_size(self) -> None:
        long_paragraph = " ".join(f"Sentence number {i} says something." for i in range(200))
        html = f"<h1>A</h1><p>Short.</p><h2>B</h2><p>{long_paragraph}</p>"
        result = passages(html)
        assert result[0].heading == "A"
        assert result[0].text == "Short."
        assert {p.heading for p in result[1:]} == {"A › B"}
        assert all(len(p.text.split()) <= MAX_WORDS for p in result)
        assert " ".join(p.text for p in result[1:]) == long_paragraph
        assert [p.position for p in result] == list(range(len(result)))

    def test_text_outside_any_heading_has_no_heading(self) -> None:
        assert [(p.heading, p.text) for p in passages("<p>Plain.</p>")] == [(None, "Plain.")]
        assert passages("") == []

    def test_markdown(self) -> None:
        html = markdown_to_html("# Title\n\nSome text\ncontinued.\n\n- one\n- two\n\n```\na < b\n```\n")
        assert (
            html == "<h1>Title</h1>\n<p>Some text continued.</p>\n<li>one</li>\n<li>two</li>\n<pre>\na &lt; b\n</pre>"
        )

    def test_query_terms_drop_function_words(self) -> None:
        assert query_terms("How do I change my e-mail address? I've 2 accounts, 10 users") == [
            "change",
            "e",
            "mail",
            "address",
            "accounts",
            "10",
            "users",
        ]


class TestFusion:
    def test_one_ranker_keeps_its_scores(self) -> None:
        ranking = [Hit(1, 10, 5.0), Hit(2, 11, 3.0)]
        assert fuse([(0.4, ranking)]) == ranking
        assert fuse([(0.4, []), (0.6, [])]) == []

    def test_weighted_normalised_sum(self) -> None:
        lexical = [Hit(1, 10, 9.0), Hit(2, 11, 5.0), Hit(3, 12, 1.0)]
        dense = [Hit(3, 12, 0.9), Hit(1, 10, 0.5), Hit(4, 13, 0.1)]
        fused = fuse([(0.4, lexical), (0.6, dense)])
        scores = {hit.passage_id: round(hit.score, 3) for hit in fused}
        assert scores == {1: 0.7, 2: 0.2, 3: 0.6, 4: 0.0}
        assert [hit.passage_id for hit in fused] == [1, 3, 2, 4]

    def test_pages_rank_by_their_best_passage(self) -> None:
        hits = [Hit(1, 10, 2.0), Hit(2, 11, 3.0), Hit(3, 10, 2.5)]
        assert [(page, score, [h.passage_id for h in group]) for page, score, group in rank_pages(hits)] == [
            (11, 3.0, [2]),
            (10, 2.5, [3, 1]),
        ]


def run_cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", "import", "pages", *args],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestImporter:
    def test_folder_import_is_idempotent(self, server: LiveServer, workspace: Workspace, tmp_path: Path) -> None:
        docs = tmp_path / "docs"
        (docs / "guides").mkdir(parents=True)
        (docs / "refunds.html").write_text(
            "<html><head><title>Refund policy</title><script>x()</script></head>"
            "<body><p>Refunds take ten working days.</p></body></html>"
        )
        (docs / "guides" / "shipping.md").write_text("# Shipping\n\nParcels leave the warehouse in two days.\n")
        (docs / "notes.txt").write_text("ignored")
        args = [str(docs), "--workspace", workspace.id, "--base-url", "https://help.example.com"]
        first = run_cli(server, *args)
        assert first.returncode == 0, first.stderr
        assert "created 2, updated 0, unchanged 0, failed 0" in first.stdout
        pages = {p["external_id"]: p for p in workspace.http.get("/ai/external_pages").json()["data"]}
        assert set(pages) == {"refunds.html", "guides/shipping.md"}
        assert pages["refunds.html"]["title"] == "Refund policy"
        assert pages["refunds.html"]["url"] == "https://help.example.com/refunds.html"
        assert pages["guides/shipping.md"]["title"] == "Shipping"
        assert pages["guides/shipping.md"]["ai_agent_availability"] is True
        found = run_search(server, workspace, "when does my parcel leave the warehouse")
        assert found[0].page_id == pages["guides/shipping.md"]["id"]

        second = run_cli(server, *args)
        assert second.returncode == 0, second.stderr
        assert "created 0, updated 0, unchanged 2, failed 0" in second.stdout
        again = {p["external_id"]: p for p in workspace.http.get("/ai/external_pages").json()["data"]}
        assert again == pages
        sources = workspace.http.get("/ai/content_import_sources").json()
        assert sources["total_count"] == 1

        (docs / "refunds.html").write_text("<title>Refund policy</title><p>Refunds take five days.</p>")
        third = run_cli(server, *args)
        assert "created 0, updated 1, unchanged 1, failed 0" in third.stdout

    def test_jsonl_import_reports_failures(self, server: LiveServer, workspace: Workspace, tmp_path: Path) -> None:
        lines = [
            {"external_id": "a", "title": "Alpha", "html": "<p>Alpha body</p>", "url": "https://x/a"},
            {"external_id": "b", "title": "Beta", "text": "Beta first paragraph.\n\nSecond <one>."},
            {"external_id": "c", "html": "<p>No title</p>"},
            {"title": "No id", "html": "<p>x</p>"},
        ]
        file = tmp_path / "pages.jsonl"
        file.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
        source = workspace.http.post("/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://x"})
        result = run_cli(server, str(file), "--workspace", workspace.id, "--source", str(source.json()["id"]))
        assert result.returncode == 1
        assert "created 2, updated 0, unchanged 0, failed 3" in result.stdout
        assert "failed c: title is missing" in result.stdout
        assert "failed line 4: external_id is missing" in result.stdout
        assert "failed line 5: invalid JSON" in result.stdout
        pages = {p["external_id"]: p for p in workspace.http.get("/ai/external_pages").json()["data"]}
        assert pages["b"]["html"] == "<p>Beta first paragraph.</p>\n<p>Second &lt;one&gt;.</p>"
        assert pages["a"]["source_id"] == source.json()["id"]

    def test_unknown_workspace_fails_cleanly(self, server: LiveServer, tmp_path: Path) -> None:
        result = run_cli(server, str(tmp_path), "--workspace", "nosuchws")
        assert result.returncode == 1
        assert "not found" in result.stderr


@pytest.mark.skipif(not HAS_NUMPY, reason="the embeddings extra (numpy) is not installed")
class TestEmbedders:
    def test_openai_compatible_client(self) -> None:
        from tidings.ai_content.embedder import OpenAIEmbedder

        seen: list[dict[str, Any]] = []

        def handler(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            seen.append({"url": str(request.url), "auth": request.headers.get("authorization"), "body": body})
            data = [
                {"index": i, "embedding": [3.0, 4.0] if "a" in t else [0.0, 2.0]} for i, t in enumerate(body["input"])
            ]
            return httpx.Response(200, json={"object": "list", "data": list(reversed(data))})

        embedder = OpenAIEmbedder(
            base_url="http://embed.test/v1",
            model="m",
            api_key="k",
            batch_size=2,
            transport=httpx.MockTransport(handler),
        )
        vectors = asyncio.run(embedder.embed(["a", "b", "ab"]))
        assert [[round(float(x), 3) for x in row] for row in vectors] == [[0.6, 0.8], [0.0, 1.0], [0.6, 0.8]]
        assert [s["body"]["input"] for s in seen] == [["a", "b"], ["ab"]]
        assert seen[0]["url"] == "http://embed.test/v1/embeddings"
        assert seen[0]["auth"] == "Bearer k"
        assert seen[0]["body"]["model"] == "m"

    def test_dense_ranking_fused_with_lexical(self, server: LiveServer, workspace: Workspace) -> None:
        """Pages written with an embedder get vectors; search fuses both rankers (a fake embedder
        that knows a synonym the lexical index cannot)."""
        from tidings.ai_content import embedder as embedder_module
        from tidings.ai_content import pipeline, retrieval
        from tidings.ai_content.service import PageInput, upsert_page
        from tidings.core.uow import UnitOfWork
        from tidings.db.storage import open_storage

        class ToyEmbedder:
            model = "toy"
            axes = (("refund", "reimburse", "money back"), ("ship", "parcel", "deliver"))

            async def embed(self, texts: list[str]) -> Any:
                import numpy as np

                rows = [[1.0 + sum(t.lower().count(w) for w in axis) for axis in self.axes] for t in texts]
                return embedder_module._normalise(np.array(rows) - 1.0 + 1e-3)

        source = workspace.http.post("/ai/content_import_sources", json={"sync_behavior": "api", "url": "https://x"})
        source_id = source.json()["id"]
        toy = ToyEmbedder()

        async def go() -> tuple[list[Any], int]:
            storage = open_storage(database_url(server))
            original = pipeline.configured_embedder
            pipeline.configured_embedder = lambda: toy  # type: ignore[assignment]
            try:
                tx = await storage.begin(write=True)
                uow = UnitOfWork(tx=tx, workspace_id=workspace.id)
                for external_id, title, html in [
                    ("r", "Refunds", "<p>We refund within ten days.</p>"),
                    ("s", "Shipping", "<p>Each parcel ships from the warehouse.</p>"),
                ]:
                    await upsert_page(uow, PageInput(title, html, None, "en", source_id, external_id, True, False))
                await tx.commit()
                tx = await storage.begin(write=False)
                uow = UnitOfWork(tx=tx, workspace_id=workspace.id)
                rankers = [
                    retrieval.lexical_ranker(uow.dialect, 0.4),
                    embedder_module.DenseRanker(toy, weight=0.6),
                ]
                found = await retrieval.search(uow, "can I get my money back?", rankers=rankers)
                pending = await embedder_module.embed_pending(uow, toy)
                await tx.rollback()
                return found, pending
            finally:
                pipeline.configured_embedder = original
                await storage.close()

        found, pending = asyncio.run(go())
        assert found[0].title == "Refunds"
        assert pending == 0, "every passage got its vector when written"

    @pytest.mark.skipif(not HAS_SENTENCE_TRANSFORMERS, reason="tidings[embeddings] is not installed")
    def test_local_model_embeds_offline(self) -> None:
        from tidings.ai_content.embedder import LocalEmbedder

        vectors = LocalEmbedder().embed_sync(["How do I get a refund?", "Refund policy", "Parcel shipping times"])
        assert vectors.shape == (3, 384)
        similarity = vectors @ vectors.T
        assert similarity[0, 1] > similarity[0, 2]
