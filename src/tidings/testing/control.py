"""A client of one workspace's control plane (docs/control-plane.md), for tests and scripts."""

from __future__ import annotations

from typing import Any

import httpx


class ControlError(RuntimeError):
    pass


class WorkspaceControl:
    """The clock, snapshots, request log and faults of one workspace, over the management API."""

    def __init__(self, base_url: str, admin_key: str, workspace_id: str, timeout: float = 60) -> None:
        self.workspace_id = workspace_id
        self._http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/_tidings/v1/workspaces/{workspace_id}",
            headers={"Authorization": f"Bearer {admin_key}"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ControlError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    # The clock.
    def clock(self) -> dict[str, Any]:
        return self.call("GET", "/clock")

    def now(self) -> int:
        return int(self.clock()["now"])

    def freeze(self, at: float | None = None) -> dict[str, Any]:
        """Stop the workspace's clock (at Unix time `at`, or where it is)."""
        return self.call("POST", "/clock/freeze", json={} if at is None else {"at": at})

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the clock forward; what falls due on the way has fired when this returns."""
        return self.call("POST", "/clock/advance", json={"seconds": seconds})

    def real_time(self) -> dict[str, Any]:
        return self.call("POST", "/clock/real")

    # Snapshots.
    def save_snapshot(self, name: str) -> dict[str, Any]:
        return self.call("POST", "/snapshots", json={"name": name})

    def restore_snapshot(self, name: str) -> dict[str, Any]:
        return self.call("POST", f"/snapshots/{name}/restore")

    def snapshots(self) -> list[dict[str, Any]]:
        return self.call("GET", "/snapshots")["data"]

    def delete_snapshot(self, name: str) -> dict[str, Any]:
        return self.call("DELETE", f"/snapshots/{name}")
