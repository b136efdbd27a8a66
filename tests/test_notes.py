"""Contact and company notes end to end through the official SDK."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError

from tests.support.contacts import new_contact
from tests.support.live import Workspace


class TestNotes:
    def test_contact_and_company_notes(self, client, workspace: Workspace) -> None:
        contact = new_contact(client, "noted@example.com")
        note = client.unstable.notes.create_note(id=contact.id, body="Hello")
        assert note.body == "<p>Hello</p>"
        assert note.contact.id == contact.id
        me = client.unstable.admins.identify_admin()
        assert note.author.id == me.id
        assert client.unstable.notes.retrieve_note(id=int(note.id)).body == "<p>Hello</p>"
        listed = client.unstable.notes.list_notes(id=contact.id)
        assert [n.id for n in listed.data] == [note.id]
        assert client.unstable.contacts.show_contact(id=contact.id).notes.total_count == 1
        company = client.unstable.companies.create_or_update_company(request={"company_id": "noted"})
        # The SDK has no call for company notes: raw HTTP.
        company_note = workspace.http.post(f"/companies/{company.id}/notes", json={"body": "<b>Big</b>"}).json()
        assert company_note["company"]["id"] == company.id
        assert [n.body for n in client.unstable.notes.list_company_notes(id=company.id).data] == ["<b>Big</b>"]

    def test_unknown_note_is_404(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.notes.retrieve_note(id=999999)
        assert err.value.status_code == 404
