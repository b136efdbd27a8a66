"""A custom object type `Order` with a reference attribute `orders`, and two instances of it."""

from __future__ import annotations

from typing import Any

from tests.support.live import LiveServer, Workspace, management_json


def order_type(owner_type: str) -> dict[str, Any]:
    return {
        "identifier": "Order",
        "name": "Order",
        "attributes": [
            {"name": "order_number", "data_type": "string"},
            {"name": "orders", "data_type": "reference", "owner_type": owner_type},
        ],
    }


def create_orders(client: Any, server: LiveServer, workspace: Workspace, owner_type: str) -> list[str]:
    """Define `Order` (referenced by `owner_type` objects as `orders`) and create instances A1 and B2."""
    management_json(server, "POST", f"/workspaces/{workspace.id}/custom_object_types", json=order_type(owner_type))
    api = client.unstable.custom_object_instances
    created = [
        api.create_custom_object_instances("Order", external_id=f"ext-{n}", custom_attributes={"order_number": n})
        for n in ("A1", "B2")
    ]
    return [instance.id for instance in created]
