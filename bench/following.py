"""What following changes costs: a 304 against a 200, compression, and /v1/changes as conflicts grow.

    .venv/bin/python -m bench.following --developments 5000 --conflicts 50 200

For each number of conflicts, builds a fresh SQLite log of that many conflicts and
``--developments`` developments (``bench.workload``), brings the projections up to
date, and asks the app in-process (Flask's test client: no network, so the ratios
are of the service's own work):

- the median time of ``GET /v1/conflicts/{id}`` answered in full (200) and with
  ``If-None-Match`` holding its tag (304), and their ratio;
- the bytes of ``GET /v1/events?limit=1000`` plain, gzip and br, and the ratios;
- the time of ``GET /v1/changes`` between the last two positions (only the scopes
  the last development touched are compared) and between two dates (every scope, a
  page of ``limit=500``), with the number compared: the second grows with the
  number of conflicts, the first does not.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.query_latency import build, catch_up
from bench.workload import conflict_ids
from service.app import create_app
from service.settings import Settings

ROUNDS = 30


def median_seconds(call: Callable[[], Any], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(count: int, conflicts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'log.db'}"
        ids = conflict_ids(conflicts)
        build(url, count, ids)
        catch_up(url)
        app = create_app(Settings(database_url=url, webhook_delivery=False))
        client = app.test_client()
        try:
            path = f"/v1/conflicts/{ids[0]}"
            tag = client.get(path).headers["ETag"]
            full = median_seconds(lambda: client.get(path))
            cached = median_seconds(lambda: client.get(path, headers={"If-None-Match": tag}))
            assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
            sizes = {
                coding: len(client.get("/v1/events?limit=1000", headers={"Accept-Encoding": coding}).data)
                for coding in ("identity", "gzip", "br")
            }
            head = client.get("/v1/changes?from=0&limit=1").json["computed_for"]["head"]
            last = client.get(f"/v1/changes?from={head - 1}&to={head}").json
            by_positions = median_seconds(lambda: client.get(f"/v1/changes?from={head - 1}&to={head}"), 10)
            dates = client.get("/v1/changes?from=2015-01-01&to=2020-01-01&limit=500").json
            by_dates = median_seconds(lambda: client.get("/v1/changes?from=2015-01-01&to=2020-01-01&limit=500"), 3)
        finally:
            app.extensions["conflict_status"].close()
    print(f"{conflicts} conflicts, {count} developments (SQLite, in-process):")
    print(f"  GET {path}: 200 in {full * 1000:.2f} ms, 304 in {cached * 1000:.2f} ms: ratio {cached / full:.2f}")
    identity = sizes["identity"]
    print(
        f"  GET /v1/events?limit=1000: {identity} bytes plain, gzip {sizes['gzip']} ({sizes['gzip'] / identity:.3f}),"
        f" br {sizes['br']} ({sizes['br'] / identity:.3f})"
    )
    print(
        f"  GET /v1/changes between the last two positions: {by_positions * 1000:.1f} ms,"
        f" {last['examined']} compared of {last['candidates']} candidates"
    )
    print(
        f"  GET /v1/changes between two dates: {by_dates * 1000:.1f} ms,"
        f" {dates['examined']} compared of {dates['candidates']} candidates"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--developments", type=int, default=5000)
    parser.add_argument("--conflicts", type=int, nargs="+", default=[50, 200])
    arguments = parser.parse_args()
    for conflicts in arguments.conflicts:
        measure(arguments.developments, conflicts)


if __name__ == "__main__":
    main()
