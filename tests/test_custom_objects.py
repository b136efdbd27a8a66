"""Custom objects end to end: types through the management API, instances through the official SDK."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from intercom.core.api_error import ApiError
from intercom.unstable.errors import NotFoundError

from tests.support.live import LiveServer, Workspace, validating_hooks

ORDER = {
    "identifier": "Order",
    "name": "Order",
    "attributes": [
        {"name": "order_number", "data_type": "string"},
        {"name": "total_amount", "data_type": "decimal"},
        {"name": "quantity", "data_type": "integer"},
        {"name": "paid", "data_type": "boolean"},
        {"name": "shipped_at", "data_type": "datetime"},
        {"name": "order", "data_type": "reference", "owner_type": "contact"},
    ],
}


def management(server: LiveServer, method: str, path: str, **kwargs: object) -> httpx.Response:
    with server.management() as mgmt:
        return mgmt.request(method, path, **kwargs)  # type: ignore[arg-type]


def create_type(server: LiveServer, workspace: Workspace, body: dict = ORDER) -> dict:
    response = management(server, "POST", f"/workspaces/{workspace.id}/custom_object_types", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["code"] == code
    if field is not None:
        assert error["field"] == field
    return error


@pytest.fixture
def order_type(server: LiveServer, workspace: Workspace) -> dict:
    return create_type(server, workspace)


class TestTypes:
    def test_create_list_get(self, server: LiveServer, workspace: Workspace, order_type: dict) -> None:
        assert order_type["type"] == "custom_object_type"
        assert order_type["identifier"] == "Order"
        assert order_type["attributes"][0] == {"name": "order_number", "data_type": "string"}
        assert order_type["attributes"][-1] == {"name": "order", "data_type": "reference", "owner_type": "contact"}
        listed = management(server, "GET", f"/workspaces/{workspace.id}/custom_object_types").json()
        assert listed["type"] == "list"
        assert [t["identifier"] for t in listed["data"]] == ["Order"]
        assert listed["data"][0]["attributes"] == order_type["attributes"]
        found = management(server, "GET", f"/workspaces/{workspace.id}/custom_object_types/Order").json()
        assert found == order_type

    def test_attributes_can_be_added_but_not_retyped(
        self, server: LiveServer, workspace: Workspace, order_type: dict
    ) -> None:
        path = f"/workspaces/{workspace.id}/custom_object_types/Order"
        updated = management(
            server,
            "PUT",
            path,
            json={
                "attributes": [{"name": "order_number", "data_type": "string"}, {"name": "note", "data_type": "string"}]
            },
        )
        assert updated.status_code == 200, updated.text
        assert [a["name"] for a in updated.json()["attributes"]][-2:] == ["order", "note"]
        retyped = management(server, "PUT", path, json={"attributes": [{"name": "quantity", "data_type": "string"}]})
        assert_error(retyped, 400, "parameter_invalid", "attributes[0].name")
        assert_error(
            management(server, "PUT", path, json={"identifier": "Purchase"}), 400, "parameter_invalid", "identifier"
        )
        assert management(server, "GET", path).json()["attributes"] == updated.json()["attributes"]

    def test_invalid_definitions_write_nothing(self, server: LiveServer, workspace: Workspace) -> None:
        path = f"/workspaces/{workspace.id}/custom_object_types"
        cases = [
            ({"identifier": "Bad Name"}, "identifier"),
            ({"identifier": "Order", "attributes": [{"name": "x", "data_type": "money"}]}, "attributes[0].data_type"),
            (
                {"identifier": "Order", "attributes": [{"name": "external_id", "data_type": "string"}]},
                "attributes[0].name",
            ),
            (
                {"identifier": "Order", "attributes": [{"name": "o", "data_type": "reference"}]},
                "attributes[0].owner_type",
            ),
            (
                {"identifier": "Order", "attributes": [{"name": "o", "data_type": "string", "owner_type": "contact"}]},
                "attributes[0].owner_type",
            ),
            (
                {
                    "identifier": "Order",
                    "attributes": [{"name": "a", "data_type": "string"}, {"name": "a", "data_type": "string"}],
                },
                "attributes[1].name",
            ),
        ]
        for body, field in cases:
            assert_error(management(server, "POST", path, json=body), 400, "parameter_invalid", field)
        assert management(server, "GET", path).json()["data"] == []

    def test_identifier_and_reference_names_are_unique(
        self, server: LiveServer, workspace: Workspace, order_type: dict
    ) -> None:
        path = f"/workspaces/{workspace.id}/custom_object_types"
        assert_error(management(server, "POST", path, json={"identifier": "Order"}), 409, "conflict")
        clash = {
            "identifier": "Invoice",
            "attributes": [{"name": "order", "data_type": "reference", "owner_type": "contact"}],
        }
        assert_error(management(server, "POST", path, json=clash), 400, "parameter_invalid", "attributes[0].name")
        # The same name is free on another owner type.
        other = {
            "identifier": "Invoice",
            "attributes": [{"name": "order", "data_type": "reference", "owner_type": "conversation"}],
        }
        assert management(server, "POST", path, json=other).status_code == 201

    def test_unknown_workspace_and_type(self, server: LiveServer, workspace: Workspace) -> None:
        assert_error(management(server, "GET", "/workspaces/nope/custom_object_types"), 404, "not_found")
        missing = management(server, "GET", f"/workspaces/{workspace.id}/custom_object_types/Nope")
        assert assert_error(missing, 404, "not_found")["message"] == "Custom object type `Nope` not found"


class TestInstances:
    def test_create_retrieve_update_delete_through_the_sdk(self, client, order_type: dict) -> None:
        api = client.unstable.custom_object_instances
        created = api.create_custom_object_instances(
            "Order",
            external_id="123",
            external_created_at=1392036272,
            external_updated_at=1392036272,
            custom_attributes={"order_number": "ORDER-12345", "total_amount": "99.99", "quantity": "3"},
        )
        assert created.type == "Order"
        assert created.external_id == "123"
        assert created.external_created_at == 1392036272
        assert created.custom_attributes == {"order_number": "ORDER-12345", "total_amount": "99.99", "quantity": "3"}
        assert created.id.isdigit()
        assert created.created_at == created.updated_at > 0

        by_external = api.get_custom_object_instances_by_external_id("Order", external_id="123")
        assert (by_external.id, by_external.custom_attributes) == (created.id, created.custom_attributes)
        by_id = api.get_custom_object_instances_by_id("Order", created.id)
        assert by_id.external_id == "123"

        # Same external_id: the same instance, attributes merged, null clears one.
        updated = api.create_custom_object_instances(
            "Order",
            external_id="123",
            external_updated_at=1400000000,
            custom_attributes={"paid": "true", "quantity": None},
        )
        assert updated.id == created.id
        assert updated.external_created_at == 1392036272
        assert updated.external_updated_at == 1400000000
        assert updated.custom_attributes == {"order_number": "ORDER-12345", "total_amount": "99.99", "paid": "true"}

        # The spec's operationIds for the deletes are swapped; the SDK follows them.
        deleted = api.delete_custom_object_instances_by_external_id("Order", created.id)
        assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "Order", True)
        with pytest.raises(NotFoundError):
            api.get_custom_object_instances_by_id("Order", created.id)

        other = api.create_custom_object_instances("Order", external_id="456")
        assert other.id != created.id
        assert other.custom_attributes == {}
        assert other.external_created_at is None
        deleted = api.delete_custom_object_instances_by_id("Order", external_id="456")
        assert (deleted.id, deleted.object, deleted.deleted) == (other.id, "Order", True)
        with pytest.raises(NotFoundError) as err:
            api.get_custom_object_instances_by_external_id("Order", external_id="456")
        assert err.value.body["errors"][0]["message"] == "Custom object instance not found"

    def test_native_json_values_are_accepted_and_answered_as_strings(
        self, workspace: Workspace, order_type: dict
    ) -> None:
        response = workspace.http.post(
            "/custom_object_instances/Order",
            json={
                "external_id": "n1",
                "custom_attributes": {
                    "total_amount": 99.99,
                    "quantity": 2,
                    "paid": False,
                    "shipped_at": "2024-01-02T03:04:05Z",
                },
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["custom_attributes"] == {
            "total_amount": "99.99",
            "quantity": "2",
            "paid": "false",
            "shipped_at": "1704164645",
        }

    @pytest.mark.parametrize(
        ("attributes", "field", "message"),
        [
            ({"colour": "red"}, "custom_attributes.colour", "Custom attribute 'colour' does not exist on Order"),
            (
                {"quantity": "2.5"},
                "custom_attributes.quantity",
                "Custom attribute 'quantity' of Order must be an integer",
            ),
            (
                {"quantity": True},
                "custom_attributes.quantity",
                "Custom attribute 'quantity' of Order must be an integer",
            ),
            (
                {"total_amount": "lots"},
                "custom_attributes.total_amount",
                "Custom attribute 'total_amount' of Order must be a decimal",
            ),
            ({"paid": "yes"}, "custom_attributes.paid", "Custom attribute 'paid' of Order must be a boolean"),
            (
                {"shipped_at": "soon"},
                "custom_attributes.shipped_at",
                "Custom attribute 'shipped_at' of Order must be a datetime",
            ),
            (
                {"order_number": 12},
                "custom_attributes.order_number",
                "Custom attribute 'order_number' of Order must be a string",
            ),
            # A reference attribute belongs to contacts, not to the instance.
            ({"order": ["1"]}, "custom_attributes.order", "Custom attribute 'order' does not exist on Order"),
        ],
    )
    def test_validation_is_exact_and_writes_nothing(
        self, workspace: Workspace, order_type: dict, attributes: dict, field: str, message: str
    ) -> None:
        workspace.http.post(
            "/custom_object_instances/Order", json={"external_id": "v1", "custom_attributes": {"quantity": 1}}
        )
        for external_id in ("v1", "v2"):
            response = workspace.http.post(
                "/custom_object_instances/Order",
                json={
                    "external_id": external_id,
                    "external_updated_at": 5,
                    "custom_attributes": {"paid": True, **attributes},
                },
            )
            assert assert_error(response, 400, "parameter_invalid", field)["message"] == message
        kept = workspace.http.get("/custom_object_instances/Order", params={"external_id": "v1"}).json()
        assert kept["custom_attributes"] == {"quantity": "1"}
        assert kept["external_updated_at"] is None
        assert_error(
            workspace.http.get("/custom_object_instances/Order", params={"external_id": "v2"}), 404, "not_found"
        )

    def test_sdk_raises_on_validation_errors(self, client, order_type: dict) -> None:
        with pytest.raises(ApiError) as err:
            client.unstable.custom_object_instances.create_custom_object_instances(
                "Order", external_id="1", custom_attributes={"quantity": "many"}
            )
        assert err.value.status_code == 400
        assert err.value.body["errors"][0]["field"] == "custom_attributes.quantity"

    def test_external_id_is_required(self, workspace: Workspace, order_type: dict) -> None:
        assert_error(
            workspace.http.post("/custom_object_instances/Order", json={}), 400, "parameter_not_found", "external_id"
        )
        assert_error(workspace.http.get("/custom_object_instances/Order"), 400, "parameter_not_found", "external_id")
        assert_error(workspace.http.delete("/custom_object_instances/Order"), 400, "parameter_not_found", "external_id")

    def test_unknown_type_is_404_in_intercoms_shape(self, client, workspace: Workspace) -> None:
        with pytest.raises(NotFoundError) as err:
            client.unstable.custom_object_instances.create_custom_object_instances("Nope", external_id="1")
        assert err.value.body["errors"][0] == {"code": "not_found", "message": "Custom object type `Nope` not found"}
        for response in (
            workspace.http.get("/custom_object_instances/Nope", params={"external_id": "1"}),
            workspace.http.get("/custom_object_instances/Nope/1"),
            workspace.http.delete("/custom_object_instances/Nope/1"),
            workspace.http.delete("/custom_object_instances/Nope", params={"external_id": "1"}),
        ):
            assert assert_error(response, 404, "not_found")["message"] == "Custom object type `Nope` not found"

    def test_get_by_path_takes_the_id_or_the_external_id(self, client, workspace: Workspace, order_type: dict) -> None:
        created = client.unstable.custom_object_instances.create_custom_object_instances(
            "Order", external_id="order-7", custom_attributes={"order_number": "7"}
        )
        for key in (created.id, "order-7"):
            found = workspace.http.get(f"/custom_object_instances/Order/{key}")
            assert found.status_code == 200, found.text
            assert found.json()["id"] == created.id

    def test_unknown_instances(self, workspace: Workspace, order_type: dict) -> None:
        for response in (
            workspace.http.get("/custom_object_instances/Order/999999"),
            workspace.http.get("/custom_object_instances/Order/abc"),
            workspace.http.delete("/custom_object_instances/Order/999999"),
            workspace.http.delete("/custom_object_instances/Order", params={"external_id": "nope"}),
        ):
            assert assert_error(response, 404, "not_found")["message"] == "Custom object instance not found"

    def test_an_instance_belongs_to_its_type_and_workspace(
        self, server: LiveServer, workspace: Workspace, order_type: dict
    ) -> None:
        create_type(server, workspace, {"identifier": "Invoice", "attributes": []})
        order = workspace.http.post("/custom_object_instances/Order", json={"external_id": "x"}).json()
        assert_error(workspace.http.get(f"/custom_object_instances/Invoice/{order['id']}"), 404, "not_found")
        invoice = workspace.http.post("/custom_object_instances/Invoice", json={"external_id": "x"}).json()
        assert invoice["id"] != order["id"]
        other = server.new_workspace("other")
        create_type(server, other)
        assert_error(other.http.get(f"/custom_object_instances/Order/{order['id']}"), 404, "not_found")
        assert_error(other.http.delete("/custom_object_instances/Order", params={"external_id": "x"}), 404, "not_found")
        assert workspace.http.get(f"/custom_object_instances/Order/{order['id']}").json()["external_id"] == "x"

    def test_concurrent_upserts_of_one_external_id_leave_one_instance(
        self, workspace: Workspace, order_type: dict
    ) -> None:
        def upsert(n: int) -> dict:
            with httpx.Client(
                base_url=workspace.base_url,
                headers={"Authorization": f"Bearer {workspace.token}"},
                event_hooks=validating_hooks(),
                timeout=30,
            ) as http:
                response = http.post(
                    "/custom_object_instances/Order",
                    json={"external_id": "race", "custom_attributes": {"quantity": n}},
                )
                assert response.status_code == 200, response.text
                return response.json()

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(upsert, range(24)))
        assert len({a["id"] for a in answers}) == 1
        final = workspace.http.get("/custom_object_instances/Order", params={"external_id": "race"}).json()
        assert final["id"] == answers[0]["id"]
        assert final["custom_attributes"]["quantity"] in {str(n) for n in range(24)}
        # Deleting the one instance leaves none behind under that external_id.
        workspace.http.delete("/custom_object_instances/Order", params={"external_id": "race"})
        assert_error(
            workspace.http.get("/custom_object_instances/Order", params={"external_id": "race"}), 404, "not_found"
        )


class TestSetUp:
    def test_reset_keeps_types_and_drops_instances(
        self, server: LiveServer, workspace: Workspace, order_type: dict
    ) -> None:
        workspace.http.post("/custom_object_instances/Order", json={"external_id": "1"})
        assert management(server, "POST", f"/workspaces/{workspace.id}/reset").status_code == 200
        assert_error(
            workspace.http.get("/custom_object_instances/Order", params={"external_id": "1"}), 404, "not_found"
        )
        kept = management(server, "GET", f"/workspaces/{workspace.id}/custom_object_types/Order").json()
        assert kept["attributes"] == order_type["attributes"]

    def test_a_numeric_external_id_is_taken_as_its_digits(self, workspace: Workspace, order_type: dict) -> None:
        created = workspace.http.post("/custom_object_instances/Order", json={"external_id": 123})
        assert created.json()["external_id"] == "123"
        again = workspace.http.post("/custom_object_instances/Order", json={"external_id": "123"})
        assert again.json()["id"] == created.json()["id"]

    def test_concurrent_type_creation_is_one_type_and_conflicts(self, server: LiveServer, workspace: Workspace) -> None:
        def create(_: int) -> int:
            return management(
                server, "POST", f"/workspaces/{workspace.id}/custom_object_types", json={"identifier": "Ticket"}
            ).status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(create, range(6)))
        assert sorted(statuses) == [201] + [409] * 5
        listed = management(server, "GET", f"/workspaces/{workspace.id}/custom_object_types").json()["data"]
        assert [t["identifier"] for t in listed] == ["Ticket"]
