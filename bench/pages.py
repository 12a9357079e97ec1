"""Page weight and time to first byte of the pages for the largest conflicts, two checkouts side by side.

    # the eastern Ukraine of the shared data (seed + UCDP GED + PA, imported into DATABASE):
    .venv/bin/python -m bench.pages --database /tmp/ucdp.db --conflict ukraine-east \\
        --checkout main=/tmp/main-checkout --checkout branch=.
    # a generated conflict of 10,000 developments (built once into DATABASE when it does not exist):
    .venv/bin/python -m bench.pages --generate 10000 --database /tmp/big.db --conflict generated \\
        --checkout main=/tmp/main-checkout --checkout branch=.

Each checkout (a folder holding ``service/``, ``events/`` and ``projections/``; an older
commit can be put in one with ``git archive COMMIT | tar -x -C FOLDER``) is served by
``conflict-status serve`` run from that folder's code on the same database, at the same
time, and the pages are asked of them in turns, ``--rounds`` times each, one request at a
time.  For each page it prints the bytes of HTML, of the chart's SVG, the SVG's elements,
the chart's Tab stops (links not taken out of the Tab order), and the median time to the
first byte and to the last; then the ratio of each checkout to the first one.  Absolute
times depend on what else runs on the machine: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

from tests.e2e.server import free_port

SOURCE = [{"name": "Bench wire service", "url": "https://example.org/wire"}]


# -- a generated conflict ---------------------------------------------------------------


def generated(count: int, key: str = "generated", start: date = date(2014, 4, 1)) -> Iterator[dict[str, Any]]:
    """One conflict with ``count`` developments over about eight years: mostly fighting with deaths, some diplomacy."""
    yield {
        "type": "ConflictRegistered",
        "occurred": start.isoformat(),
        "actors": ["UKR", "RUS"],
        "sources": SOURCE,
        "summary": "A generated conflict is registered.",
        "data": {"conflict": key, "name": "Generated conflict", "region": "Europe", "parties": ["UKR", "RUS"]},
    }
    span = 8 * 365
    for n in range(count):
        day = (start + timedelta(days=1 + span * n // count)).isoformat()
        base = {"occurred": day, "conflicts": [key], "actors": ["UKR", "RUS"], "sources": SOURCE}
        if n % 50 == 25:
            yield {
                **base,
                "type": "CeasefireCalled",
                "summary": f"A ceasefire is called ({n}).",
                "data": {"called_by": ["FRA", "DEU"]},
            }
        elif n % 10 == 5:
            yield {
                **base,
                "type": "StatementIssued",
                "actors": ["FRA"],
                "summary": f"France calls for calm ({n}).",
                "data": {"by": "FRA", "text": "France calls for calm."},
            }
        else:
            best = n % 7
            yield {
                **base,
                "type": "FightingReported",
                "summary": f"Shelling reported ({n}).",
                "data": {"description": "shelling", "deaths": {"best": best, "low": best, "high": best + 1}},
            }


def build(database: Path, count: int) -> None:
    """Write the generated conflict into a new SQLite database and bring the projections up to date."""
    from events.log.admission import Submission
    from events.log.opening import open_log
    from projections.database import open_database
    from projections.store import ProjectionStore

    url = f"sqlite:///{database}"
    log = open_log(url)
    batch: list[Submission] = []
    for raw in generated(count):
        batch.append(Submission(raw))
        if len(batch) == 10_000:
            log.submit_many(batch)
            batch = []
    if batch:
        log.submit_many(batch)
    database = open_database(url)
    try:
        database.create_tables()
        ProjectionStore(log, database).catch_up()
    finally:
        database.close()
        log.close()


# -- serving two checkouts --------------------------------------------------------------


@dataclass
class Running:
    label: str
    url: str


@contextmanager
def serve(label: str, folder: Path, database: Path, scratch: Path) -> Iterator[Running]:
    """``conflict-status serve`` from the code in ``folder`` on ``database`` (stopped afterwards)."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(folder.resolve()),
        "DATABASE_URL": f"sqlite:///{database}",
        "SIGNING_KEY_FILE": str(scratch / f"{label}-signing-key.pem"),
    }
    start = "import sys; from service.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", start, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with (scratch / f"{label}.log").open("wb") as out:
        # run in the folder: ``python -c`` puts the working directory first on sys.path, before PYTHONPATH
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{label}: serve did not start; see {scratch / (label + '.log')}")
            time.sleep(0.3)
        yield Running(label, url)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


