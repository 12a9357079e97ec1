"""How fast files import, in rows per second, per format and backend: ``python -m bench.imports``.

    .venv/bin/python -m bench.imports                          # 20,000 GED rows and the other formats, both backends
    .venv/bin/python -m bench.imports --rows 50000 --database sqlite
    .venv/bin/python -m bench.imports --formats ucdp-ged --one-by-one

Each format's file is made by repeating a sample under new row ids until it
holds ``--rows`` rows (GED: the shared Ukraine sample, else the project's
fixture; PA and PLOVER: the shared samples, else the fixtures; NDJSON: the
benchmark's synthetic developments).  Each file is imported into a fresh
database with ``run_import`` (``import_ndjson`` for NDJSON), as the command
line and the API do, and then imported again (which must add nothing).  The
import writes in transactions of up to 10,000 developments; ``--one-by-one``
also imports each file with one development per transaction (the path an
import took before it was batched), in the same run, and prints the ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.workload import conflict_ids, developments, registrations
from events.importers import ImportOptions, run_import
from events.importers.ndjson import import_ndjson
from events.log.application import MAX_BATCH
from events.log.opening import open_log

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "fixtures"
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FORMATS = ("ucdp-ged", "ucdp-pa", "plover", "ndjson")


def _first(*paths: Path) -> Path:
    return next(p for p in paths if p.is_file())


def _repeated_table(sample: Path, id_column: str, rows: int) -> bytes:
    """The sample's rows repeated under new ids (sample id + n x 10,000,000) until there are ``rows``."""
    reader = csv.reader(io.StringIO(sample.read_text(encoding="utf-8-sig")))
    header = next(reader)
    body = [r for r in reader if any(c.strip() for c in r)]
    at = header.index(id_column)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for n in range(rows):
        row = list(body[n % len(body)])
        row[at] = str(int(float(row[at])) + (n // len(body)) * 10_000_000)
        writer.writerow(row)
    return out.getvalue().encode()


def ged_file(rows: int) -> bytes:
    sample = _first(SHARED / "ucdp-ged-ukraine" / "ucdp-ged-ukraine-2014-2021.csv", FIXTURES / "ged-clean.csv")
    return _repeated_table(sample, "id", rows)


def pa_file(rows: int) -> bytes:
    sample = _first(SHARED / "ucdp-peace-agreements" / "ucdp-peace-agreements-221.csv", FIXTURES / "pa-sample.csv")
    return _repeated_table(sample, "paid", rows)


def plover_file(rows: int) -> bytes:
    sample = _first(SHARED / "plover-gsr" / "PLOVER_GSR_CAMEO.json", FIXTURES / "plover-sample.json")
    records = [r for r in json.loads(sample.read_text(encoding="utf-8")) if r.get("event") != "DOCUMENT"]
    out = []
    for n in range(rows):
        record = dict(records[n % len(records)])
        record["id"] = f"{record['id']}-{n // len(records)}"
        out.append(record)
    return json.dumps(out).encode()


def ndjson_file(rows: int) -> bytes:
    conflicts = conflict_ids(20)
    lines = [json.dumps(r) for r in registrations(conflicts)]
    lines += [json.dumps(d) for d in developments(rows - len(conflicts), conflicts)]
    return ("\n".join(lines) + "\n").encode()


MAKERS: dict[str, Callable[[int], bytes]] = {
    "ucdp-ged": ged_file,
    "ucdp-pa": pa_file,
    "plover": plover_file,
    "ndjson": ndjson_file,
}


@dataclass
class Measured:
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


def import_once(url: str, fmt: str, data: bytes, batch_size: int) -> tuple[float, int]:
    """Seconds one import of ``data`` took, and how many developments it added (registrations included)."""
    log = open_log(url)
    try:
        started = time.perf_counter()
        if fmt == "ndjson":
            text = io.StringIO(data.decode())
            added = import_ndjson(log, text, batch_size).added
        else:
            summary = run_import(log, fmt, data, ImportOptions(batch_size=batch_size))
            added = summary.added + summary.registered
        return time.perf_counter() - started, added
    finally:
        log.close()


def measure(backend: str, fmt: str, rows: int, data: bytes, batch_size: int) -> Measured:
    with database(backend) as url:
        seconds, added = import_once(url, fmt, data, batch_size)
        again, added_again = import_once(url, fmt, data, batch_size)
    return Measured(backend, fmt, rows, batch_size, seconds, again, added, added_again)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows per file (GED, PLOVER, NDJSON)")
    parser.add_argument("--pa-rows", type=int, default=3_000, help="rows of the PA file (three developments a row)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ", ".join(FORMATS))
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--one-by-one", action="store_true", help="also import with one development per transaction")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    print(f"{'backend':<9} {'format':<9} {'rows':>7} {'per transaction':>15} {'rows/s':>9} {'again rows/s':>12} added")
    for backend in backends:
        for fmt in formats:
            rows = args.pa_rows if fmt == "ucdp-pa" else args.rows
            data = MAKERS[fmt](rows)
            batched = measure(backend, fmt, rows, data, MAX_BATCH)
            _show(batched)
            if args.one_by_one:
                single = measure(backend, fmt, rows, data, 1)
                _show(single)
                print(f"{'':<9} {fmt:<9} batched ÷ one by one: {batched.rate / single.rate:.2f}")
            sys.stdout.flush()
    return 0


def _show(m: Measured) -> None:
    again = m.rows / m.again_seconds
    print(
        f"{m.backend:<9} {m.fmt:<9} {m.rows:>7,} {m.batch_size:>15,} {m.rate:>9,.0f} {again:>12,.0f} "
        f"{m.added:,} then {m.added_again:,}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
