"""Reads through one reader process against two (one on the primary, one on a hot standby), in one run;
and the replication lag seen under the append load of ``bench.scale_out``.

    .venv/bin/python -m bench.replica                          # 3 rounds of 10 s of each load
    .venv/bin/python -m bench.replica --seconds 15 --rounds 5 --developments 50000

PostgreSQL must be on this machine (``TEST_POSTGRES_URL``) and able to feed a
standby: ``tests.standby`` copies the cluster with ``pg_basebackup -R`` and starts
the copy on a free port for the length of the run (``.ci/run`` shows what the
cluster needs).

1. Appends: ``bench.scale_out``'s single appends (client processes, keep-alive,
   an ``Idempotency-Key`` each) through one ``serve`` process on the primary,
   while a sampler asks, ten times a second, how far the standby is behind: the
   primary's ``pg_stat_replication.replay_lag`` and WAL bytes not yet replayed,
   and the log's newest position on each (developments behind).
2. Reads: a log of ``--developments`` developments (written in batches and
   projected, as a writer does) that the standby has replayed; reader A is a
   ``serve`` process on the primary, reader B one whose ``READ_DATABASE_URL`` is
   the standby.  Client processes ask current-state and as-of conflict answers,
   first all of A, then of A and B in turn; the rounds interleave and the medians
   are compared.

On a two-core machine the clients, both readers, the primary and the standby
share the cores: the ratio says what a second reader buys when nothing else is
free, not what a standby on a host of its own gives.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from bench.query_latency import build, catch_up
from bench.scale_out import POSTGRES, WARM_UP, fresh_schema, measure
from bench.workload import conflict_ids
from events.log.database_url import libpq_url, postgres_schema
from events.log.opening import open_log
from tests.e2e.server import serve
from tests.standby import Standby, streaming_standby

CONFLICTS = 20


class LagSampler:
    """Samples, every ``every`` seconds, how far the standby is behind the primary on one schema's log."""

    def __init__(self, standby: Standby, url: str, every: float = 0.1) -> None:
        self.standby = standby
        self.url = url
        self.every = every
        self.seconds: list[float] = []  # replay_lag (absent while the standby is idle)
        self.bytes: list[int] = []
        self.positions: list[int] = []
        self.wal = 0  # bytes of WAL the primary wrote meanwhile (every standby receives them)
        self.appended = 0
        self._stop = threading.Event()

    def _wal_lsn(self) -> str:
        with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
            return str(conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0])  # type: ignore[index]

    def _wal_since(self, lsn: str) -> int:
        with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
            row = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [lsn]).fetchone()
        return int(row[0]) if row else 0

    def _run(self) -> None:
        primary = open_log(self.url, create_tables=False)
        standby = open_log(self.standby.url_for(self.url), create_tables=False)
        try:
            started_at, started_head = self._wal_lsn(), primary.head()
            while not self._stop.wait(self.every):
                lag, behind = self.standby.lag()
                if lag is not None:
                    self.seconds.append(lag)
                if behind is not None:
                    self.bytes.append(behind)
                try:
                    self.positions.append(max(0, primary.head() - standby.head()))
                except Exception:  # the standby has not replayed the log's tables yet
                    continue
            self.wal, self.appended = self._wal_since(started_at), primary.head() - started_head
        finally:
            primary.close()
            standby.close()

    @contextmanager
    def running(self) -> Iterator[LagSampler]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def summary(self) -> str:
        def spread(values: list[float] | list[int], unit: str, scale: float = 1.0) -> str:
            if not values:
                return "none sampled"
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            return (
                f"median {statistics.median(ordered) * scale:,.1f}, p95 {p95 * scale:,.1f}, "
                f"max {ordered[-1] * scale:,.1f} {unit}"
            )

        per = f"{self.wal / self.appended:,.0f} bytes of WAL per development" if self.appended else "no appends"
        return (
            f"replay lag {spread(self.seconds, 'ms', 1000)}; WAL not replayed {spread(self.bytes, 'KB', 1 / 1024)}; "
            f"developments behind {spread(self.positions, '')} ({len(self.positions)} samples); {per}"
        )


