"""What a request's telemetry costs in-process: its metrics, and its log line off and on.

python bench/telemetry.py

Prints microseconds per request for `RequestTelemetry.finished` (prometheus-client in multiprocess
mode, as under `tidings serve`) and, as the reference of the same run, msgspec encoding a small
admin body, so that figures compare across machines.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import timeit

NUMBER, REPEAT = 5000, 7


def best_us(fn) -> float:  # type: ignore[no-untyped-def]
    return min(timeit.repeat(fn, number=NUMBER, repeat=REPEAT)) / NUMBER * 1e6


def main() -> None:
    directory = tempfile.mkdtemp(prefix="tidings-bench-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    try:
        import msgspec

        from tidings.observability.logs import JsonFormatter
        from tidings.observability.requests import RequestTelemetry

        class Handler:
            operation_id = "identifyAdmin"
            handler_name = "identify_admin"

        scope = {"method": "GET", "path": "/me", "route_handler": Handler(), "path_params": {}}
        body = {"type": "admin", "id": "1", "name": "Ann", "email": "ann@example.test", "away_mode_enabled": False}
        reference = best_us(lambda: msgspec.json.encode(body))
        request_log = logging.getLogger("tidings.request")
        request_log.propagate = False
        request_log.setLevel(logging.WARNING)
        quiet = best_us(lambda: RequestTelemetry.finished(scope, 200, 0.001))
        with open(os.devnull, "w") as sink:
            handler = logging.StreamHandler(sink)
            handler.setFormatter(JsonFormatter())
            request_log.addHandler(handler)
            request_log.setLevel(logging.INFO)
            logged = best_us(lambda: RequestTelemetry.finished(scope, 200, 0.001))
        print(f"reference (msgspec encode of a small admin): {reference:6.2f} µs")
        print(f"metrics, log line off:                     {quiet:6.2f} µs  ({quiet / reference:4.1f}x reference)")
        print(f"metrics and a JSON log line:               {logged:6.2f} µs  ({logged / reference:4.1f}x reference)")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
