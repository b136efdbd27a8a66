"""tidings' pytest plugin: a tidings server for the session, a fresh workspace per test.

Installing tidings registers it (entry point `pytest11`); `-p tidings.testing` loads it when
plugin autoloading is off. Fixtures:

- `tidings_server`: tidings in this process, on a free loopback port and a temporary SQLite file,
  for the whole session (`--tidings-database-url` points it at PostgreSQL instead).
- `tidings_workspace`: a fresh workspace with an access token, and `.control`, its clock,
  snapshots, request log and faults (`tidings.testing.control.WorkspaceControl`).
- `tidings_client`: the official SDK (`intercom.Intercom`) on that workspace;
  `tidings_client_factory(workspace, **options)` makes more.

An integrator's conftest needs nothing; tests just name the fixtures (docs/control-plane.md).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tidings.testing.control import WorkspaceControl
from tidings.testing.server import TidingsServer, TidingsWorkspace

__all__ = ["TidingsServer", "TidingsWorkspace", "WorkspaceControl"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tidings")
    group.addoption(
        "--tidings-database-url",
        default=None,
        help="Database for the tidings_server fixture (default: a temporary SQLite file).",
    )


@pytest.fixture(scope="session")
def tidings_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TidingsServer]:
    server = TidingsServer(
        data_dir=tmp_path_factory.mktemp("tidings"),
        database_url=request.config.getoption("--tidings-database-url") or "",
        admin_key="adm_" + secrets.token_hex(16),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tidings_workspace(tidings_server: TidingsServer) -> Iterator[TidingsWorkspace]:
    workspace = tidings_server.new_workspace()
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def tidings_client_factory() -> Callable[..., Any]:
    def make(workspace: TidingsWorkspace, **options: Any) -> Any:
        from intercom import Intercom

        return Intercom(token=workspace.token, base_url=workspace.base_url, **options)

    return make


@pytest.fixture
def tidings_client(tidings_workspace: TidingsWorkspace, tidings_client_factory: Callable[..., Any]) -> Any:
    return tidings_client_factory(tidings_workspace)
