"""Appends per second with two ``serve`` processes on one PostgreSQL database, against one, in the same run.

    .venv/bin/python -m bench.scale_out                       # 3 rounds of 15 s a configuration
    .venv/bin/python -m bench.scale_out --seconds 30 --rounds 5 --workers 2 --clients 16

Rounds interleave the two configurations and the medians are compared, so
that load from elsewhere on the machine weighs on both.  Each run gets a fresh
schema and its own ``conflict-status serve`` processes (gthread workers, as a
user starts them).  Client processes (HTTP/1.1 keep-alive, one connection a
thread) post single developments (POST /v1/events, each with its own
Idempotency-Key) round-robin over the processes for a fixed time after a short
warm-up; only 201 answers count.  The log is checked after each run: every
position distinct and ``conflict-status verify`` passes.

On a two-core machine the clients, the servers and PostgreSQL share the cores,
and every insert takes the events table's lock: the ratio says what a second
process buys here, not on a host of its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests

from bench.workload import conflict_ids, developments, registrations
from tests.e2e.server import Server, serve

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONFLICTS = 20
WARM_UP = 2.0


@contextmanager
def fresh_schema() -> Iterator[str]:
    schema = f"scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES else "?"
    try:
        yield f"{POSTGRES}{sep}schema={schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def client(urls: list[str], token: str, seconds: float, threads: int, offset: int, results: Any) -> None:
    """One client process: ``threads`` keep-alive connections posting developments until time is up."""
    start_at = time.monotonic() + WARM_UP
    stop_at = start_at + seconds
    counts = [0] * threads

    def run(n: int) -> None:
        url = urlsplit(urls[(offset + n) % len(urls)])
        connection = HTTPConnection(url.hostname, url.port, timeout=60)
        bodies = developments(10**7, conflict_ids(CONFLICTS), seed=offset * 1000 + n)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        sent = 0
        while (now := time.monotonic()) < stop_at:
            body = json.dumps(next(bodies))
            sent += 1
            connection.request("POST", "/v1/events", body, {**headers, "Idempotency-Key": f"{offset}-{n}-{sent}"})
            response = connection.getresponse()
            response.read()
            if response.status == 201 and now >= start_at:
                counts[n] += 1
        connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(sum(counts))


def measure(
    processes: int,
    workers: int,
    clients: int,
    seconds: float,
    folder: Path,
    watch: Callable[[str], AbstractContextManager[Any]] = lambda url: nullcontext(),
) -> tuple[float, int]:
    """Appends per second through ``processes`` serve processes; and the log's head afterwards.

    ``watch(url)`` is entered while the clients append (the replica benchmark samples replication lag there).
    """
    with fresh_schema() as url, ExitStack() as stack:
        servers: list[Server] = [stack.enter_context(serve(url, folder, workers=workers)) for _ in range(processes)]
        token = servers[0].cli("token", "create", "--role", "submitter").strip()
        headers = {"Authorization": f"Bearer {token}"}
        answer = requests.post(
            servers[0].url + "/v1/events/batch",
            json=registrations(conflict_ids(CONFLICTS)),
            headers=headers,
            timeout=60,
        )
        assert answer.status_code == 201, answer.text
        urls = [s.url for s in servers]
        results: Any = multiprocessing.Queue()
        per_process = max(1, clients // 4)
        procs = [
            multiprocessing.Process(target=client, args=(urls, token, seconds, per_process, i * per_process, results))
            for i in range(max(1, clients // per_process))
        ]
        with watch(url):
            for p in procs:
                p.start()
            total = sum(results.get(timeout=seconds + 120) for _ in procs)
        for p in procs:
            p.join()
        head = requests.get(servers[0].url + "/healthz", timeout=30).json()["head"]
        positions = [
            d["position"] for d in requests.get(servers[-1].url + "/v1/events?limit=1000", timeout=60).json()["items"]
        ]
        assert len(set(positions)) == len(positions)
        assert "OK: the log is intact" in servers[0].cli("verify")
        return total / seconds, head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time a configuration and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (1 process, 2 processes), interleaved")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers a serve process")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client connections")
    args = parser.parse_args()
    rates: dict[int, list[float]] = {1: [], 2: []}
    print(f"PostgreSQL {POSTGRES}; {args.workers} workers a process, {args.clients} clients, {args.seconds:g} s a run")
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(1, args.rounds + 1):
            for processes in (1, 2):
                rate, head = measure(processes, args.workers, args.clients, args.seconds, Path(folder))
                rates[processes].append(rate)
                print(f"round {round_}, {processes} serve process(es): {rate:8,.0f} appends/s (log head {head:,})")
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"median, 1 serve process:   {one:8,.0f} appends/s")
    print(f"median, 2 serve processes: {two:8,.0f} appends/s")
    print(f"ratio 2/1:                 {two / one:8.2f}")


if __name__ == "__main__":
    main()
