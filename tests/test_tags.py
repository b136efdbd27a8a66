"""Tags end to end through the official SDK: create, find, rename, delete and their refusals."""

from __future__ import annotations

import pytest
from intercom.unstable.errors import NotFoundError

from tests.support.errors import assert_error
from tests.support.live import LiveServer, Workspace, management_json


class TestTags:
    def test_create_find_list_rename_delete(self, client) -> None:
        tag = client.unstable.tags.create_tag(request={"name": "VIP"})
        assert tag.type == "tag"
        assert tag.name == "VIP"
        # Names are case-insensitive: the same tag comes back.
        assert client.unstable.tags.create_tag(request={"name": "vip"}).id == tag.id
        assert client.unstable.tags.find_tag(id=tag.id).name == "VIP"
        assert [t.name for t in client.unstable.tags.list_tags().data] == ["VIP"]
        renamed = client.unstable.tags.create_tag(request={"name": "Very Important", "id": tag.id})
        assert (renamed.id, renamed.name) == (tag.id, "Very Important")
        client.unstable.tags.delete_tag(id=tag.id)
        with pytest.raises(NotFoundError):
            client.unstable.tags.find_tag(id=tag.id)
        assert client.unstable.tags.list_tags().data == []

    def test_delete_answers_no_body(self, workspace: Workspace) -> None:
        tag = workspace.http.post("/tags", json={"name": "gone"}).json()
        deleted = workspace.http.delete(f"/tags/{tag['id']}")
        assert (deleted.status_code, deleted.content) == (200, b"")

    def test_a_tag_a_segment_uses_cannot_be_deleted(self, server: LiveServer, workspace: Workspace) -> None:
        tag = workspace.http.post("/tags", json={"name": "vip"}).json()
        query = {"operator": "AND", "value": [{"field": "tag_id", "operator": "IN", "value": [tag["id"]]}]}
        management_json(server, "POST", f"/workspaces/{workspace.id}/segments", json={"name": "Seg 1", "query": query})
        refused = assert_error(workspace.http.delete(f"/tags/{tag['id']}"), 400, "tag_has_dependent_objects")
        assert refused["errors"][0]["message"] == "Unable to delete Tag with dependent objects. Segments: Seg 1."
        assert workspace.http.get(f"/tags/{tag['id']}").status_code == 200

    def test_rename_onto_another_name_is_refused(self, workspace: Workspace) -> None:
        workspace.http.post("/tags", json={"name": "a"})
        b = workspace.http.post("/tags", json={"name": "b"}).json()
        assert_error(workspace.http.post("/tags", json={"name": "A", "id": b["id"]}), 400, "parameter_invalid")
        assert workspace.http.get(f"/tags/{b['id']}").json()["name"] == "b"
