"""Migrated template databases, one per dialect and test run: copying one takes a fraction of a
second, migrating from nothing takes seconds (dozens of DDL statements, each its own commit).

The first server or scratch database of a run migrates the template, under a file lock shared by
the xdist workers; every later one copies it: `CREATE DATABASE ... TEMPLATE` on PostgreSQL, a file
copy on SQLite. The server still runs its migrations on start, which finds the copy at head. The
tests of the migrations themselves (test_schema) start from an empty database, as before.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.live import POSTGRES_ADMIN_URL, _admin_sql
from tidings.config import normalise_database_url
from tidings.db.migrate import upgrade

# The controller sets it before the workers start, and they inherit it: one template per run.
RUN_ENV = "TIDINGS_TEST_RUN"


def run_id() -> str:
    return os.environ.setdefault(RUN_ENV, secrets.token_hex(4))


def run_dir() -> Path:
    directory = Path(tempfile.gettempdir()) / f"tidings-test-templates-{run_id()}"
    directory.mkdir(exist_ok=True)
    return directory


def template_database_name() -> str:
    return f"tidings_template_{run_id()}"


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with (run_dir() / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def sqlite_template() -> Path:
    """The migrated SQLite file of this run (made on first use)."""
    path = run_dir() / "tidings.db"
    with _locked("sqlite"):
        if not path.exists():
            building = run_dir() / "building" / "tidings.db"
            shutil.rmtree(building.parent, ignore_errors=True)
            upgrade(f"sqlite:///{building}")
            assert not building.with_name("tidings.db-wal").exists(), "the template left a write-ahead log"
            building.rename(path)
    return path


def copy_sqlite_template(target: Path) -> None:
    """A migrated database file at `target` (which must not exist yet)."""
    assert not target.exists(), target
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sqlite_template(), target)


def postgres_template() -> str:
    """The name of this run's migrated template database on the PostgreSQL server (made on first use)."""
    name = template_database_name()
    done = run_dir() / "postgresql.done"
    with _locked("postgresql"):
        if not done.exists():
            _admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
            _admin_sql(f'CREATE DATABASE "{name}"')
            base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
            upgrade(normalise_database_url(f"{base}/{name}"))
            # No connections (autovacuum included) may hold it while it is copied.
            _admin_sql(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            done.touch()
    return name


def drop_templates() -> None:
    """At the end of the run (controller only): the PostgreSQL template and the SQLite file."""
    directory = Path(tempfile.gettempdir()) / f"tidings-test-templates-{run_id()}"
    if (directory / "postgresql.done").exists():
        name = template_database_name()
        _admin_sql(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false')
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(directory, ignore_errors=True)
