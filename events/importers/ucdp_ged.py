"""UCDP Georeferenced Event Dataset (GED) rows → ``FightingReported``.

One row is one event of organised violence on a day or over a few days: a fact,
recorded as ``FightingReported`` whatever the log holds (whether it violated a
ceasefire is the projections' question, asked as of a date).  It keeps the deaths
(best, low, high), UCDP's type of violence (``violence``), the place (country,
first- and second-level divisions, name, coordinates and UCDP's ``where_prec``)
and the upstream codes it interpreted (``origin.codes``).  The conflict is the
one registered with external id ``ucdp:<conflict_new_id>``, or a new
``ucdp-<conflict_new_id>``; sides become actors (states by their Gleditsch-Ward
number, non-state sides as groups ``UCDP-<actor id>``; side B of one-sided
violence is civilians, not an actor).

Ids and codes are whole numbers, read as such when written as floats
(``15960.0``): ``origin.row_id`` is ``15960``, and a development an earlier
version stored under ``ucdp-ged:15960.0`` is recognised as the same row.

Inconsistent death estimates (not low <= best <= high) are flagged, not
rejected: the best estimate is kept, the range is widened to hold it, the
upstream figures are quoted in the description, and ``origin.flags`` says so.
"""

from __future__ import annotations

from typing import Any

from events.importers import gleditsch_ward, ucdp
from events.importers.dates import read_date, span
from events.importers.plan import Plan, Planned, Registrations, RowProblem, World, clip
from events.importers.tables import Column, Row, Table

DATASET = "ucdp-ged"
NAME = "UCDP Georeferenced Event Dataset (GED)"

COLUMNS = (
    Column("id", ("event_id", "ged_id"), integer=True),
    Column("conflict_new_id", ("conflict_id", "conflictid"), integer=True),
    Column("conflict_name"),
    Column("side_a", ("side_a_name",)),
    Column("side_a_new_id", ("side_a_id", "side_a_dset_id"), integer=True),
    Column("gwnoa", ("gwno_a", "gwnoa_"), integer=True),
    Column("side_b", ("side_b_name",)),
    Column("side_b_new_id", ("side_b_id", "side_b_dset_id"), integer=True),
    Column("gwnob", ("gwno_b", "gwnob_"), integer=True),
    Column("date_start", ("start_date", "date_from")),
    Column("date_end", ("end_date", "date_to")),
    Column("best", ("best_est", "deaths_best", "best_estimate"), integer=True),
    Column("low", ("low_est", "deaths_low", "low_estimate"), integer=True),
    Column("high", ("high_est", "deaths_high", "high_estimate"), integer=True),
    Column("type_of_violence", ("violence_type",), required=False, integer=True),
    Column("dyad_new_id", ("dyad_id", "dyad_dset_id"), required=False, integer=True),
    Column("dyad_name", required=False),
    Column("where_prec", ("where_precision",), required=False, integer=True),
    Column("where_coordinates", required=False),
    Column("where_description", ("where",), required=False),
    Column("adm_1", ("adm1",), required=False),
    Column("adm_2", ("adm2",), required=False),
    Column("latitude", ("lat",), required=False),
    Column("longitude", ("lon", "long"), required=False),
    Column("country", required=False),
    Column("country_id", ("gwno_loc",), required=False, integer=True),
    Column("date_prec", ("date_precision",), required=False, integer=True),
    Column("event_clarity", required=False, integer=True),
    Column("region", required=False),
    Column("source_office", required=False),
    Column("source_date", required=False),
    Column("version", ("release", "ged_version"), required=False),
)

#: UCDP's type_of_violence -> the vocabulary's ``violence``, and how a description names it
VIOLENCE = {"1": "state-based", "2": "non-state", "3": "one-sided"}
VIOLENCE_TEXT = {"1": "state-based armed conflict", "2": "non-state conflict", "3": "one-sided violence"}

#: upstream codes kept in ``origin.codes`` when the row has them (whole numbers)
CODES = (
    "type_of_violence",
    "where_prec",
    "date_prec",
    "event_clarity",
    "country_id",
    "gwnoa",
    "gwnob",
    "dyad_new_id",
    "side_a_new_id",
    "side_b_new_id",
    "conflict_new_id",
)


