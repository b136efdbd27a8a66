"""Fixtures: a live tidings server per database (SQLite always; PostgreSQL when reachable, required in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import (
    LiveServer,
    Workspace,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)

REQUIRE_POSTGRES = os.environ.get("TIDINGS_REQUIRE_POSTGRES") == "1" or os.environ.get("CI") == "true"


def start_server(dialect: str, tmp: Path, **kwargs: object) -> LiveServer:
    """A started server on a fresh database; callers stop it (and drop its database)."""
    if dialect == "postgresql":
        reason = postgres_available()
        if reason:
            if REQUIRE_POSTGRES:
                pytest.fail(reason)
            pytest.skip(reason)
        url = create_postgres_database()
    else:
        url = ""
    server = LiveServer(dialect=dialect, database_url=url, data_dir=tmp, **kwargs)  # type: ignore[arg-type]
    try:
        server.start()
    except BaseException:
        if url:
            drop_postgres_database(url)
        raise
    return server


def stop_server(server: LiveServer) -> None:
    server.stop()
    if server.dialect == "postgresql":
        drop_postgres_database(server.database_url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(request.param, tmp_path_factory.mktemp(f"tidings-{request.param}"))
    yield live
    stop_server(live)


@pytest.fixture
def workspace(server: LiveServer) -> Workspace:
    """A fresh workspace: tests never see each other's data."""
    return server.new_workspace()


@pytest.fixture
def client(workspace: Workspace):  # type: ignore[no-untyped-def]
    """The official SDK, pointed at the live server, validating every response against the spec."""
    return workspace.client
