"""Fixtures: a live tidings server per database (SQLite always; PostgreSQL when reachable, required in CI)."""

from __future__ import annotations

import contextlib
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
from tidings.config import normalise_database_url
from tidings.db.migrate import upgrade

REQUIRE_POSTGRES = os.environ.get("TIDINGS_REQUIRE_POSTGRES") == "1" or os.environ.get("CI") == "true"


def require_postgres() -> None:
    """Skip the test when PostgreSQL is unreachable; in CI, fail it."""
    reason = postgres_available()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)


@contextlib.contextmanager
def scratch_database(dialect: str, directory: Path, *, migrate: bool = True) -> Iterator[str]:
    """A fresh database (migrated to head unless told not to), as the URL tidings' storage opens;
    a PostgreSQL one is dropped afterwards."""
    if dialect == "sqlite":
        url = f"sqlite:///{directory / 'tidings.db'}"
        if migrate:
            upgrade(url)
        yield url
        return
    require_postgres()
    plain = create_postgres_database()
    try:
        url = normalise_database_url(plain)
        if migrate:
            upgrade(url)
        yield url
    finally:
        drop_postgres_database(plain)


def start_server(dialect: str, tmp: Path, **kwargs: object) -> LiveServer:
    """A started server on a fresh database; callers stop it (and drop its database)."""
    if dialect == "postgresql":
        require_postgres()
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
