"""How fast GDELT exports are imported: rows per second, as ratios measured in one run.

    .venv/bin/python -m bench.gdelt_import                 # 5,000 rows, SQLite
    .venv/bin/python -m bench.gdelt_import --rows 20000 --database postgres   # TEST_POSTGRES_URL

A GDELT 2.0 export of ``--rows`` rows is generated (``tests.gdelt_rows``): fighting
in Donetsk reported by several articles with several mentions each, accusations,
meetings, ceasefires, and the noise the importer filters (CAMEO roots 01 and 02,
a bank, single-actor meetings, places outside the territory, minor mentions).
Each measure imports it into a fresh log holding one registered conflict:

- ``gdelt`` import (read, filter, group, check, write), in rows per second;
- the same file imported again (nothing is written: every development is recognised);
- planning alone (read, filter, group; no log), to show what writing costs;
- the ``plover`` CAMEO path on the same file (``--conflict``, the shipped table),
  which neither filters nor groups: the ratio is what the signal costs.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable

from events.importers import ImportOptions, ImportSummary, run_import
from events.importers.gdelt_codes import shipped_cameo_table
from events.importers.ndjson import import_ndjson
from events.importers.running import make_plan, read_world
from events.log.application import ConflictLog
from events.log.opening import open_log
from tests.conftest import drop_postgres_schema, new_postgres_schema, postgres_url
from tests.gdelt_rows import gdelt_line

UKRAINE = {
    "type": "ConflictRegistered",
    "occurred": "2014-04-06",
    "sources": [{"name": "benchmark"}],
    "summary": "The war in eastern Ukraine is registered.",
    "data": {
        "conflict": "ukraine-east",
        "name": "War in eastern Ukraine",
        "territory": ["UKR"],
        "parties": ["UKR", "RUS"],
    },
}
#: (share, code, actor1, actor2, place, root) of the generated rows
MIX = [
    (30, "190", "RUSMIL", "UKRMIL", "donetsk", 1),
    (15, "193", "UKRMIL", "RUSMIL", "donetsk", 0),
    (10, "112", "UKRGOV", "RUSGOV", "kyiv", 1),
    (5, "042", "RUSGOV", "UKRGOV", "kyiv", 1),
    (2, "0871", "RUS", "UKR", "ukraine", 1),
    (15, "010", "RUSGOV", "", "ukraine", 1),
    (5, "031", "NOR", "BUS", "oslo", 1),
    (5, "042", "UKRGOV", "", "kyiv", 1),
    (8, "190", "USAMIL", "USA", "texas", 1),
    (5, "190", "RUSMIL", "UKRMIL", "donetsk", 0),
]


def generate(rows: int, seed: int = 15) -> bytes:
    """A GDELT 2.0 export: about four rows an article, dates over a year."""
    pick = random.Random(seed)
    weights = [m[0] for m in MIX]
    lines = []
    for n in range(rows):
        _, code, actor1, actor2, place, root = pick.choices(MIX, weights)[0]
        day = f"2022{1 + n % 12:02d}{1 + n % 28:02d}"
        article = n // 4
        mentions = pick.randint(1, 12)
        lines.append(
            gdelt_line(
                "GDELT 2.0",
                1_000_000_000 + n,
                day,
                code,
                actor1,
                actor2,
                place,
                root=root,
                mentions=mentions,
                articles=max(1, mentions // 2),
                url=f"https://news.example.org/{day}/{article}",
            )
        )
    return ("\n".join(lines) + "\n").encode()


def fresh_log(database: str, folder: str, schemas: list[str]) -> ConflictLog:
    """A new log holding one registered conflict: a SQLite file in ``folder``, or a new PostgreSQL schema."""
    if database == "sqlite":
        url = f"sqlite:///{folder}/{uuid.uuid4().hex}.db"
    else:
        schemas.append(new_postgres_schema())
        url = postgres_url(schemas[-1])
    log = open_log(url)
    import_ndjson(log, io.StringIO(json.dumps(UKRAINE) + "\n"), 10, None)
    return log


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="sqlite: files in a temporary folder; postgres: TEST_POSTGRES_URL, a fresh schema per log, dropped after",
    )
    args = parser.parse_args()
    data = generate(args.rows)
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        try:
            summary, first, again, planning, plover = measure(data, args.database, folder, schemas)
        finally:
            for schema in schemas:
                drop_postgres_schema(schema)
    report(args.rows, len(data), args.database, summary, first, again, planning, plover)


def measure(
    data: bytes, database: str, folder: str, schemas: list[str]
) -> tuple[ImportSummary, float, float, float, float]:
    """The summary of an import, and the seconds of each measure (see the module's docstring)."""
    log = fresh_log(database, folder, schemas)
    summary = run_import(log, "gdelt", data)  # a warm-up, whose summary is shown
    log.close()
    log = fresh_log(database, folder, schemas)
    first = timed(lambda: run_import(log, "gdelt", data))
    again = timed(lambda: run_import(log, "gdelt", data))
    world = read_world(log)
    planning = timed(lambda: make_plan("gdelt", data, world, ImportOptions()))
    log.close()
    log = fresh_log(database, folder, schemas)
    options = ImportOptions(conflict="ukraine-east", cameo_table=shipped_cameo_table())
    plover = timed(lambda: run_import(log, "plover", data, options))
    log.close()
    return summary, first, again, planning, plover


def report(
    rows: int,
    size: int,
    database: str,
    summary: ImportSummary,
    first: float,
    again: float,
    planning: float,
    plover: float,
) -> None:
    print(f"GDELT 2.0 export of {rows:,} rows ({size:,} bytes), {database}")
    print(f"  {summary.line()}")
    for note in summary.notes:
        print(f"  note: {note}")
    lines = [
        ("gdelt import", first, ""),
        ("gdelt import, again", again, f"first ÷ again (time): {first / again:.2f}"),
        ("gdelt planning alone", planning, f"share of the import's time: {planning / first:.2f}"),
        ("plover CAMEO path", plover, f"gdelt ÷ plover (rows/s): {plover / first:.2f}"),
    ]
    for name, seconds, ratio in lines:
        print(f"{name + ':':24}{rows / seconds:9,.0f} rows/s  ({seconds:.2f} s)  {ratio}".rstrip())


if __name__ == "__main__":
    main()
