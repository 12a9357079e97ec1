"""p50 latency of conflict-status queries through ``serve`` on a large log.

    .venv/bin/python -m bench.query_latency --developments 100000 --database sqlite
    .venv/bin/python -m bench.query_latency --developments 100000 --database postgres

Builds a fresh log (batches of 10,000 through ``ConflictLog.submit_many``),
brings the projections up to date as a writer does (timed on its own), starts
``conflict-status serve`` as a user would, then times current-state and as-of
queries of the conflicts, one request at a time, and prints the medians.  The
log is built in a temporary folder (or a fresh PostgreSQL schema) that is
removed at the end, also when the run fails or is interrupted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import requests

from bench.workload import conflict_ids, developments, registrations
from events.log.admission import Submission
from events.log.application import MAX_BATCH
from events.log.opening import open_log
from projections.database import open_database
from projections.store import ProjectionStore
from tests.e2e.server import serve

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def build(database_url: str, count: int, conflicts: list[str]) -> float:
    log = open_log(database_url)
    started = time.perf_counter()
    log.submit_many([Submission(r) for r in registrations(conflicts)])
    batch: list[Submission] = []
    for raw in developments(count, conflicts):
        batch.append(Submission(raw))
        if len(batch) == MAX_BATCH:
            log.submit_many(batch)
            batch = []
    if batch:
        log.submit_many(batch)
    seconds = time.perf_counter() - started
    log.close()
    return seconds


def catch_up(database_url: str) -> float:
    """Seconds a writer takes to bring the projections from nothing to the head (reads never write)."""
    log = open_log(database_url)
    database = open_database(database_url)
    try:
        database.create_tables()
        started = time.perf_counter()
        ProjectionStore(log, database).catch_up()
        return time.perf_counter() - started
    finally:
        database.close()
        log.close()


def p50(session: requests.Session, urls: list[str]) -> float:
    times = []
    for url in urls:
        started = time.perf_counter()
        response = session.get(url, timeout=120)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--developments", type=int, default=100_000)
    parser.add_argument("--conflicts", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-query-latency-") as tmp:  # removed however the run ends
        run(args, Path(tmp))


def run(args: argparse.Namespace, folder: Path) -> None:
    """Build the log in ``folder`` (SQLite) or a fresh schema (PostgreSQL), serve it and time the queries."""
    schema = None
    if args.database == "sqlite":
        url = f"sqlite:///{folder / 'log.db'}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES}?schema={schema}"
    conflicts = conflict_ids(args.conflicts)
    try:
        built = build(url, args.developments, conflicts)
        print(f"log of {args.developments} developments built in {built:.1f} s ({args.developments / built:.0f}/s)")
        print(f"projections caught up from empty in {catch_up(url):.1f} s")
        with serve(url, folder, workers=2) as server:
            session = requests.Session()
            current = [f"{server.url}/v1/conflicts/{conflicts[i % len(conflicts)]}" for i in range(args.requests)]
            as_of = [
                f"{server.url}/v1/conflicts/{conflicts[i % len(conflicts)]}?as_of={2011 + i % 13}-0{1 + i % 9}-15"
                for i in range(args.requests)
            ]
            health = [f"{server.url}/healthz"] * args.requests
            print(f"p50 GET /healthz:                        {p50(session, health):7.2f} ms")
            print(f"p50 current-state conflict query:        {p50(session, current):7.2f} ms")
            print(f"p50 as-of conflict query:                {p50(session, as_of):7.2f} ms")
    finally:
        if schema:
            with psycopg.connect(POSTGRES, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
