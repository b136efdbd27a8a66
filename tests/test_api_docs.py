"""/docs: the interactive reference renders from local files, every operation tagged and typed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.support.contract import served_operation_ids, spec
from tests.support.live import LiveServer

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def page_spec(html: str) -> dict:
    match = re.search(r"spec: (.*),\n  dom_id", html, re.S)
    assert match, "the page embeds its schema"
    return json.loads(match.group(1))


def operations(schema: dict) -> dict[str, tuple[str, str, dict]]:
    found = {}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                found[op["operationId"]] = (method, path, op)
    return found


def spec_tags() -> dict[str, list[str]]:
    tags = {}
    for item in spec()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                tags[op["operationId"]] = op.get("tags", [])
    return tags


def test_operation_index_matches_the_spec() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/api_docs_index.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_intercom_page_lists_every_operation_under_its_tag(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    schema = page_spec(response.text)
    ops = operations(schema)
    assert set(ops) == served_operation_ids()
    tags = spec_tags()
    for op_id, (_, path, op) in ops.items():
        assert not path.startswith("/_tidings"), path
        assert op["tags"] == tags[op_id], op_id
        assert op["summary"], op_id
        assert any(code.startswith("2") for code in op["responses"]), op_id
    # Request and response models are there, and every model they name is defined.
    create = ops["CreateContact"][2]
    assert "requestBody" in create
    defined = set(schema["components"]["schemas"])
    assert set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema))) <= defined
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert schema["security"] == [{"bearerAuth": []}]


def test_management_page_has_only_the_management_api(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/docs/management")
    assert response.status_code == 200
    ops = operations(page_spec(response.text))
    assert "tidingsCreateWorkspace" in ops
    assert "tidingsCreateWebhookSubscription" in ops
    assert all(path.startswith("/_tidings/") for _, path, _ in ops.values())
    assert ops["tidingsCreateAccessToken"][2]["tags"] == ["Access tokens"]
    assert ops["tidingsCreateWorkspace"][2]["tags"] == ["Workspaces"]


@pytest.mark.parametrize("page", ["/docs", "/docs/management"])
def test_pages_load_nothing_from_other_hosts(server: LiveServer, page: str) -> None:
    html = httpx.get(f"{server.base_url}{page}").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith("/"), url
        assert httpx.get(f"{server.base_url}{url}").status_code == 200, url


def test_try_it_out_call_with_a_bearer_token(server: LiveServer) -> None:
    """What the page sends after "Authorize": the server it names, the bearer scheme it declares."""
    workspace = server.new_workspace()
    schema = page_spec(httpx.get(f"{server.base_url}/docs").text)
    base = schema["servers"][0]["url"].rstrip("/")
    path = operations(schema)["identifyAdmin"][1]
    response = httpx.get(f"{server.base_url}{base}{path}", headers={"Authorization": f"Bearer {workspace.token}"})
    assert response.status_code == 200
    assert response.json()["type"] == "admin"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no headless Chromium on this machine")
def test_swagger_ui_renders_in_headless_chromium(server: LiveServer) -> None:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"{server.base_url}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        shutil.rmtree(profile, ignore_errors=True)
    dom = result.stdout
    assert 'class="swagger-ui"' in dom, result.stderr[-2000:]
    assert "opblock-tag" in dom  # the tag sections were rendered from the schema
    assert "Contacts" in dom
    assert "Authorize" in dom
