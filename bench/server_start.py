"""Time one test server start on a fresh database: empty (the server migrates it) vs a copy of the
run's migrated template (tests/support/templates.py).
Run: PYTHONPATH=src:. .venv/bin/python bench/server_start.py"""

import tempfile
import time
from pathlib import Path

from tests.conftest import _dropping, start_server, stop_server
from tests.support.live import LiveServer, create_postgres_database, drop_postgres_database
from tests.support.templates import drop_templates, postgres_template, sqlite_template


def old(dialect):
    tmp = Path(tempfile.mkdtemp())
    t = time.monotonic()
    url = create_postgres_database() if dialect == "postgresql" else ""
    s = LiveServer(dialect=dialect, database_url=url, data_dir=tmp)
    s.start()
    ready = time.monotonic() - t
    s.stop()
    if url:
        drop_postgres_database(url)
    return ready, time.monotonic() - t


def new(dialect):
    tmp = Path(tempfile.mkdtemp())
    t = time.monotonic()
    s = start_server(dialect, tmp)
    ready = time.monotonic() - t
    stop_server(s)
    return ready, time.monotonic() - t


t = time.monotonic()
sqlite_template()
postgres_template()
print(f"templates built once: {time.monotonic() - t:.1f} s")
for _ in range(2):
    for dialect in ("sqlite", "postgresql"):
        for name, f in (("empty database, server migrates", old), ("template copy", new)):
            ready, total = f(dialect)
            print(f"{dialect:10} {name:32} ready {ready:5.1f} s, ready+stop+drop {total:5.1f} s", flush=True)
for th in _dropping:
    th.join()
drop_templates()
