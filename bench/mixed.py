"""Contact-heavy mixed load against `tidings serve`: SQLite, PostgreSQL with 1 and 2 workers, in one run.

    python bench/mixed.py [--clients 16] [--seconds 10] [--variants mixed,read]
                          [--configs sqlite,pg1,pg2] [--reference 0aaeaa0] [--rounds 2]

Two workloads (`--variants`):
- `mixed`: 30% contact creates, 20% updates, 22% searches, 12% gets, 6% lists, 5% company creates
  and 5% taggings (the workload of issue #24);
- `read`: 50% gets, 22% searches, 13% lists, 5% creates, 5% updates, 5% taggings.

Every configuration starts on a fresh database seeded with 200 contacts (each with two tags, a
company and a note), then `--clients` keep-alive connections send requests back to back for
`--seconds` (after a one-second warm-up that is not counted). The server runs pinned to
`--server-cpus` (default core 0), the load generator (asyncio, raw HTTP/1.1) to `--client-cpus`
(default core 1), as in `bench/api.py`; PostgreSQL runs where the OS puts it.

`--reference <commit>` checks that commit out into a temporary `git worktree` and runs its server
from the same venv with `PYTHONPATH` at its `src`, configuration by configuration next to this
tree's, so the ratio of the two is measured under the same load of the machine: both builds' servers run
side by side and are measured in turn, `--rounds` times each, and a figure sums its rounds. A
server's log is kept in the temporary directory and named at the end when it answered other than 200. The machine is
shared: read the ratios printed at the end, not the absolute figures.

PostgreSQL: `--pg-admin-url` (default `$TIDINGS_TEST_DATABASE_URL` or
postgresql://postgres@127.0.0.1:5432/test); every configuration gets its own database, dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "tok_bench_mixed"
SEED_CONTACTS = 200
SEED_COMPANIES = 20
SEED_TAGS = 10

MIXES = {
    "mixed": {
        "create_contact": 30,
        "update_contact": 20,
        "search_contacts": 22,
        "get_contact": 12,
        "list_contacts": 6,
        "create_company": 5,
        "tag_contact": 5,
    },
    "read": {
        "get_contact": 50,
        "search_contacts": 22,
        "list_contacts": 13,
        "create_contact": 5,
        "update_contact": 5,
        "tag_contact": 5,
    },
}


# ---------------------------------------------------------------- a minimal keep-alive HTTP/1.1 client


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Accept: application/json\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        self.writer.write(head + payload)
        assert self.reader is not None
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        chunked = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size + 2)
            return status, data
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# ---------------------------------------------------------------- the workload


class State:
    def __init__(self, seed: dict[str, Any]) -> None:
        self.contacts: list[str] = list(seed["contacts"])
        self.tags: list[str] = list(seed["tags"])
        self.companies: int = 0
        self.serial = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial


async def operation(name: str, conn: Connection, state: State, rng: random.Random, run: str) -> tuple[int, bytes]:
    if name == "create_contact":
        n = state.next()
        status, body = await conn.request(
            "POST",
            "/contacts",
            {"email": f"mixed-{run}-{n}@example.com", "name": f"Mixed {n}", "custom_attributes": {}},
        )
        if status == 200:
            state.contacts.append(json.loads(body)["id"])
        return status, body
    if name == "update_contact":
        cid = rng.choice(state.contacts)
        return await conn.request("PUT", f"/contacts/{cid}", {"name": f"Updated {state.next()}"})
    if name == "search_contacts":
        if rng.random() < 0.5:
            query = {"field": "email", "operator": "=", "value": f"seed-{rng.randrange(SEED_CONTACTS)}@example.com"}
        else:
            query = {"field": "name", "operator": "~", "value": f"Seed {rng.randrange(10)}"}
        return await conn.request("POST", "/contacts/search", {"query": query, "pagination": {"per_page": 10}})
    if name == "get_contact":
        return await conn.request("GET", f"/contacts/{rng.choice(state.contacts)}")
    if name == "list_contacts":
        return await conn.request("GET", "/contacts?per_page=10")
    if name == "create_company":
        n = state.next()
        return await conn.request("POST", "/companies", {"company_id": f"mixed-{run}-{n}", "name": f"Company {n}"})
    if name == "tag_contact":
        cid = rng.choice(state.contacts)
        return await conn.request("POST", f"/contacts/{cid}/tags", {"id": rng.choice(state.tags)})
    raise ValueError(name)


async def drive(port: int, mix: dict[str, int], clients: int, seconds: float, seed: dict[str, Any]) -> dict[str, Any]:
    state = State(seed)
    names = list(mix)
    weights = [mix[n] for n in names]
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    run = secrets.token_hex(3)
    warm_until = time.perf_counter() + 1.0
    stop_at = warm_until + seconds

    async def client(index: int) -> None:
        rng = random.Random(index)
        conn = Connection(port)
        try:
            while (now := time.perf_counter()) < stop_at:
                name = rng.choices(names, weights)[0]
                start = time.perf_counter()
                status, body = await operation(name, conn, state, rng, f"{run}{index}")
                elapsed = time.perf_counter() - start
                if now >= warm_until:
                    if status != 200:
                        errors[name] += 1
                        if errors[name] == 1:
                            print(f"  {name}: {status} {body[:200]!r}", file=sys.stderr)
                    latencies[name].append(elapsed)
        finally:
            conn.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    total = sum(len(v) for v in latencies.values())
    return {"rps": total / seconds, "latencies": dict(latencies), "errors": dict(errors)}


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# ---------------------------------------------------------------- servers


def seed_workspace(base: str) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=auth, timeout=30) as http:
        for _ in range(60):  # a loaded machine may answer the first requests with an error
            me = http.get("/me")
            if me.status_code == 200:
                break
            time.sleep(0.5)
        me.raise_for_status()
        admin_id = me.json()["id"]
        tags = [http.post("/tags", json={"name": f"seed tag {i}"}).json()["id"] for i in range(SEED_TAGS)]
        companies = [
            http.post("/companies", json={"company_id": f"seed-{i}", "name": f"Seed Co {i}"}).json()["id"]
            for i in range(SEED_COMPANIES)
        ]

    def seed_contact(i: int) -> str:
        with httpx.Client(base_url=base, headers=auth, timeout=60) as http:

            def post(path: str, body: dict[str, Any]) -> Any:
                # A loaded machine can run a statement past its budget (400 request_timeout, 500): retry.
                for _ in range(5):
                    answer = http.post(path, json=body)
                    if answer.status_code == 200:
                        return answer.json()
                    time.sleep(0.2)
                answer.raise_for_status()
                raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")

            cid = post("/contacts", {"email": f"seed-{i}@example.com", "name": f"Seed {i}"})["id"]
            for t in (tags[i % SEED_TAGS], tags[(i + 3) % SEED_TAGS]):
                post(f"/contacts/{cid}/tags", {"id": t})
            post(f"/contacts/{cid}/companies", {"id": companies[i % SEED_COMPANIES]})
            post(f"/contacts/{cid}/notes", {"body": f"note {i}", "admin_id": admin_id})
            return cid

    with ThreadPoolExecutor(8) as pool:
        contacts = list(pool.map(seed_contact, range(SEED_CONTACTS)))
    return {"contacts": contacts, "tags": tags}


def admin_sql(admin_url: str, statement: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


class Server:
    def __init__(self, build: str, src: Path, config: str, args: argparse.Namespace, port: int) -> None:
        self.build, self.config, self.port = build, config, port
        self.work = Path(tempfile.mkdtemp(prefix="tidings-mixed-"))
        self.database: str | None = None
        env = dict(os.environ, TIDINGS_DATA_DIR=str(self.work), TIDINGS_BOOTSTRAP_TOKEN=TOKEN, TIDINGS_ADMIN_KEY="adm")
        env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.pop("TIDINGS_DATABASE_URL", None)
        cmd = [sys.executable, "-m", "tidings", "serve", "--port", str(port)]
        if config.startswith("pg"):
            self.database = f"tidings_mixed_{os.getpid()}_{secrets.token_hex(3)}"
            admin_sql(args.pg_admin_url, f'CREATE DATABASE "{self.database}"')
            env["TIDINGS_DATABASE_URL"] = f"{args.pg_admin_url.rpartition('/')[0]}/{self.database}"
            cmd += ["--workers", config[2:]]
        self.args = args
        # The server's log is kept (printed at the end) to look into answers other than 200.
        self.log = Path(tempfile.gettempdir()) / f"tidings-mixed-{config}-{port}.log"
        self.proc = subprocess.Popen(
            ["taskset", "-c", args.server_cpus, *cmd], env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("wb")
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError(f"{build} {config}: the server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{base}/_tidings/v1/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{build} {config}: not ready")
        self.base = base

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.database:
            admin_sql(self.args.pg_admin_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.work, ignore_errors=True)


def client_process(port: int, variant: str, clients: int, seconds: float, seed_file: str, out_file: str) -> None:
    seed = json.loads(Path(seed_file).read_text())
    result = asyncio.run(drive(port, MIXES[variant], clients, seconds, seed))
    Path(out_file).write_text(json.dumps(result))


def measure(server: Server, variant: str, seed: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Run the load generator in its own process, pinned to the client cores."""
    work = Path(tempfile.mkdtemp(prefix="tidings-mixed-load-"))
    (work / "seed.json").write_text(json.dumps(seed))
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import mixed; "
        f"mixed.client_process({server.port}, {variant!r}, {args.clients}, {args.seconds!r}, "
        f"{str(work / 'seed.json')!r}, {str(work / 'out.json')!r})"
    )
    subprocess.run(["taskset", "-c", args.client_cpus, sys.executable, "-c", code], check=True)
    result = json.loads((work / "out.json").read_text())
    shutil.rmtree(work, ignore_errors=True)
    return result


