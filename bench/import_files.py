"""Files of every import format, of any number of rows, for ``bench.imports``.

GED, PA and PLOVER files repeat a sample under new row ids (the shared data
sets when ``../shared/data`` is there, else the project's fixtures); ACD, ACLED
and GDELT files are generated in their layouts; NDJSON holds the benchmark's
synthetic developments.  Each maker answers the file's bytes; ``SETUP`` holds
what a format's rows need the log to know first (ACLED rows fall in the
conflicts an ACD file registers, GDELT rows in a registered war in Ukraine).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from pathlib import Path

from bench.workload import conflict_ids, developments, registrations
from events.importers.gleditsch_ward import ISO
from tests.gdelt_rows import gdelt_line

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "fixtures"


def _first(*paths: Path) -> Path:
    return next(p for p in paths if p.is_file())


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _repeated_table(sample: Path, id_column: str, rows: int) -> bytes:
    """The sample's rows repeated under new ids (sample id + n x 10,000,000) until there are ``rows``."""
    reader = csv.reader(io.StringIO(sample.read_text(encoding="utf-8-sig")))
    header = next(reader)
    body = [r for r in reader if any(c.strip() for c in r)]
    at = header.index(id_column)
    out: list[list[object]] = []
    for n in range(rows):
        row = list(body[n % len(body)])
        row[at] = str(int(float(row[at])) + (n // len(body)) * 10_000_000)
        out.append(row)
    return _csv(header, out)


# -- samples repeated -------------------------------------------------------------------


def ged_file(rows: int) -> bytes:
    """UCDP GED rows: the shared Ukraine sample (else the fixture) repeated."""
    sample = _first(SHARED / "ucdp-ged-ukraine" / "ucdp-ged-ukraine-2014-2021.csv", FIXTURES / "ged-clean.csv")
    return _repeated_table(sample, "id", rows)


def pa_file(rows: int) -> bytes:
    """UCDP peace agreements (about three developments a row): the shared sample (else the fixture) repeated."""
    sample = _first(SHARED / "ucdp-peace-agreements" / "ucdp-peace-agreements-221.csv", FIXTURES / "pa-sample.csv")
    return _repeated_table(sample, "paid", rows)


def plover_file(rows: int) -> bytes:
    """PLOVER JSON records: the shared sample (else the fixture) repeated under new ids."""
    sample = _first(SHARED / "plover-gsr" / "PLOVER_GSR_CAMEO.json", FIXTURES / "plover-sample.json")
    records = [r for r in json.loads(sample.read_text(encoding="utf-8")) if r.get("event") != "DOCUMENT"]
    out = []
    for n in range(rows):
        record = dict(records[n % len(records)])
        record["id"] = f"{record['id']}-{n // len(records)}"
        out.append(record)
    return json.dumps(out).encode()


def ndjson_file(rows: int) -> bytes:
    """The benchmark's synthetic developments, 20 conflicts registered first."""
    conflicts = conflict_ids(20)
    lines = [json.dumps(r) for r in registrations(conflicts)]
    lines += [json.dumps(d) for d in developments(rows - len(conflicts), conflicts)]
    return ("\n".join(lines) + "\n").encode()


# -- UCDP/PRIO ACD and ACLED, generated ------------------------------------------------------

ACD_HEADER = [
    "conflict_id", "location", "side_a", "side_a_id", "side_a_2nd", "side_b", "side_b_id", "side_b_2nd",
    "incompatibility", "territory_name", "year", "intensity_level", "cumulative_intensity", "type_of_conflict",
    "start_date", "start_prec", "start_date2", "start_prec2", "ep_end", "ep_end_date", "ep_end_prec", "gwno_a",
    "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc", "region", "version",
]  # fmt: skip
ACLED_HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
#: Gleditsch-Ward numbers of distinct ISO codes (a country is the territory of one conflict only)
STATES = sorted({code: n for n, code in sorted(ISO.items(), reverse=True)}.values())[:150]
CONFLICTS = len(STATES)


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


def numeric_iso(state: int) -> str:
    """The ISO 3166 numeric code of a Gleditsch-Ward state, as ACLED's ``iso`` column gives it."""
    import pycountry

    found = pycountry.countries.get(alpha_3=ISO[state])
    return found.numeric if found else "0"


def acled_file(count: int) -> bytes:
    """``count`` ACLED battles in the ACD conflicts' countries (one conflict's territory each)."""
    numeric = {state: numeric_iso(state) for state in STATES}
    rows: list[list[object]] = []
    for n in range(count):
        state = STATES[n % CONFLICTS]
        day = f"2022-{1 + n % 12:02d}-{1 + n % 28:02d}"
        rows.append(
            [f"EV{n}", day, 2022, 1, "Political violence", "Battles", "Armed clash", "Rebels", "", 2,
             "Militia", "", 3, 23, "", numeric[state], "Region", "Country", "Admin", "District", "", f"Place {n}",
             10.5, 20.5, 1, "Source A; Source B", "National", f"Fighting number {n}.", n % 7, "", 1700000000 + n]
        )  # fmt: skip
    return _csv(ACLED_HEADER, rows)


# -- GDELT, generated ----------------------------------------------------------------------

#: the war the GDELT rows are about, registered before they are imported
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
#: (share, code, actor1, actor2, place, root) of the generated rows: signal, and the noise the importer filters
GDELT_MIX = [
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


def gdelt_file(rows: int, seed: int = 15) -> bytes:
    """A GDELT 2.0 export: about four rows an article, several mentions each, dates over a year."""
    pick = random.Random(seed)
    weights = [m[0] for m in GDELT_MIX]
    lines = []
    for n in range(rows):
        _, code, actor1, actor2, place, root = pick.choices(GDELT_MIX, weights)[0]
        day = f"2022{1 + n % 12:02d}{1 + n % 28:02d}"
        mentions = pick.randint(1, 12)
        lines.append(
            gdelt_line(
                "GDELT 2.0", 1_000_000_000 + n, day, code, actor1, actor2, place, root=root, mentions=mentions,
                articles=max(1, mentions // 2), url=f"https://news.example.org/{day}/{n // 4}",
            )
        )  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


MAKERS: dict[str, Callable[[int], bytes]] = {
    "ucdp-ged": ged_file,
    "ucdp-pa": pa_file,
    "ucdp-acd": acd_file,
    "acled": acled_file,
    "plover": plover_file,
    "gdelt": gdelt_file,
    "ndjson": ndjson_file,
}
