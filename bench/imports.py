"""How fast files import, in rows per second, per format and backend: ``python -m bench.imports`` (by hand).

    .venv/bin/python -m bench.imports                          # 20,000 rows of every format, both backends
    .venv/bin/python -m bench.imports --rows 50000 --database sqlite --formats ucdp-ged
    .venv/bin/python -m bench.imports --formats ucdp-ged,ndjson --one-by-one

Every format the command line imports: ucdp-ged, ucdp-pa, ucdp-acd, acled,
plover, gdelt and ndjson (files from ``bench.import_files``: samples repeated
under new ids, or generated).  Each file is imported into a fresh database with
``run_import`` (``import_ndjson`` for NDJSON), as the command line and the API
do, then imported again (which must add nothing), and the rows per second of
both are printed, with ratios measured in the same run: the second import's
rate to the first's, and each format's first import to GED's on the same
backend.  An import writes in transactions of up to 10,000 developments;
``--one-by-one`` also imports each file with one development per transaction
(the path an import took before it was batched) and prints the ratio.  What a
format needs the log to know first (ACLED: the ACD conflicts; GDELT: the war in
Ukraine) is imported before the clock starts.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.import_files import CONFLICTS, MAKERS, UKRAINE, acd_file
from events.importers import ImportOptions, run_import
from events.importers.ndjson import import_ndjson
from events.log.application import MAX_BATCH, ConflictLog
from events.log.opening import open_log

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FORMATS = tuple(MAKERS)


@dataclass
class Measured:
    """One file imported twice into one fresh database."""

    backend: str
    fmt: str
    rows: int
    batch_size: int
    seconds: float
    again_seconds: float
    added: int
    added_again: int

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def again_rate(self) -> float:
        return self.rows / self.again_seconds


@contextmanager
def database(backend: str) -> Iterator[str]:
    """The URL of a fresh database of the backend, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
            yield f"sqlite:///{folder}/log.db"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in POSTGRES else "?"
        yield f"{POSTGRES}{sep}schema={schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def prepare(log: ConflictLog, fmt: str) -> None:
    """What the format's rows need the log to know first (not timed)."""
    if fmt == "acled":  # ACLED rows are placed in the conflicts the ACD registers (by territory)
        run_import(log, "ucdp-acd", acd_file(CONFLICTS))
    elif fmt == "gdelt":
        import_ndjson(log, io.StringIO(json.dumps(UKRAINE) + "\n"), 10, None)


def import_once(url: str, fmt: str, data: bytes, batch_size: int) -> tuple[float, int]:
    """Seconds one import of ``data`` took, and how many developments it added (registrations included)."""
    log = open_log(url)
    try:
        started = time.perf_counter()
        if fmt == "ndjson":
            added = import_ndjson(log, io.StringIO(data.decode()), batch_size).added
        else:
            summary = run_import(log, fmt, data, ImportOptions(batch_size=batch_size))
            added = summary.added + summary.registered + summary.corrected
        return time.perf_counter() - started, added
    finally:
        log.close()


def measure(backend: str, fmt: str, rows: int, data: bytes, batch_size: int) -> Measured:
    """A file imported into a fresh database, then again."""
    with database(backend) as url:
        log = open_log(url)
        try:
            prepare(log, fmt)
        finally:
            log.close()
        seconds, added = import_once(url, fmt, data, batch_size)
        again, added_again = import_once(url, fmt, data, batch_size)
    return Measured(backend, fmt, rows, batch_size, seconds, again, added, added_again)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000, help="rows per file")
    parser.add_argument("--pa-rows", type=int, default=3_000, help="rows of the PA file (3 developments each)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ", ".join(FORMATS))
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--one-by-one", action="store_true", help="also import with one development per transaction")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in MAKERS]
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}; the formats are {', '.join(FORMATS)}")
    files = {fmt: MAKERS[fmt](args.pa_rows if fmt == "ucdp-pa" else args.rows) for fmt in formats}
    print(
        f"{'backend':<9} {'format':<9} {'rows':>7} {'per txn':>7} {'rows/s':>9} {'again rows/s':>12} "
        f"{'again ÷ first':>13} {'÷ ged':>6}  developments added, then again"
    )
    for backend in backends:
        ged: Measured | None = None
        for fmt, data in files.items():
            rows = args.pa_rows if fmt == "ucdp-pa" else args.rows
            batched = measure(backend, fmt, rows, data, MAX_BATCH)
            ged = batched if fmt == "ucdp-ged" else ged
            _show(batched, ged)
            if args.one_by_one:
                single = measure(backend, fmt, rows, data, 1)
                _show(single, None)
                print(f"{'':<9} {fmt:<9} batched ÷ one by one: {batched.rate / single.rate:.2f}")
            sys.stdout.flush()
    return 0


def _show(m: Measured, ged: Measured | None) -> None:
    to_ged = f"{m.rate / ged.rate:.2f}" if ged is not None else ""
    print(
        f"{m.backend:<9} {m.fmt:<9} {m.rows:>7,} {m.batch_size:>7,} {m.rate:>9,.0f} {m.again_rate:>12,.0f} "
        f"{m.again_rate / m.rate:>13.2f} {to_ged:>6}  {m.added:,} then {m.added_again:,}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