def reference_tree(commit: str) -> tuple[Path, Path]:
    tmp = Path(tempfile.mkdtemp(prefix="tidings-ref-"))
    tree = tmp / "ref"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return tmp, tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--variants", default="mixed,read")
    parser.add_argument("--configs", default="sqlite,pg1,pg2")
    parser.add_argument("--reference", help="a git commit to measure next to this tree, e.g. 0aaeaa0")
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--client-cpus", default="1")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("TIDINGS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--rounds", type=int, default=2, help="measurements per build and variant, interleaved")
    parser.add_argument("--port", type=int, default=8951)
    args = parser.parse_args()
    variants = args.variants.split(",")
    configs = args.configs.split(",")

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    builds: list[tuple[str, Path]] = [(f"this ({commit.stdout.strip()})", ROOT / "src")]
    ref_tmp = ref_tree = None
    if args.reference:
        ref_tmp, ref_tree = reference_tree(args.reference)
        builds.append((f"ref ({args.reference})", ref_tree / "src"))

    results: dict[tuple[str, str, str], dict[str, Any]] = {}
    try:
        for config in configs:
            # Both builds' servers run side by side and are measured in turn, round after round, so
            # that a change in the machine's load falls on both alike.
            servers = []
            try:
                for index, (build, src) in enumerate(builds):
                    servers.append(Server(build, src, config, args, args.port + index))
                seeds = [seed_workspace(server.base) for server in servers]
                for round_ in range(args.rounds):
                    for variant in variants:
                        for server, seed in zip(servers, seeds, strict=True):
                            result = measure(server, variant, seed, args)
                            print(
                                f"{config:6} {server.build:18} {variant:5} round {round_ + 1}: "
                                f"{result['rps']:8.1f} req/s",
                                flush=True,
                            )
                            merged = results.setdefault(
                                (config, server.build, variant), {"count": 0, "latencies": {}, "errors": {}, "log": ""}
                            )
                            merged["count"] += 1
                            merged["log"] = str(server.log)
                            for op, samples in result["latencies"].items():
                                merged["latencies"].setdefault(op, []).extend(samples)
                            for op, n in result["errors"].items():
                                merged["errors"][op] = merged["errors"].get(op, 0) + n
            finally:
                for server in servers:
                    server.stop()
        for merged in results.values():
            merged["rps"] = sum(len(v) for v in merged["latencies"].values()) / (merged["count"] * args.seconds)
    finally:
        if ref_tree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(ref_tree)], check=False)
            shutil.rmtree(ref_tmp, ignore_errors=True)  # type: ignore[arg-type]

    print()
    print(
        f"{args.clients} clients, {args.rounds} x {args.seconds:g} s per figure (after 1 s warm-up each); "
        f"server on cpus {args.server_cpus}, "
        f"load generator on cpus {args.client_cpus}."
    )
    logs: set[str] = set()
    for variant in variants:
        print(f"\n== {variant} ==")
        ops = list(MIXES[variant])
        header = f"{'config':6} {'build':18} {'req/s':>8} " + " ".join(f"{op[:14]:>15}" for op in ops)
        print(header)
        print(f"{'':6} {'':18} {'':>8} " + " ".join(f"{'p50/p99 ms':>15}" for _ in ops))
        for config in configs:
            for build, _ in builds:
                r = results.get((config, build, variant))
                if r is None:
                    continue
                cells = []
                for op in ops:
                    s = r["latencies"].get(op, [])
                    cells.append(f"{percentile(s, 0.5):6.1f}/{percentile(s, 0.99):<6.1f}".rjust(15))
                errs = sum(r["errors"].values())
                if errs:
                    logs.add(f"{config} {build}: {r['log']}")
                print(
                    f"{config:6} {build:18} {r['rps']:8.1f} "
                    + " ".join(cells)
                    + (f"  ({errs} non-200)" if errs else "")
                )
                all_samples = [x for v in r["latencies"].values() for x in v]
                print(
                    f"{'':6} {'':18} {'all':>8} p50 {percentile(all_samples, 0.5):.1f} ms, "
                    f"p99 {percentile(all_samples, 0.99):.1f} ms"
                )
        print("ratios:")
        this = builds[0][0]
        rps = {(c, b): results[(c, b, variant)]["rps"] for (c, b, v) in results if v == variant}
        for build, _ in builds:
            if ("pg1", build) in rps and ("pg2", build) in rps:
                print(f"  {build}: pg2 / pg1 = {rps[('pg2', build)] / rps[('pg1', build)]:.2f}x")
            if ("sqlite", build) in rps and ("pg1", build) in rps:
                print(f"  {build}: sqlite / pg1 = {rps[('sqlite', build)] / rps[('pg1', build)]:.2f}x")
        if len(builds) > 1:
            ref = builds[1][0]
            for config in configs:
                if (config, this) in rps and (config, ref) in rps:
                    print(f"  {config}: this / ref = {rps[(config, this)] / rps[(config, ref)]:.2f}x")

    if logs:
        print("\nserver logs of runs with answers other than 200:", *sorted(logs), sep="\n  ")


if __name__ == "__main__":
    main()
