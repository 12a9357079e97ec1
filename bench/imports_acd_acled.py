"""How fast the UCDP/PRIO ACD and ACLED importers read rows: ``python -m bench.imports_acd_acled`` (by hand).

    .venv/bin/python -m bench.imports_acd_acled                          # 5,000 rows each, SQLite
    .venv/bin/python -m bench.imports_acd_acled --rows 20000 --database postgres

Generates files of ``--rows`` rows in each format's layout (ACD: conflict-years
of 150 conflicts; ACLED: events spread over those conflicts' countries), then
for each format imports the file into a fresh log, then imports it again
(nothing changes: every row is recognised), and prints rows per second.  UCDP
GED rows of the same number, through the same write path, are the reference:
the ratios to it are measured in the same run, so they mostly do not depend on
whatever else runs on the machine.  Each import includes reading what the log
knows, checking every row, and writing (batches of 10,000 developments).
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.__main__ import fresh_database
from events.importers import ImportOptions, run_import
from events.importers.gleditsch_ward import ISO
from events.log.opening import open_log

ACD_HEADER = [
    "conflict_id",
    "location",
    "side_a",
    "side_a_id",
    "side_a_2nd",
    "side_b",
    "side_b_id",
    "side_b_2nd",
    "incompatibility",
    "territory_name",
    "year",
    "intensity_level",
    "cumulative_intensity",
    "type_of_conflict",
    "start_date",
    "start_prec",
    "start_date2",
    "start_prec2",
    "ep_end",
    "ep_end_date",
    "ep_end_prec",
    "gwno_a",
    "gwno_a_2nd",
    "gwno_b",
    "gwno_b_2nd",
    "gwno_loc",
    "region",
    "version",
]
ACLED_HEADER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
GED_HEADER = [
    "id",
    "conflict_new_id",
    "conflict_name",
    "side_a",
    "side_a_new_id",
    "gwnoa",
    "side_b",
    "side_b_new_id",
    "gwnob",
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
    "where_description",
]
#: Gleditsch-Ward numbers of distinct ISO codes (a country is the territory of one conflict only)
STATES = sorted({code: n for n, code in sorted(ISO.items(), reverse=True)}.values())[:150]
CONFLICTS = len(STATES)


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def acd_file(count: int) -> bytes:
    """``count`` conflict-years: conflict i in its state, years from 1946 on."""
    rows: list[list[object]] = []
    for n in range(count):
        i, year = n % CONFLICTS, 1946 + n // CONFLICTS
        state = STATES[i]
        rows.append(
            [1000 + i, f"State {state}", f"Government of {state}", state, "", f"Rebels {i}", 5000 + i, "", 2, "",
             year, 1 + (n % 2), 1, 3, "1946-01-01", 1, "1946-01-01", 1, 0, "", "", state, "", "", "", state, 1,
             "24.1"]
        )  # fmt: skip
    return _csv(ACD_HEADER, rows)


def acled_file(count: int, numeric: Callable[[int], str]) -> bytes:
    """``count`` ACLED battles in the conflicts' countries (one conflict's territory each)."""
    rows: list[list[object]] = []
    for n in range(count):
        state = STATES[n % CONFLICTS]
        day = f"2022-{1 + n % 12:02d}-{1 + n % 28:02d}"
        rows.append(
            [f"EV{n}", day, 2022, 1, "Political violence", "Battles", "Armed clash", "Rebels", "", 2,
             "Militia", "", 3, 23, "", numeric(state), "Region", "Country", "Admin", "District", "", f"Place {n}",
             10.5, 20.5, 1, "Source A; Source B", "National", f"Fighting number {n}.", n % 7, "", 1700000000 + n]
        )  # fmt: skip
    return _csv(ACLED_HEADER, rows)


def ged_file(count: int) -> bytes:
    rows: list[list[object]] = []
    for n in range(count):
        i = n % CONFLICTS
        day = f"2016-{1 + n % 12:02d}-{1 + n % 28:02d}"
        rows.append(
            [n + 1, 1000 + i, f"State {STATES[i]}", f"Government of {STATES[i]}", STATES[i], STATES[i],
             f"Rebels {i}", 5000 + i, "", day, day, 2, 1, 3, f"Place {n}"]
        )  # fmt: skip
    return _csv(GED_HEADER, rows)


def numeric_iso(state: int) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_3=ISO[state])
    return found.numeric if found else "0"


def timed(url: str, fmt: str, data: bytes, rows: int) -> tuple[float, float]:
    """Rows per second of a first import and of the same import again."""
    rates = []
    for _ in range(2):
        log = open_log(url)
        try:
            start = time.perf_counter()
            summary = run_import(log, fmt, data, ImportOptions())
            elapsed = time.perf_counter() - start
        finally:
            log.close()
        assert summary.rejected == 0, summary.reports[:3]
        rates.append(rows / elapsed)
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    files = {
        "ucdp-ged": ged_file(args.rows),
        "ucdp-acd": acd_file(args.rows),
        "acled": acled_file(args.rows, numeric_iso),
    }
    results: dict[str, tuple[float, float]] = {}
    for fmt, data in files.items():
        with tempfile.TemporaryDirectory() as folder, fresh_database(args.database, Path(folder)) as db:
            if fmt == "acled":  # ACLED rows are placed in the conflicts the ACD registers (by territory)
                log = open_log(db.url)
                try:
                    run_import(log, "ucdp-acd", acd_file(CONFLICTS), ImportOptions())
                finally:
                    log.close()
            results[fmt] = timed(db.url, fmt, data, args.rows)
    ged_first, ged_again = results["ucdp-ged"]
    print(f"{args.rows:,} rows per file, {args.database}")
    print(f"{'format':<10} {'first import':>16} {'again':>16} {'first / ged':>12} {'again / ged':>12}")
    for fmt, (first, again) in results.items():
        print(
            f"{fmt:<10} {first:>12,.0f} r/s {again:>12,.0f} r/s {first / ged_first:>12.2f} {again / ged_again:>12.2f}"
        )


if __name__ == "__main__":
    main()
