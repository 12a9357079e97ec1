"""The speed of the service as ratios measured in one run: ``python -m bench``.

    .venv/bin/python -m bench                       # 1,000,000 developments, SQLite and PostgreSQL
    .venv/bin/python -m bench --quick               # 100,000 developments, shorter load phases
    .venv/bin/python -m bench --database sqlite     # one backend

For each backend the harness starts ``conflict-status serve`` (two gthread
workers) as a user would, on a small log (1,000 developments) and then on a
large one (1,000,000, or 100,000 with --quick), and measures:

- single appends (POST /v1/events) per second over HTTP, against the same
  server's GET /healthz per second (load from ``wrk`` when installed, else
  from Python client processes with keep-alive connections, and the table
  says which; ``--install-wrk`` installs wrk with apt-get first, as root);
- batch appends (POST /v1/events/batch of 1,000) in developments per second
  (the three loads take turns for three rounds; the medians are compared);
- p50 of a current-state conflict query on the large log and on the small one,
  and of an as-of query on the large log (one request at a time);
- ``ProjectionStore.rebuild()`` in developments per second, against reading
  the raw log through the recorder (``select_notifications``, pages of 1,000);
- ``conflict-status verify`` in developments per second (its own timing);
- resident memory of each worker after the queries on the large log.

Absolute numbers vary with whatever else runs on the machine; the ratios are
taken within one run so that they mostly do not.  Large SQLite logs are built
once and kept in ``--cache`` (a copy is used per run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.load import BATCH_SIZE, CONFLICTS, Load, batch_rate, find_wrk
from bench.workload import conflict_ids, developments, registrations
from events.audit.checkpoints import Checkpointer
from events.audit.keys import load_or_create_key
from events.log.admission import Submission
from events.log.application import MAX_BATCH
from events.log.opening import open_log
from projections.database import open_database
from projections.store import ProjectionStore
from tests.e2e.server import BIN, Server, serve

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SMALL = 1_000
#: rounds of the three HTTP loads; medians are reported (keep-alive connections land unevenly on the
#: workers, and a run whose connections mostly share one worker's GIL is slower: see bench/RESULTS.md)
ROUNDS = 3


@dataclass
class Row:
    name: str
    value: float
    target: str
    met: bool
    detail: str


@dataclass
class Table:
    backend: str
    large: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float, target: str, met: bool, detail: str) -> None:
        self.rows.append(Row(name, value, target, met, detail))
        print(f"  {name}: {value:,.2f} ({detail})", flush=True)

    def markdown(self) -> str:
        lines = [
            f"### {self.backend}, large log {self.large:,} developments",
            "",
            "| measure | value | target | met | measured |",
            "|---|---:|---|---|---|",
        ]
        for r in self.rows:
            value = f"{r.value:,.0f}" if abs(r.value) >= 100 else f"{r.value:.2f}"
            lines.append(f"| {r.name} | {value} | {r.target} | {'yes' if r.met else '**no**'} | {r.detail} |")
        lines += [f"\n{n}" for n in self.notes]
        return "\n".join(lines)


# -- logs ---------------------------------------------------------------------------


def build(database_url: str, count: int, key_file: Path, project: bool = True) -> float:
    """Append registrations and ``count`` developments in batches of 10,000; developments per second.

    Then, as every writer does, bring the projections up to the head (``project``;
    not timed), unless a rebuild follows.
    """
    log = open_log(database_url)
    conflicts = conflict_ids(CONFLICTS)
    started = time.perf_counter()
    try:
        log.submit_many([Submission(r) for r in registrations(conflicts)])
        batch: list[Submission] = []
        done = 0
        for raw in developments(count, conflicts):
            batch.append(Submission(raw))
            if len(batch) == MAX_BATCH:
                log.submit_many(batch)
                done += len(batch)
                batch = []
                if done % 100_000 == 0:
                    print(f"    {done:,} developments ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)
        if batch:
            log.submit_many(batch)
        seconds = time.perf_counter() - started
        key = load_or_create_key(key_file)
        Checkpointer(log.store, lambda: key).sign_head()
        if project:
            database = open_database(database_url)
            try:
                database.create_tables()
                ProjectionStore(log, database).catch_up()
            finally:
                database.close()
    finally:
        log.close()
    return count / seconds


@dataclass
class Database:
    url: str
    folder: Path
    drop: Callable[[], None] = lambda: None


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[Database]:
    if backend == "sqlite":
        yield Database(f"sqlite:///{folder / 'log.db'}", folder)
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    try:
        yield Database(f"{POSTGRES}?schema={schema}", folder)
    finally:
        drop()


def large_log(backend: str, db: Database, count: int, cache: Path | None) -> str:
    """Build the large log (or copy a cached SQLite one); say how."""
    if backend == "sqlite" and cache is not None:
        digest = hashlib.sha256(Path(__file__).with_name("workload.py").read_bytes()).hexdigest()[:12]
        cached = cache / f"log-{count}-{digest}.db"
        if not cached.exists():
            cache.mkdir(parents=True, exist_ok=True)
            part = cache / f"building-{os.getpid()}"
            part.mkdir(exist_ok=True)
            rate = build(f"sqlite:///{part / 'log.db'}", count, part / "signing-key.pem", project=False)
            _checkpoint_wal(part / "log.db")
            (part / "log.db").rename(cached)
            shutil.copy(part / "signing-key.pem", cached.with_suffix(".pem"))
            shutil.rmtree(part)
            how = f"built in batches of 10,000 at {rate:,.0f}/s, cached as {cached}"
        else:
            how = f"copied from {cached}"
        shutil.copy(cached, db.folder / "log.db")
        shutil.copy(cached.with_suffix(".pem"), db.folder / "signing-key.pem")
        return how
    rate = build(db.url, count, db.folder / "signing-key.pem", project=False)  # the run rebuilds the projections
    return f"built in batches of 10,000 at {rate:,.0f}/s"


def _checkpoint_wal(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def read_raw(url: str) -> float:
    """Developments per second read from the log through the recorder (undecoded notifications)."""
    log = open_log(url, create_tables=False)
    try:
        started = time.perf_counter()
        after, count = 0, 0
        while True:
            notes = log.recorder.select_notifications(after, 1000, inclusive_of_start=False)
            if not notes:
                break
            count += len(notes)
            after = notes[-1].id
        return count / (time.perf_counter() - started)
    finally:
        log.close()


def rebuild(url: str, count: int) -> float:
    """Developments per second folded by ``ProjectionStore.rebuild()``."""
    log = open_log(url, create_tables=False)
    database = open_database(url)
    try:
        database.create_tables()
        started = time.perf_counter()
        ProjectionStore(log, database).rebuild()
        return count / (time.perf_counter() - started)
    finally:
        database.close()
        log.close()


def verify(url: str) -> float:
    """Developments per second by ``conflict-status verify`` (its own timing, without process start)."""
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run([str(BIN), "verify", "--json"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"verify failed: {done.stdout}{done.stderr}")
    report = json.loads(done.stdout)
    return float(report["developments"]) / float(report["seconds"])


# -- load ---------------------------------------------------------------------------


def p50_ms(server: Server, paths: list[str]) -> float:
    session = requests.Session()
    session.get(server.url + paths[0], timeout=3600)  # warm caches
    times = []
    for path in paths:
        started = time.perf_counter()
        response = session.get(server.url + path, timeout=120)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
    return statistics.median(times) * 1000


def current_paths(count: int) -> list[str]:
    return [f"/v1/conflicts/conflict-{i % CONFLICTS:03d}" for i in range(count)]


def as_of_paths(count: int) -> list[str]:
    return [f"/v1/conflicts/conflict-{i % CONFLICTS:03d}?as_of={2011 + i % 13}-0{1 + i % 9}-15" for i in range(count)]


def worker_rss_mb(server: Server) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


# -- the run ------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace, load: Load) -> Table:
    table = Table(backend, args.size)
    queries = 50 if args.quick else 200
    with tempfile.TemporaryDirectory(prefix=f"bench-{backend}-") as tmp:
        small_folder, large_folder = Path(tmp) / "small", Path(tmp) / "large"
        small_folder.mkdir()
        large_folder.mkdir()
        print(f"[{backend}] small log: {SMALL:,} developments", flush=True)
        with fresh_database(backend, small_folder) as db:
            build(db.url, SMALL, small_folder / "signing-key.pem")
            with serve(db.url, small_folder, workers=2) as server:
                small_p50 = p50_ms(server, current_paths(queries))
                token = server.token("submitter")["Authorization"].split(" ", 1)[1]
                # the three loads take turns, three rounds: the medians are compared, each with its round's others
                rounds = [
                    (
                        load.rate(server, "/healthz"),
                        load.rate(server, "/v1/events", token),
                        batch_rate(server, token, load.seconds),
                    )
                    for _ in range(ROUNDS)
                ]
                health, single, batch = (statistics.median(r[i] for r in rounds) for i in range(3))
                table.notes.append(
                    "Load rounds (GET /healthz, single, batch per second): "
                    + "; ".join(f"{h:,.0f}, {s:,.0f}, {b:,.0f}" for h, s, b in rounds)
                    + "."
                )
        table.add(
            "single appends/s ÷ GET /healthz/s", single / health, "≥ 0.5", single / health >= 0.5,
            f"{single:,.0f} ÷ {health:,.0f} req/s",
        )  # fmt: skip
        table.add(
            "batch appends (developments/s) ÷ single appends/s", batch / single, "≥ 20", batch / single >= 20,
            f"{batch:,.0f} ÷ {single:,.0f}",
        )  # fmt: skip

        print(f"[{backend}] large log: {args.size:,} developments", flush=True)
        with fresh_database(backend, large_folder) as db:
            how = large_log(backend, db, args.size, args.cache)
            table.notes.append(f"Large log {how}.")
            raw = read_raw(db.url)
            folded = rebuild(db.url, args.size)
            checked = verify(db.url)
            with serve(db.url, large_folder, workers=2) as server:
                large_p50 = p50_ms(server, current_paths(queries))
                as_of_p50 = p50_ms(server, as_of_paths(queries))
                rss = worker_rss_mb(server)
        table.add(
            f"p50 current-state query at {args.size:,} ÷ at {SMALL:,}", large_p50 / small_p50, "≤ 1.3",
            large_p50 / small_p50 <= 1.3, f"{large_p50:.2f} ms ÷ {small_p50:.2f} ms",
        )  # fmt: skip
        table.add(
            f"p50 as-of query ÷ current-state query, at {args.size:,}", as_of_p50 / large_p50, "≤ 5",
            as_of_p50 / large_p50 <= 5, f"{as_of_p50:.2f} ms ÷ {large_p50:.2f} ms",
        )  # fmt: skip
        table.add(
            "projection rebuild ÷ raw log read (developments/s)", folded / raw, "≥ 0.5", folded / raw >= 0.5,
            f"{folded:,.0f}/s ÷ {raw:,.0f}/s",
        )  # fmt: skip
        table.add("verify (developments/s)", checked, "≥ 100,000/s", checked >= 100_000, "conflict-status verify")
        table.add(
            f"resident memory per worker at {args.size:,} (MB)", max(rss), "≤ 300 MB", max(rss) <= 300,
            "workers: " + ", ".join(f"{r:.0f} MB" for r in rss),
        )  # fmt: skip
    table.notes.append(f"HTTP load: {load.describe()}; batch appends: 2 clients, batches of {BATCH_SIZE:,}.")
    return table


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip()
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (
        f"- `nproc`: {os.cpu_count()}\n- CPU: {cpu}\n- load average at the end of the run: {' '.join(load)}\n"
        f"- Python {platform.python_version()}, {platform.platform()}\n\n```\n$ free -h\n{free}\n```"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 developments and shorter load phases")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", type=int, help="developments in the large log (default 1,000,000; 100,000 --quick)")
    parser.add_argument("--seconds", type=float, help="length of each load phase (default 10; 5 with --quick)")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "conflict-status-bench",
        help="where built SQLite logs are kept for reuse (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--no-cache", dest="cache", action="store_const", const=None, help="always build the logs")
    parser.add_argument("--markdown", type=Path, help="also write the tables and the machine to this file")
    parser.add_argument(
        "--install-wrk", action="store_true",
        help="when wrk is missing, install it with apt-get install wrk (as root) instead of using Python clients",
    )  # fmt: skip
    parser.add_argument(
        "--python-clients", action="store_true", help="load from Python client processes even when wrk is installed"
    )
    args = parser.parse_args()
    args.size = args.size or (100_000 if args.quick else 1_000_000)
    wrk = None if args.python_clients else find_wrk(install=args.install_wrk)
    load = Load(wrk, args.seconds or (5.0 if args.quick else 10.0))
    if not wrk and not args.python_clients:
        print(
            f"wrk is not installed: HTTP load comes from {load.connections} Python client processes, which load the"
            " machine more for the same rate (apt-get install wrk, or run again with --install-wrk)",
            flush=True,
        )
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    tables = [run_backend(b, args, load) for b in backends]
    command = "python -m bench " + " ".join(sys.argv[1:])
    report = "\n\n".join(t.markdown() for t in tables) + f"\n\nCommand: `{command.strip()}`\n\n" + machine()
    print("\n" + report)
    if args.markdown:
        args.markdown.write_text(report + "\n")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # servers, client processes and temporary folders are stopped and removed on the way out
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