# -- measuring --------------------------------------------------------------------------


@dataclass
class Measure:
    html: int
    svg: int
    svg_elements: int
    tab_stops: int
    first_byte: float
    last_byte: float


def weigh(body: str) -> tuple[int, int, int]:
    """Bytes of the first chart's SVG, its elements, and its links left in the Tab order."""
    found = re.search(r"<svg\b.*?</svg>", body, re.S)
    if not found:
        return 0, 0, 0
    svg = found.group(0)
    elements = len(re.findall(r"<[a-zA-Z]", svg))
    links = re.findall(r"<a\b[^>]*>", svg)
    stops = sum(1 for a in links if 'tabindex="-1"' not in a)
    return len(svg.encode()), elements, stops


def fetch(url: str) -> tuple[str, float, float]:
    started = time.perf_counter()
    with requests.get(url, stream=True, timeout=300) as response:
        chunks = response.iter_content(chunk_size=None)
        first = next(chunks, b"")
        first_byte = time.perf_counter() - started
        body = first + b"".join(chunks)
        response.raise_for_status()
    return body.decode(), first_byte, time.perf_counter() - started


def measure(servers: list[Running], paths: list[str], rounds: int) -> dict[tuple[str, str], Measure]:
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    bodies: dict[tuple[str, str], str] = {}
    for server in servers:  # one request each first, so that no worker is measured opening its database
        for path in paths:
            fetch(server.url + path)
    for _ in range(rounds):
        for path in paths:
            for server in servers:
                body, first, last = fetch(server.url + path)
                bodies[(server.label, path)] = body
                times.setdefault((server.label, path), []).append((first, last))
    results = {}
    for key, pairs in times.items():
        body = bodies[key]
        svg, elements, stops = weigh(body)
        first = statistics.median(p[0] for p in pairs)
        last = statistics.median(p[1] for p in pairs)
        results[key] = Measure(len(body.encode()), svg, elements, stops, first, last)
    return results


def report(servers: list[Running], paths: list[str], results: dict[tuple[str, str], Measure]) -> None:
    base = servers[0].label
    print(
        f"{'page':<46} {'checkout':<8} {'HTML KiB':>9} {'SVG KiB':>8} {'SVG elems':>9} {'Tab stops':>9} "
        f"{'TTFB ms':>8} {'total ms':>8}"
    )
    for path in paths:
        for server in servers:
            m = results[(server.label, path)]
            print(
                f"{path[:46]:<46} {server.label:<8} {m.html / 1024:>9.1f} {m.svg / 1024:>8.1f} {m.svg_elements:>9} "
                f"{m.tab_stops:>9} {m.first_byte * 1000:>8.0f} {m.last_byte * 1000:>8.0f}"
            )
        first = results[(base, path)]
        for server in servers[1:]:
            m = results[(server.label, path)]
            print(
                f"{'':<46} {server.label + '/' + base:<8} HTML x{m.html / first.html:.2f}, "
                f"SVG x{m.svg / max(first.svg, 1):.2f}, TTFB x{m.first_byte / first.first_byte:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, required=True, help="SQLite database file to serve")
    parser.add_argument("--generate", type=int, default=0, help="build a conflict of N developments if missing")
    parser.add_argument("--conflict", default="ukraine-east", help="the conflict whose pages are measured")
    parser.add_argument("--checkout", action="append", required=True, help="LABEL=FOLDER, in the order compared")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.generate and not args.database.exists():
        started = time.perf_counter()
        build(args.database, args.generate)
        print(f"built {args.generate:,} developments in {time.perf_counter() - started:.0f} s")
    paths = [
        f"/?q={args.conflict}",
        "/",
        f"/conflicts/{args.conflict}",
        f"/conflicts/{args.conflict}?window=all",
        f"/conflicts/{args.conflict}?window=90",
    ]
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        servers = []
        for given in args.checkout:
            label, _, folder = given.partition("=")
            servers.append(stack.enter_context(serve(label, Path(folder), args.database, Path(scratch))))
        report(servers, paths, measure(servers, paths, args.rounds))


if __name__ == "__main__":
    main()
