"""Data attributes end to end through the official SDK."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError

from tests.support.contacts import new_contact


class TestDataAttributes:
    def test_create_list_update(self, client) -> None:
        created = client.unstable.data_attributes.create_data_attribute(
            request={"name": "Mithril Shirt", "model": "company", "data_type": "string"}
        )
        assert created.full_name == "custom_attributes.Mithril Shirt"
        assert created.custom is True
        listed = client.unstable.data_attributes.lis_data_attributes(model="company")
        names = [a.name for a in listed.data]
        assert "company_id" in names
        assert "Mithril Shirt" in names
        updated = client.unstable.data_attributes.update_data_attribute(
            id=created.id, request={"archived": True, "description": "Shiny"}
        )
        assert updated.archived is True
        assert updated.description == "Shiny"
        unarchived = [a.name for a in client.unstable.data_attributes.lis_data_attributes(model="company").data]
        assert "Mithril Shirt" not in unarchived

    def test_duplicate_name_is_refused(self, client) -> None:
        client.unstable.data_attributes.create_data_attribute(
            request={"name": "Ring", "model": "company", "data_type": "string"}
        )
        with pytest.raises(ApiError) as err:
            client.unstable.data_attributes.create_data_attribute(
                request={"name": "Ring", "model": "contact", "data_type": "string"}
            )
        assert err.value.status_code == 400
        assert "company data" in err.value.body["errors"][0]["message"]

    def test_options_attribute_governs_values(self, client) -> None:
        client.unstable.data_attributes.create_data_attribute(
            request={
                "name": "tier",
                "model": "contact",
                "data_type": "options",
                "options": [{"value": "a"}, {"value": "b"}],
            }
        )
        assert new_contact(client, "o@x.io", custom_attributes={"tier": "a"}).custom_attributes == {"tier": "a"}
        with pytest.raises(ApiError) as err:
            new_contact(client, "o2@x.io", custom_attributes={"tier": "c"})
        assert err.value.status_code == 400

    def test_unknown_attribute_update_is_404(self, client) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.data_attributes.update_data_attribute(id=999999, request={"archived": True})
        assert err.value.status_code == 404
