"""The wheel `python -m build` makes installs into a fresh venv and serves from an empty directory;
the container's entry command and health check, run from that install, work too.

No container runtime runs on the build machine, so the image itself is not built here: this checks
what the Dockerfile does with the wheel (docs/operations.md says what remains unchecked).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[1]


def source_files() -> list[str]:
    """What a clean checkout (or `COPY . .`) holds: tracked and new, unignored files."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("source")
    for name in source_files():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tree / name)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(tree)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = dist.glob("tidings-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
    subprocess.run(
        [str(home / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return home


def clean_env(**extra: str) -> dict[str, str]:
    """The machine's environment without this checkout's paths or any tidings setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "PROMETHEUS_")) and k != "PYTHONPATH"}
    env.update(extra)
    return env


class Served:
    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], port: int) -> None:
        self.port = port
        self.log = cwd / "serve.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_ready()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/_tidings/v1/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready:\n{self.output()}")

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "empty"
    directory.mkdir()
    return directory


def test_wheel_holds_migrations_and_docs_assets(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tidings/db/alembic.ini" in names
    assert "tidings/db/migrations/env.py" in names
    migrations = sorted(ROOT.glob("src/tidings/db/migrations/versions/*.py"))
    assert migrations
    assert {f"tidings/db/migrations/versions/{m.name}" for m in migrations} <= names
    assert "tidings/api_docs/operations.json" in names
    assert "tidings/api_docs/static/swagger-ui-bundle.js" in names
    assert "tidings/api_docs/static/LICENSE" in names


def test_installed_wheel_serves_from_an_empty_directory(venv: Path, empty_dir: Path) -> None:
    port = free_port()
    served = Served([str(venv / "bin" / "tidings"), "serve", "--port", str(port)], empty_dir, clean_env(), port)
    try:
        token = re.search(r"Access token: (\S+)", served.output()).group(1)
        me = httpx.get(f"{served.base_url}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["type"] == "admin"
        assert httpx.get(f"{served.base_url}/docs").status_code == 200
        assert httpx.get(f"{served.base_url}/docs/assets/swagger-ui-bundle.js").status_code == 200
    finally:
        served.stop()
    # Everything it kept is in ./tidings-data of the directory it was started in.
    assert (empty_dir / "tidings-data" / "tidings.db").is_file()
    # The code that ran is the installed one, not this checkout.
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import tidings; print(tidings.__file__)"],
        cwd=empty_dir,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in where.stdout


def dockerfile() -> tuple[dict[str, str], list[str], list[str]]:
    """The final stage's ENV, its ENTRYPOINT + CMD, and its HEALTHCHECK command."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    final = text.rsplit("\nFROM ", 1)[1]
    env: dict[str, str] = {}
    for line in final.splitlines():
        if line.startswith("ENV "):
            env.update(dict(pair.split("=", 1) for pair in line[4:].split()))
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", final, re.M).group(1))
    command = json.loads(re.search(r"^CMD (\[.*\])$", final, re.M).group(1))
    health = json.loads(re.search(r"^HEALTHCHECK .*CMD (\[.*\])$", final, re.M).group(1))
    return env, entrypoint + command, health


def test_container_entry_command_and_health_check_run_from_the_wheel(venv: Path, empty_dir: Path) -> None:
    env, command, health = dockerfile()
    assert command == ["tidings", "serve"]
    assert health == ["tidings", "health"]
    assert env["TIDINGS_DATA_DIR"] == "/data"
    port = free_port()
    # The image's settings, but the data directory and port of this test (and loopback only).
    env.update(TIDINGS_DATA_DIR=str(empty_dir / "data"), TIDINGS_PORT=str(port), TIDINGS_HOST="127.0.0.1")
    run_env = clean_env(**env, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    unhealthy = subprocess.run(health, cwd=empty_dir, env=run_env, capture_output=True, text=True, timeout=30)
    assert unhealthy.returncode == 1, unhealthy.stdout
    served = Served(command, empty_dir, run_env, port)
    try:
        healthy = subprocess.run(health, cwd=empty_dir, env=run_env, capture_output=True, text=True, timeout=30)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        # TIDINGS_LOG_FORMAT=json: what a container's log driver collects is JSON.
        logged = [line for line in served.output().splitlines() if line.startswith("{")]
        assert logged
        assert all(json.loads(line)["level"] for line in logged)
    finally:
        served.stop()
    assert (empty_dir / "data" / "tidings.db").is_file()