def bytes_per_development(url: str, developments: int) -> str:
    """What the schema's tables hold per development (heap, indexes and TOAST), the log's and the projections'."""
    schema = postgres_schema(url)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 2 DESC",
            [schema],
        ).fetchall()
    log = sum(size for name, size in rows if not name.startswith("proj_"))
    projections = sum(size for name, size in rows if name.startswith("proj_"))
    tables = ", ".join(f"{name} {size / developments:,.0f}" for name, size in rows if size >= 16384)
    return (
        f"bytes per development: log {log / developments:,.0f}, projections {projections / developments:,.0f} "
        f"({tables})"
    )


def reader(urls: list[str], paths: list[str], seconds: float, threads: int, offset: int, results: Any) -> None:
    """One client process: ``threads`` keep-alive connections reading until time is up; answers 200 counted."""
    start_at = time.monotonic() + WARM_UP
    stop_at = start_at + seconds
    counts = [0] * threads

    def run(n: int) -> None:
        url = urlsplit(urls[(offset + n) % len(urls)])
        connection = HTTPConnection(url.hostname, url.port, timeout=60)
        asked = 0
        while (now := time.monotonic()) < stop_at:
            connection.request("GET", paths[(offset * 7 + n * 3 + asked) % len(paths)])
            asked += 1
            response = connection.getresponse()
            response.read()
            if response.status == 200 and now >= start_at:
                counts[n] += 1
        connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(sum(counts))


def read_rate(urls: list[str], paths: list[str], clients: int, seconds: float) -> float:
    results: Any = multiprocessing.Queue()
    per_process = max(1, clients // 4)
    procs = [
        multiprocessing.Process(target=reader, args=(urls, paths, seconds, per_process, i * per_process, results))
        for i in range(max(1, clients // per_process))
    ]
    for p in procs:
        p.start()
    total = sum(results.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time of each load and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers a serve process")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client connections")
    parser.add_argument("--developments", type=int, default=20_000, help="the log the readers answer from")
    args = parser.parse_args()
    print(f"PostgreSQL {POSTGRES}; {args.workers} workers a process, {args.clients} clients, {args.seconds:g} s a run")
    with tempfile.TemporaryDirectory() as folder, streaming_standby(POSTGRES) as standby:
        print(f"standby on port {standby.port} (pg_basebackup -R of the cluster)")
        appends: list[float] = []
        for round_ in range(1, args.rounds + 1):
            sampler: LagSampler | None = None

            @contextmanager
            def sampled(url: str) -> Iterator[None]:
                nonlocal sampler
                sampler = LagSampler(standby, url)
                with sampler.running():
                    yield

            rate, head = measure(1, args.workers, args.clients, args.seconds, Path(folder), sampled)
            appends.append(rate)
            assert sampler is not None
            print(f"appends round {round_}: {rate:8,.0f}/s (head {head:,}); {sampler.summary()}")

        with fresh_schema() as url, ExitStack() as stack:
            conflicts = conflict_ids(CONFLICTS)
            built = build(url, args.developments, conflicts)
            projected = catch_up(url)
            replayed = standby.wait_for_replay(timeout=600)
            print(
                f"read log: {args.developments:,} developments built in {built:.1f} s, projected in {projected:.1f} s,"
                f" replayed by the standby {replayed:.2f} s later"
            )
            print(bytes_per_development(url, args.developments))
            on_primary = stack.enter_context(serve(url, Path(folder), workers=args.workers))
            on_standby = stack.enter_context(
                serve(url, Path(folder), workers=args.workers, extra_env={"READ_DATABASE_URL": standby.url_for(url)})
            )
            paths = [f"/v1/conflicts/{c}" for c in conflicts] + [
                f"/v1/conflicts/{c}?as_of={2011 + i % 13}-0{1 + i % 9}-15" for i, c in enumerate(conflicts)
            ]
            reads: dict[int, list[float]] = {1: [], 2: []}
            for round_ in range(1, args.rounds + 1):
                for readers, urls in ((1, [on_primary.url]), (2, [on_primary.url, on_standby.url])):
                    rate = read_rate(urls, paths, args.clients, args.seconds)
                    reads[readers].append(rate)
                    print(f"reads round {round_}, {readers} reader process(es): {rate:8,.0f}/s")
    one, two = statistics.median(reads[1]), statistics.median(reads[2])
    print(f"median single appends, 1 serve process: {statistics.median(appends):8,.0f}/s")
    print(f"median reads, 1 reader (primary):       {one:8,.0f}/s")
    print(f"median reads, 2 readers (+ standby):    {two:8,.0f}/s")
    print(f"ratio 2/1:                              {two / one:8.2f}")


if __name__ == "__main__":
    main()