def plan(table: Table, world: World, release: str | None = None) -> Plan:
    """Map every row; a row that cannot be mapped is reported with its line and column."""
    out = Plan(DATASET, unit=table.unit, notes=list(table.notes))
    registrations = Registrations(world, {"name": NAME})
    for row in table.resolve(COLUMNS):
        out.rows_read += 1
        row_id = row.get("id") or None
        try:
            if not row_id:
                raise RowProblem("the row has no id", "id")
            row_id = ucdp.upstream_id(row_id, "id")
            out.developments.append(_development(row, row_id, registrations, release, out))
        except RowProblem as e:
            out.reject(e.message, row_id, row.line, e.column)
    out.registrations = registrations.planned()
    return out


def _development(row: Row, row_id: str, registrations: Registrations, release: str | None, out: Plan) -> Planned:
    occurred = _occurred(row)
    day = occurred.first
    violence = row.get("type_of_violence")
    if violence and violence not in VIOLENCE:
        raise RowProblem(
            f"expected 1 (state-based), 2 (non-state) or 3 (one-sided), got '{violence[:40]}'", "type_of_violence"
        )
    conflict_id = ucdp.upstream_id(row.get("conflict_new_id"), "conflict_new_id")
    conflict = registrations.conflict(
        ucdp.SCHEME, conflict_id, row.get("conflict_name"), day, row.get("region") or None
    )
    side_a, side_b = row.get("side_a"), row.get("side_b")
    actors = _side(row, "a", registrations, day)
    if violence != "3":  # one-sided violence: side B is civilians, not an actor
        actors += [code for code in _side(row, "b", registrations, day) if code not in actors]
    deaths, note, flags = _deaths(row)
    if flags:
        out.flag(note, row_id, row.line, "low/best/high")
    location = clip(
        ", ".join(p for p in (row.get("where_description"), row.get("adm_1"), row.get("country")) if p), 400
    )
    if violence == "3":
        headline = f"{side_a} killed {deaths['best']} civilians"
    else:
        headline = f"Fighting between {side_a} and {side_b}: {deaths['best']} killed"
    where = f" at {clip(row.get('where_description') or location, 200)}" if location else ""
    summary = f"{headline}{where} (best estimate, UCDP GED event {row_id})."
    what = VIOLENCE_TEXT.get(violence, "organised violence")
    description = f"{what.capitalize()}: {row.get('dyad_name') or f'{side_a} - {side_b}'}{where}."
    if note:
        description += f" {note}"
    data: dict[str, Any] = {"description": clip(description, 2000), "deaths": deaths}
    if location:
        data["location"] = location
    if violence:
        data["violence"] = VIOLENCE[violence]
    place = _place(row)
    if place:
        data["place"] = place
    origin: dict[str, Any] = {"dataset": DATASET, "row_id": row_id}
    release = release or row.get("version") or None
    if release:
        origin["release"] = release
    if flags:
        origin["flags"] = flags
    codes = _codes(row)
    if codes:
        origin["codes"] = codes
    raw = {
        "type": "FightingReported",
        "occurred": occurred.text,
        "conflicts": [conflict],
        "actors": actors,
        "sources": _sources(row, row_id),
        "summary": clip(summary, 1000),
        "data": data,
        "origin": origin,
    }
    # ``ucdp-ged:15960.0``: the key an earlier version gave a row whose id the file wrote as a float
    return Planned(f"{DATASET}:{row_id}", raw, row_id, row.line, aliases=(f"{DATASET}:{row_id}.0",))


