"""Control plane: how long a workspace reset and a snapshot restore take, as a test sees them.

    python bench/control.py [--objects 300] [--rounds 20] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Starts `tidings serve` on a scratch SQLite file (and, with --postgres, on a scratch PostgreSQL
database created next to the one named), fills one workspace through the Intercom API with about
`--objects` objects (contacts with notes and tags, companies, conversations with replies), saves a
snapshot, then times over HTTP `--rounds` restores of it and `--rounds` resets of the filled
workspace (each reset is followed by an untimed restore). Prints median and p95 in milliseconds,
and restore relative to reset.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(data_dir: str, database_url: str) -> tuple[subprocess.Popen[bytes], str, str]:
    port, admin_key = free_port(), "adm_" + secrets.token_hex(8)
    env = dict(os.environ)
    env.update(
        {
            "TIDINGS_DATA_DIR": data_dir,
            "TIDINGS_DATABASE_URL": database_url,
            "TIDINGS_ADMIN_KEY": admin_key,
            "TIDINGS_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tidings", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_tidings/v1/ready", timeout=1).status_code == 200:
                return process, base, admin_key
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("tidings did not start")


def fill(api: httpx.Client, objects: int) -> int:
    admin_id = api.get("/me").json()["id"]
    tag = api.post("/tags", json={"name": "vip"}).json()
    made = 1
    n = 0
    while made < objects:
        contact = api.post("/contacts", json={"email": f"user{n}@example.com", "name": f"User {n}"}).json()
        api.post(f"/contacts/{contact['id']}/tags", json={"id": tag["id"]})
        api.post(f"/contacts/{contact['id']}/notes", json={"body": "A note", "admin_id": admin_id})
        company = api.post("/companies", json={"company_id": f"c{n}", "name": f"Company {n}"}).json()
        api.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]})
        message = api.post("/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "Help"})
        conversation_id = message.json()["conversation_id"]
        reply = {"message_type": "comment", "type": "admin", "admin_id": admin_id, "body": "On it"}
        api.post(f"/conversations/{conversation_id}/reply", json=reply)
        made += 7  # contact, tagging, note, company, its link, conversation, reply (parts not counted)
        n += 1
    return made


def timed(call: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    response = call.post(path)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed


def measure(label: str, database_url: str, objects: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, base, admin_key = serve(tmp, database_url)
        try:
            mgmt = httpx.Client(base_url=f"{base}/_tidings/v1", headers={"Authorization": f"Bearer {admin_key}"})
            ws = mgmt.post("/workspaces", json={"name": "bench"}).json()["id"]
            token = mgmt.post(f"/workspaces/{ws}/access_tokens", json={"name": "bench"}).json()["token"]
            api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            made = fill(api, objects)
            saved = mgmt.post(f"/workspaces/{ws}/snapshots", json={"name": "filled"}).json()
            restores = [timed(mgmt, f"/workspaces/{ws}/snapshots/filled/restore") for _ in range(rounds)]
            resets = []
            for _ in range(rounds):
                resets.append(timed(mgmt, f"/workspaces/{ws}/reset"))
                timed(mgmt, f"/workspaces/{ws}/snapshots/filled/restore")
        finally:
            process.terminate()
            process.wait(timeout=20)

    def summary(values: list[float]) -> str:
        ordered = sorted(values)
        return f"median {statistics.median(ordered):6.1f} ms  p95 {ordered[int(len(ordered) * 0.95) - 1]:6.1f} ms"

    print(f"{label}: {made} objects through the API, {saved['objects']} rows in the snapshot")
    print(f"  reset    {summary(resets)}")
    print(f"  restore  {summary(restores)}")
    print(f"  restore / reset (medians): {statistics.median(restores) / statistics.median(resets):.2f}")


def with_postgres(admin_url: str, work: object) -> None:
    name = f"tidings_bench_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        work(admin_url.rsplit("/", 1)[0] + "/" + name)  # type: ignore[operator]
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    measure("SQLite", "", args.objects, args.rounds)
    if args.postgres:
        with_postgres(args.postgres, lambda url: measure("PostgreSQL", url, args.objects, args.rounds))


if __name__ == "__main__":
    main()
