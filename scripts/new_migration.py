"""Autogenerate the next migration from the tables' definitions.

    python scripts/new_migration.py <revision id, e.g. 0003> "<message>"

It migrates a scratch SQLite database to head, diffs it against `tidings.db.metadata.metadata`
(every table once `tidings.areas` is imported), writes
`src/tidings/db/migrations/versions/<id>_<message>.py`, and formats it. Review the result.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))  # this checkout's tables and migrations, whatever is installed

from tidings.db.migrate import alembic_config, upgrade  # noqa: E402

VERSIONS = SRC / "tidings" / "db" / "migrations" / "versions"


def main() -> None:
    rev_id, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/scratch.db"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)
    for path in VERSIONS.glob(f"{rev_id}_*.py"):
        # Autogenerate renders JSONB(astext_type=Text()) without importing Text.
        path.write_text(re.sub(r"astext_type=Text\(\)", "astext_type=sa.Text()", path.read_text()))
        subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(path)], check=False)
        subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", str(path)], check=False)
        print(path)


if __name__ == "__main__":
    main()
