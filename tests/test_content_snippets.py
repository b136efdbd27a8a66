"""Content snippets over raw HTTP (neither SDK has them): 201 on create, flat paging, Fin's
languages, their webhooks' shape is the GET shape."""

from __future__ import annotations

from tests.support.live import Workspace

BLOCKS = [{"type": "paragraph", "text": "Navigate to Settings > Security > Reset password."}]


def test_snippet_lifecycle(workspace: Workspace) -> None:
    created = workspace.http.post(
        "/content_snippets", json={"title": "How to reset your password", "json_blocks": BLOCKS}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["type"] == "content_snippet"
    assert (body["locale"], body["chatbot_availability"], body["copilot_availability"]) == ("en", 1, 1)
    assert body["json_blocks"] == BLOCKS
    found = workspace.http.get(f"/content_snippets/{body['id']}").json()
    assert found == body
    updated = workspace.http.put(
        f"/content_snippets/{body['id']}", json={"title": "How to reset your password (updated)", "locale": "fr"}
    ).json()
    assert updated["title"] == "How to reset your password (updated)"
    assert updated["locale"] == "fr"
    assert updated["json_blocks"] == BLOCKS
    for index in range(2):
        workspace.http.post("/content_snippets", json={"title": f"s{index}", "json_blocks": []}).raise_for_status()
    listed = workspace.http.get("/content_snippets", params={"per_page": 2}).json()
    assert set(listed) == {"type", "data", "total_count", "page", "per_page", "total_pages"}
    assert (listed["total_count"], listed["per_page"], listed["total_pages"], len(listed["data"])) == (3, 2, 2, 2)
    past = workspace.http.get("/content_snippets", params={"page": 3, "per_page": 2}).json()
    assert past["data"] == []


def test_snippet_errors_change_nothing(workspace: Workspace) -> None:
    unsupported = workspace.http.post("/content_snippets", json={"title": "x", "json_blocks": BLOCKS, "locale": "tlh"})
    assert unsupported.status_code == 422
    assert unsupported.json()["errors"][0] == {
        "code": "validation_error",
        "message": "The language is not currently supported for Fin",
    }
    assert workspace.http.post("/content_snippets", json={"title": "x", "json_blocks": "text"}).status_code == 422
    assert workspace.http.post("/content_snippets", json={"title": "x", "json_blocks": ["a"]}).status_code == 422
    assert workspace.http.post("/content_snippets", json={"json_blocks": BLOCKS}).status_code == 400
    assert workspace.http.post("/content_snippets", json={"title": "x" * 256, "json_blocks": BLOCKS}).status_code == 400
    missing = workspace.http.get("/content_snippets/12345")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["message"] == "Content snippet not found"
    assert workspace.http.put("/content_snippets/²", json={"title": "x"}).status_code == 404
    assert workspace.http.get("/content_snippets").json()["total_count"] == 0
