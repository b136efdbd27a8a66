"""What counting requests for the rate limit costs: sequential GET /me with the limit off and on.

    python bench/rate_limits.py [--requests 1000] [--dialect sqlite|postgresql]

Starts a live server (one worker) on a fresh database, makes two workspaces, sets one's limit to
0 (no counting) and leaves the other at Intercom's 10,000 a minute, then alternates rounds of
sequential keep-alive requests between them. Prints requests/s and p50 per setting and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import start_server, stop_server
from tests.support.live import management_json


def timings(http, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        http.get("/me").raise_for_status()
        spent.append(time.perf_counter() - started)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--dialect", default="sqlite")
    args = parser.parse_args()
    server = start_server(args.dialect, Path(tempfile.mkdtemp()))
    try:
        off, on = server.new_workspace("off"), server.new_workspace("on")
        management_json(server, "PUT", f"/workspaces/{off.id}/rate_limit", json={"requests_per_minute": 0})
        results: dict[str, list[float]] = {"limit off": [], "limit on": []}
        for _ in range(4):  # alternate, so that load on the machine falls on both alike
            for name, ws in (("limit off", off), ("limit on", on)):
                ws.http.event_hooks = {"response": []}  # measure the server, not the contract check
                results[name] += timings(ws.http, args.requests // 4)
        for name, spent in results.items():
            print(f"{name}: {len(spent) / sum(spent):8.0f} req/s  p50 {statistics.median(spent) * 1000:.2f} ms")
        ratio = sum(results["limit on"]) / sum(results["limit off"])
        print(f"time per request, limit on / off: {ratio:.2f}")
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