def _place(row: Row) -> dict[str, Any]:
    """Where the event happened, from the columns the row has (coordinates only as a pair, inside their ranges)."""
    place: dict[str, Any] = {}
    country = _country(row.get("country_id"))
    if country:
        place["country"] = country
    for name, column in (("admin1", "adm_1"), ("admin2", "adm_2")):
        if row.get(column):
            place[name] = clip(row.get(column), 200)
    name = row.get("where_coordinates") or row.get("where_description")
    if name:
        place["name"] = clip(name, 200)
    lat, lon = _coordinate(row, "latitude", 90), _coordinate(row, "longitude", 180)
    if lat is not None and lon is not None:
        place["lat"], place["lon"] = lat, lon
    precision = row.get("where_prec")
    if precision:
        if not precision.isdigit() or not 1 <= int(precision) <= 7:
            raise RowProblem(f"expected a UCDP precision code from 1 to 7, got '{precision[:40]}'", "where_prec")
        place["precision"] = int(precision)
    return place


def _country(cell: str) -> str | None:
    """The ISO code of the Gleditsch-Ward number of the country the event is in (none if it has no ISO code)."""
    try:
        numbers = gleditsch_ward.numbers(cell)
    except ValueError:
        raise RowProblem(f"'{cell[:40]}' is not a Gleditsch-Ward state number", "country_id") from None
    if len(numbers) != 1:
        return None
    return gleditsch_ward.ISO.get(numbers[0])


def _coordinate(row: Row, column: str, limit: int) -> float | None:
    cell = row.get(column)
    if not cell:
        return None
    try:
        value = float(cell)
    except ValueError:
        raise RowProblem(f"expected a number of degrees, got '{cell[:40]}'", column) from None
    if not -limit <= value <= limit or value != value:
        raise RowProblem(f"expected degrees between -{limit} and {limit}, got '{cell[:40]}'", column)
    return value


def _codes(row: Row) -> dict[str, Any]:
    """The upstream codes this mapping read, as numbers (a list of numbers stays text: ``'2, 200'``)."""
    codes: dict[str, Any] = {}
    for name in CODES:
        value = row.get(name)
        if value:
            codes[name] = int(value) if value.isdigit() else clip(value, 100)
    return codes


def _occurred(row: Row) -> Any:
    try:
        start = read_date(row.get("date_start"))
    except ValueError as e:
        raise RowProblem(str(e), "date_start") from None
    try:
        end = read_date(row.get("date_end") or row.get("date_start"))
    except ValueError as e:
        raise RowProblem(str(e), "date_end") from None
    try:
        return span(start, end)
    except ValueError as e:
        raise RowProblem(str(e), "date_end") from None


def _side(row: Row, side: str, registrations: Registrations, day: Any) -> list[str]:
    gwno = row.get(f"gwno{side}")
    if gwno:
        return ucdp.states(gwno, f"gwno{side}", registrations, day)
    return [
        ucdp.group(row.get(f"side_{side}_new_id"), row.get(f"side_{side}"), f"side_{side}_new_id", registrations, day)
    ]


def _deaths(row: Row) -> tuple[dict[str, int], str, list[str]]:
    best, low, high = (ucdp.count(row.get(name), name) for name in ("best", "low", "high"))
    if low <= best <= high:
        return {"best": best, "low": low, "high": high}, "", []
    note = (
        f"UCDP's death estimates are inconsistent (low {low}, best {best}, high {high}); "
        f"the best estimate is kept and the range widened to {min(low, best)}-{max(high, best)}."
    )
    return {"best": best, "low": min(low, best), "high": max(high, best)}, note, ["deaths-inconsistent"]


def _sources(row: Row, row_id: str) -> list[dict[str, Any]]:
    """UCDP first, then the news reports it cites (office and date, deduplicated)."""
    sources: list[dict[str, Any]] = [{"name": f"{NAME}, event {row_id}"}]
    offices = [o.strip() for o in row.get("source_office").split(";")]
    dates = [d.strip() for d in row.get("source_date").split(";")]
    seen: set[tuple[str, str]] = set()
    for i, office in enumerate(offices):
        if not office:
            continue
        published = ""
        if len(dates) == len(offices):
            try:
                published = read_date(dates[i]).text
            except ValueError:
                published = ""
        if (office, published) in seen or len(sources) >= 20:
            continue
        seen.add((office, published))
        source = {"name": clip(office, 300)}
        if published:
            source["published"] = published
        sources.append(source)
    return sources
