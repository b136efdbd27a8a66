"""HTTP's basics on every route: HEAD, OPTIONS and its Allow header, a request without a body (issue 15)."""

from __future__ import annotations

from tests.support.live import Workspace


class TestHeadAndOptions:
    def test_head_answers_as_get_without_a_body(self, workspace: Workspace) -> None:
        get = workspace.http.get("/contacts")
        head = workspace.http.head("/contacts")
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["content-type"] == get.headers["content-type"]

    def test_head_of_an_unknown_object_is_its_404(self, workspace: Workspace) -> None:
        head = workspace.http.head("/contacts/000000000000000000000000")
        assert head.status_code == 404
        assert head.content == b""

    def test_options_allows_every_method_of_the_path(self, workspace: Workspace) -> None:
        expected = {
            "/contacts": "GET, HEAD, OPTIONS, POST",
            "/contacts/abc": "DELETE, GET, HEAD, OPTIONS, PUT",
            "/contacts/search": "OPTIONS, POST",
            "/conversations/1": "DELETE, GET, HEAD, OPTIONS, PUT",
            "/tags/1": "DELETE, GET, HEAD, OPTIONS",
        }
        for path, allow in expected.items():
            response = workspace.http.options(path)
            assert response.status_code == 200, path
            assert response.headers["allow"] == allow, path


class TestAbsentBody:
    def test_put_without_a_body_is_an_empty_update(self, client, workspace: Workspace) -> None:
        contact = client.unstable.contacts.create_contact(request={"email": "nobody@example.com"})
        conversation = client.unstable.conversations.create_conversation(
            from_={"type": "user", "id": contact.id}, body="Hello"
        )
        response = workspace.http.put(f"/conversations/{conversation.conversation_id}")
        assert response.status_code == 200, response.text
        assert response.json()["id"] == conversation.conversation_id
        updated = workspace.http.put(f"/contacts/{contact.id}")
        assert updated.status_code == 200, updated.text
        assert updated.json()["email"] == "nobody@example.com"

    def test_post_without_a_body_reads_as_an_empty_object(self, workspace: Workspace) -> None:
        response = workspace.http.post("/tags")
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "parameter_not_found"
        assert workspace.http.get("/tags").json()["data"] == []

    def test_a_required_body_is_still_required(self, workspace: Workspace) -> None:
        response = workspace.http.post("/admins/activity_logs/search")
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == "A JSON request body is required"
