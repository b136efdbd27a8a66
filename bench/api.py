"""Hot-read throughput of `tidings serve` against a bare Starlette server returning a body of the same size.

    python bench/api.py [--duration 8] [--connections 16]

All servers run under uvicorn pinned to core 0; wrk (apt-get install wrk) drives them from core 1,
as in ../shared/docs/performance-notes.md. The sequential p50 is measured with one keep-alive
connection. Prints requests/s, p50 and p99 per endpoint and the ratio to the bare server, and the
floor of Litestar itself (one async token dependency, the same bytes back) for reference.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BARE_APP = """
import os
from litestar import Litestar, Request, route
from litestar.di import Provide
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
BODY = open(os.environ["BENCH_BODY"], "rb").read()
async def fixed(request):
    return Response(BODY, media_type="application/json")
app = Starlette(routes=[Route("/{path:path}", fixed, methods=["GET", "POST"])])

# Litestar's own floor: one async dependency reading the bearer token, the same bytes back.
async def token(request: Request) -> str:
    return request.headers.get("authorization", "")
@route("/{path:path}", http_method=["GET", "POST"], status_code=200)
async def litestar_fixed(path: str, principal: str) -> bytes:
    return BODY
litestar_app = Litestar([litestar_fixed], dependencies={"principal": Provide(token)})
"""


def wait_up(url: str, headers: dict[str, str] | None = None) -> None:
    for _ in range(300):
        try:
            httpx.get(url, headers=headers, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def wrk(url: str, token: str, duration: int, connections: int, body: bytes | None = None) -> tuple[float, str, str]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    lua = f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    if body is not None:
        lua += 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        lua += f"wrk.body = {json.dumps(body.decode())}\n"
    script.write_text(lua)
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"non-2xx answers from {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return rps, p50, p99


def sequential_p50_ms(port: int, path: str, token: str, n: int = 2000, body: bytes | None = None) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        conn.getresponse().read()
        samples.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(samples[n // 10 :]) * 1000


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["taskset", "-c", "0", *cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sequential", type=int, default=2000, help="requests timed one after another")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    token, port, bare_port = "tok_bench", 8941, 8942
    env = dict(os.environ, TIDINGS_DATA_DIR=str(work / "data"), TIDINGS_BOOTSTRAP_TOKEN=token, TIDINGS_ADMIN_KEY="adm")
    env.pop("TIDINGS_DATABASE_URL", None)
    server = start([sys.executable, "-m", "tidings", "serve", "--port", str(port)], env)
    bare = None
    try:
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        wait_up(f"{base}/_tidings/v1/ready")
        tag = httpx.post(f"{base}/tags", json={"name": "benchmark"}, headers=auth).json()
        admin = httpx.get(f"{base}/me", headers=auth).json()
        contact = httpx.post(f"{base}/contacts", json={"email": "bench@example.com", "name": "Bench"}, headers=auth)
        contact_id = contact.json()["id"]
        httpx.post(f"{base}/contacts/{contact_id}/tags", json={"id": tag["id"]}, headers=auth).raise_for_status()
        search = json.dumps({"query": {"field": "email", "operator": "=", "value": "bench@example.com"}}).encode()
        paths = {
            "GET /tags/{id}": f"/tags/{tag['id']}",
            "GET /admins/{id}": f"/admins/{admin['id']}",
            "GET /contacts/{id}": f"/contacts/{contact_id}",
            "POST /contacts/search": "/contacts/search",
        }
        requests = {"POST /contacts/search": search}

        bodies = {
            name: httpx.request(
                "POST" if name in requests else "GET", base + path, content=requests.get(name), headers=auth
            ).content
            for name, path in paths.items()
        }
        (work / "bench_floors.py").write_text(BARE_APP)
        rows = []
        for name, path in paths.items():
            (work / "body.json").write_bytes(bodies[name])
            floors = []
            for app_name in ("bench_floors:app", "bench_floors:litestar_app"):
                bare = start(
                    [sys.executable, "-m", "uvicorn", app_name, "--port", str(bare_port), "--log-level", "warning"]
                    + ["--no-access-log", "--app-dir", str(work)],
                    dict(os.environ, BENCH_BODY=str(work / "body.json")),
                )
                wait_up(f"http://127.0.0.1:{bare_port}/x")
                url = f"http://127.0.0.1:{bare_port}{path}"
                request = requests.get(name)
                floors.append(
                    (
                        *wrk(url, token, args.duration, args.connections, request),
                        sequential_p50_ms(bare_port, path, token, args.sequential, body=request),
                    )
                )
                bare.terminate()
                bare.wait()
                bare = None
            rps, p50, p99 = wrk(base + path, token, args.duration, args.connections, requests.get(name))
            seq = sequential_p50_ms(port, path, token, args.sequential, body=requests.get(name))
            rows.append((name, rps, p50, p99, seq, *floors[0], floors[1][0]))

        print(f"wrk -t1 -c{args.connections} -d{args.duration}s; servers pinned to core 0, wrk to core 1; SQLite.")
        print(
            f"{'endpoint':18} {'req/s':>8} {'p50':>8} {'p99':>8} {'seq p50':>8} | {'bare req/s':>10} {'p50':>8} "
            f"{'p99':>8} {'seq p50':>8} | ratio | Litestar floor req/s (ratio)"
        )
        for name, rps, p50, p99, seq, brps, bp50, bp99, bseq, lrps in rows:
            print(
                f"{name:18} {rps:8.0f} {p50:>8} {p99:>8} {seq:7.3f}ms | {brps:10.0f} {bp50:>8} {bp99:>8} "
                f"{bseq:7.3f}ms | {rps / brps:5.0%} | {lrps:8.0f} ({lrps / brps:.0%})"
            )
        seq_p50 = {row[0]: row[4] for row in rows}
        print(
            "sequential p50, GET /contacts/{id} / GET /tags/{id}: "
            f"{seq_p50['GET /contacts/{id}'] / seq_p50['GET /tags/{id}']:.2f}x (target <= 1.5x)"
        )
    finally:
        if bare is not None:
            bare.terminate()
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
