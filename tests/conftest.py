"""Fixtures: a live tidings server per database (SQLite always; PostgreSQL when reachable, required in CI)."""

from __future__ import annotations

import contextlib
import os
import threading
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
from tests.support.templates import copy_sqlite_template, drop_templates, postgres_template, run_id
from tidings.config import normalise_database_url

REQUIRE_POSTGRES = os.environ.get("TIDINGS_REQUIRE_POSTGRES") == "1" or os.environ.get("CI") == "true"


def require_postgres() -> None:
    """Skip the test when PostgreSQL is unreachable; in CI, fail it."""
    reason = postgres_available()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    run_id()  # before the xdist workers start, so that they share the run's template databases


def pytest_unconfigure(config: pytest.Config) -> None:
    for thread in _dropping:
        thread.join()
    if not hasattr(config, "workerinput"):
        drop_templates()


# Databases being dropped: a PostgreSQL DROP DATABASE takes seconds, which no test needs to wait for.
_dropping: list[threading.Thread] = []


def drop_postgres_database_later(url: str) -> None:
    thread = threading.Thread(target=drop_postgres_database, args=(url,), name=f"drop {url}")
    thread.start()
    _dropping.append(thread)


@contextlib.contextmanager
def scratch_database(dialect: str, directory: Path, *, migrate: bool = True) -> Iterator[str]:
    """A fresh database (at head, a copy of the run's migrated template, unless told to be empty),
    as the URL tidings' storage opens; a PostgreSQL one is dropped afterwards."""
    if dialect == "sqlite":
        if migrate:
            copy_sqlite_template(directory / "tidings.db")
        yield f"sqlite:///{directory / 'tidings.db'}"
        return
    require_postgres()
    plain = create_postgres_database(postgres_template() if migrate else None)
    try:
        yield normalise_database_url(plain)
    finally:
        drop_postgres_database_later(plain)


def start_server(dialect: str, tmp: Path, **kwargs: object) -> LiveServer:
    """A started server on a fresh database (a copy of the migrated template); callers stop it (and
    drop its database)."""
    if dialect == "postgresql":
        require_postgres()
        url = create_postgres_database(postgres_template())
    else:
        url = ""
        copy_sqlite_template(tmp / "tidings.db")
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
        drop_postgres_database_later(server.database_url)


@pytest.fixture(scope="session")
def session_servers() -> Iterator[dict[str, LiveServer]]:
    """The session's servers by dialect, each started once and stopped at the end. pytest finishes a
    parametrized session fixture whenever the next test wants the other parameter, which under
    `--dist loadfile` (a file's SQLite tests, then its PostgreSQL ones) was at every file."""
    started: dict[str, LiveServer] = {}
    yield started
    for live in started.values():
        stop_server(live)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, session_servers: dict[str, LiveServer], tmp_path_factory: pytest.TempPathFactory
) -> LiveServer:
    if request.param not in session_servers:
        directory = tmp_path_factory.mktemp(f"tidings-{request.param}")
        session_servers[request.param] = start_server(request.param, directory)
    return session_servers[request.param]


@pytest.fixture
def workspace(server: LiveServer) -> Workspace:
    """A fresh workspace: tests never see each other's data."""
    return server.new_workspace()


@pytest.fixture
def client(workspace: Workspace):  # type: ignore[no-untyped-def]
    """The official SDK, pointed at the live server, validating every response against the spec."""
    return workspace.client
