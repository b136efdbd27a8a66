"""tidings served from inside the test process, on a thread with its own event loop."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tidings.testing.control import WorkspaceControl

START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class TidingsWorkspace:
    """A workspace of the test server: its id and token, and its control plane."""

    id: str
    token: str
    base_url: str
    control: WorkspaceControl

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Intercom-Version": "Unstable"}

    def close(self) -> None:
        self.control.close()


@dataclass
class TidingsServer:
    data_dir: Path
    database_url: str
    admin_key: str
    port: int = field(default_factory=free_port)
    _server: Any = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import uvicorn

        from tidings.app import create_app
        from tidings.bootstrap import prepare
        from tidings.config import Settings
        from tidings.control.requests import RequestLogMiddleware
        from tidings.core.request_id import RequestIdMiddleware

        settings = Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            admin_key=self.admin_key,
            host="127.0.0.1",
            port=self.port,
        )
        prepare(settings)
        app = RequestIdMiddleware(RequestLogMiddleware(create_app(settings), settings.request_log_size))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, lifespan="on", log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="tidings-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("tidings did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=30)
        self._server = self._thread = None

    def management(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base_url}/_tidings/v1", headers={"Authorization": f"Bearer {self.admin_key}"}, timeout=60
        )

    def new_workspace(self, name: str = "test", seed: str | int | None = None) -> TidingsWorkspace:
        """A fresh workspace with an access token (with a seed: deterministic ids)."""
        body: dict[str, Any] = {"name": name} if seed is None else {"name": name, "seed": seed}
        with self.management() as mgmt:
            created = mgmt.post("/workspaces", json=body)
            created.raise_for_status()
            workspace_id = created.json()["id"]
            token = mgmt.post(f"/workspaces/{workspace_id}/access_tokens", json={"name": "tests"})
            token.raise_for_status()
        return TidingsWorkspace(
            id=workspace_id,
            token=token.json()["token"],
            base_url=self.base_url,
            control=WorkspaceControl(self.base_url, self.admin_key, workspace_id),
        )
