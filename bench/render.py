"""CPU cost of rendering a contact against a tag, in-process (little affected by a loaded machine).

    python bench/render.py [--calls 2000] [--tags 2] [--notes 2] [--companies 1]

Starts `tidings serve` on a fresh SQLite database just to create the objects through the API, stops
it, then in one process and one read-only transaction calls `contacts.service.get` and
`tags.service.get` and encodes the result, `--calls` times each, and prints the CPU time
(`time.process_time`) per call and the number of statements each runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import msgspec


def create_objects(args: argparse.Namespace, data_dir: Path) -> tuple[str, str, str]:
    port = 8981
    env = dict(os.environ, TIDINGS_DATA_DIR=str(data_dir), TIDINGS_BOOTSTRAP_TOKEN="tok", TIDINGS_ADMIN_KEY="adm")
    env.pop("TIDINGS_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "tidings", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(f"{base}/_tidings/v1/ready", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers={"Authorization": "Bearer tok"}, timeout=30) as http:
            me = http.get("/me").json()
            contact = http.post("/contacts", json={"email": "render@example.com", "name": "Render"}).json()["id"]
            tag = ""
            for i in range(max(args.tags, 1)):
                tag = http.post("/tags", json={"name": f"render {i}"}).json()["id"]
                if i < args.tags:
                    http.post(f"/contacts/{contact}/tags", json={"id": tag}).raise_for_status()
            for i in range(args.notes):
                http.post(f"/contacts/{contact}/notes", json={"body": f"n{i}", "admin_id": me["id"]}).raise_for_status()
            for i in range(args.companies):
                company = http.post("/companies", json={"company_id": f"r{i}", "name": f"R {i}"}).json()["id"]
                http.post(f"/contacts/{contact}/companies", json={"id": company}).raise_for_status()
            return me["app"]["id_code"], contact, tag
    finally:
        server.terminate()
        server.wait()


async def measure(url: str, workspace_id: str, contact_id: str, tag_id: str, calls: int) -> None:
    from tidings.contacts import service as contacts
    from tidings.core.uow import UnitOfWork
    from tidings.db.storage import open_storage
    from tidings.tags import service as tags

    storage = open_storage(url)
    tx = await storage.begin(write=False)
    counted = [0]
    execute, fetch = tx.execute, tx.fetch

    async def counting_execute(*a, **k):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return await execute(*a, **k)

    async def counting_fetch(*a, **k):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return await fetch(*a, **k)

    tx.execute, tx.fetch = counting_execute, counting_fetch  # type: ignore[method-assign]
    encoder = msgspec.json.Encoder()
    uow = UnitOfWork(tx=tx, workspace_id=workspace_id)
    try:
        results = {}
        for name, call in (
            ("GET /contacts/{id}", lambda: contacts.get(uow, contact_id)),
            ("GET /tags/{id}", lambda: tags.get(uow, tag_id)),
        ):
            for _ in range(50):
                await call()
            counted[0] = 0
            body = encoder.encode(await call())
            statements = counted[0]
            start = time.process_time()
            for _ in range(calls):
                encoder.encode(await call())
            results[name] = (time.process_time() - start) / calls * 1e6
            print(f"{name:20} {results[name]:7.1f} µs CPU per call, {statements} statements, {len(body)} bytes")
        ratio = results["GET /contacts/{id}"] / results["GET /tags/{id}"]
        print(f"contact / tag: {ratio:.1f}x (service and encoding only; HTTP and framework add the same to both)")
    finally:
        await tx.rollback()
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--tags", type=int, default=2)
    parser.add_argument("--notes", type=int, default=2)
    parser.add_argument("--companies", type=int, default=1)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="tidings-render-"))
    workspace_id, contact_id, tag_id = create_objects(args, data_dir)
    database = next(data_dir.rglob("*.db"))
    asyncio.run(measure(f"sqlite:///{database}", workspace_id, contact_id, tag_id, args.calls))


if __name__ == "__main__":
    main()
