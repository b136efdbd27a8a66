"""A real tidings server on a loopback port, on SQLite or PostgreSQL, for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from intercom import Intercom

from tests.support.contract import check_response
from tidings.testing.control import WorkspaceControl

SRC = Path(__file__).resolve().parents[2] / "src"
POSTGRES_ADMIN_URL = os.environ.get("TIDINGS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""

    async def probe() -> None:
        import asyncpg

        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {exc}"
    return None


def _admin_sql(statement: str) -> None:
    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def create_postgres_database(template: str | None = None) -> str:
    """A new database, empty or a copy of `template`; its plain URL."""
    name = f"tidings_test_{os.getpid()}_{secrets.token_hex(4)}"
    _admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def validating_hooks() -> dict[str, list[Callable[[httpx.Response], None]]]:
    def check(response: httpx.Response) -> None:
        response.read()
        check_response(response.request.method, response.request.url.path, response.status_code, response.content)

    return {"response": [check]}


@dataclass
class Workspace:
    """A fresh workspace on the live server, with a token and clients that validate every response."""

    id: str
    token: str
    base_url: str
    admin_key: str = ""
    client: Intercom = field(init=False)
    http: httpx.Client = field(init=False)
    control: WorkspaceControl = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}", "Intercom-Version": "Unstable"},
            event_hooks=validating_hooks(),
            timeout=30,
        )
        self.client = Intercom(
            token=self.token,
            base_url=self.base_url,
            httpx_client=httpx.Client(event_hooks=validating_hooks(), timeout=30),
        )
        # The control plane (clock, snapshots, request log, faults) of this workspace.
        self.control = WorkspaceControl(self.base_url, self.admin_key, self.id)


@dataclass
class LiveServer:
    dialect: str
    database_url: str
    data_dir: Path
    admin_key: str = field(default_factory=lambda: "adm_" + secrets.token_hex(16))
    bootstrap_token: str = field(default_factory=lambda: "tok_" + secrets.token_hex(16))
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "TIDINGS_DATA_DIR": str(self.data_dir),
                "TIDINGS_DATABASE_URL": self.database_url if self.dialect == "postgresql" else "",
                "TIDINGS_ADMIN_KEY": self.admin_key,
                "TIDINGS_BOOTSTRAP_TOKEN": self.bootstrap_token,
                "TIDINGS_WEBHOOK_RETRY_SCHEDULE": "1,2,4",
                "TIDINGS_LOG_LEVEL": "warning",
                # The server runs this checkout's code, whatever is installed.
                "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
            }
        )
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tidings", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"tidings exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/_tidings/v1/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"tidings did not become ready:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self, sig: int = signal.SIGTERM) -> None:
        self.stop(sig)
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-20000:] if self.log_path.exists() else ""

    def management(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base_url}/_tidings/v1",
            headers={"Authorization": f"Bearer {self.admin_key}"},
            event_hooks=validating_hooks(),
            timeout=30,
        )

    def new_workspace(self, name: str = "test") -> Workspace:
        with self.management() as mgmt:
            ws = mgmt.post("/workspaces", json={"name": name})
            assert ws.status_code == 201, ws.text
            ws_id = ws.json()["id"]
            token = mgmt.post(f"/workspaces/{ws_id}/access_tokens", json={"name": "tests"})
            assert token.status_code == 201, token.text
        return Workspace(id=ws_id, token=token.json()["token"], base_url=self.base_url, admin_key=self.admin_key)


def management_json(server: LiveServer, method: str, path: str, **kwargs: Any) -> Any:
    with server.management() as mgmt:
        response = mgmt.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()
