"""Subscription types and a contact's subscriptions end to end through the official SDK."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError

from tests.support.contacts import new_contact
from tests.support.live import LiveServer, Workspace, management_json


class TestSubscriptions:
    def test_attach_list_detach(self, client, server: LiveServer, workspace: Workspace) -> None:
        created = management_json(
            server,
            "POST",
            f"/workspaces/{workspace.id}/subscription_types",
            json={"name": "Newsletters", "consent_type": "opt_in", "content_types": ["email"]},
        )
        types = client.unstable.subscription_types.list_subscription_types()
        assert [(t.id, t.default_translation.name) for t in types.data] == [(created["id"], "Newsletters")]
        contact = new_contact(client, "sub@example.com")
        attached = client.unstable.subscription_types.attach_subscription_type_to_contact(
            contact_id=contact.id, id=created["id"], consent_type="opt_in"
        )
        assert attached.id == created["id"]
        mine = client.unstable.contacts.list_subscriptions_for_a_contact(contact_id=contact.id)
        assert [t.id for t in mine.data] == [created["id"]]
        shown = client.unstable.contacts.show_contact(id=contact.id)
        assert [s["id"] for s in shown.opted_in_subscription_types["data"]] == [created["id"]]
        client.unstable.subscription_types.detach_subscription_type_to_contact(contact_id=contact.id, id=created["id"])
        assert client.unstable.contacts.list_subscriptions_for_a_contact(contact_id=contact.id).data == []

    def test_bad_consent_type_is_400(self, client, server: LiveServer, workspace: Workspace) -> None:
        created = management_json(
            server, "POST", f"/workspaces/{workspace.id}/subscription_types", json={"name": "SMS"}
        )
        contact = new_contact(client, "sub2@example.com")
        with pytest.raises(ApiError) as err:
            client.unstable.subscription_types.attach_subscription_type_to_contact(
                contact_id=contact.id, id=created["id"], consent_type="maybe"
            )
        assert err.value.status_code == 400
