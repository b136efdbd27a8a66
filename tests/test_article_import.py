"""`tidings import articles`: a help-center export (JSON Lines) and a folder of Markdown become
collections and articles through the API's code path, searchable and answerable at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.live import LiveServer, Workspace
from tests.test_ai_content import run_search


def run_cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", "import", "articles", *args],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_center_export(server: LiveServer, workspace: Workspace, client: Any, tmp_path: Path) -> None:
    lines = [
        {
            "type": "article",
            "id": "900",
            "title": "Refund timing",
            "body": "<p>Refunds take ten days.</p>",
            "parent_ids": [11],
        },
        {"type": "collection", "id": "11", "name": "Refunds", "parent_id": "10"},
        {"type": "collection", "id": "10", "name": "Billing", "description": "Money"},
        {"type": "article", "id": "901", "title": "Draft note", "body": "Later", "state": "draft"},
        {"type": "article", "id": "902", "body": "no title"},
        {"type": "article", "id": "903", "title": "Orphan", "parent_id": 77},
        {"type": "macro", "id": "5"},
    ]
    file = tmp_path / "export.jsonl"
    file.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    result = run_cli(server, str(file), "--workspace", workspace.id)
    assert result.returncode == 1
    assert "created 4, failed 4" in result.stdout, result.stdout + result.stderr
    assert "failed article 902: title must be in the main body" in result.stdout
    assert "failed article 903: parent collection 77 was not imported" in result.stdout
    assert "failed article 5: type must be collection or article" in result.stdout
    assert "failed article line 8: invalid JSON" in result.stdout
    collections = {c.name: c for c in client.unstable.help_center.list_all_collections().data}
    assert collections["Refunds"].parent_id == collections["Billing"].id
    assert collections["Billing"].description == "Money"
    articles = {a.title: a for a in client.unstable.articles.list_articles().data}
    assert articles["Refund timing"].parent_ids == [int(collections["Refunds"].id)]
    assert articles["Refund timing"].state == "published"
    assert articles["Draft note"].state == "draft"
    found = run_search(server, workspace, "how long do refunds take")
    assert found[0].url == articles["Refund timing"].url


def test_markdown_folder(server: LiveServer, workspace: Workspace, client: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "Shipping" / "Abroad").mkdir(parents=True)
    (docs / "welcome.md").write_text("# Welcome\n\nHello there.\n\n## Next steps\n\n- Read the guides\n")
    (docs / "Shipping" / "Abroad" / "norway.md").write_text("Parcels to Norway take five days.\n")
    (docs / "notes.txt").write_text("ignored")
    result = run_cli(server, str(docs), "--workspace", workspace.id, "--state", "draft")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "created 4, failed 0" in result.stdout
    collections = {c.name: c for c in client.unstable.help_center.list_all_collections().data}
    assert collections["Abroad"].parent_id == collections["Shipping"].id
    articles = {a.title: a for a in client.unstable.articles.list_articles().data}
    assert set(articles) == {"Welcome", "norway"}
    assert articles["Welcome"].parent_ids == []
    assert articles["Welcome"].body.startswith('<p class="no-margin">Hello there.</p>\n<h2>Next steps</h2>')
    assert articles["norway"].parent_ids == [int(collections["Abroad"].id)]
    assert articles["norway"].state == "draft"
