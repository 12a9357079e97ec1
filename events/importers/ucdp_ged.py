"""UCDP Georeferenced Event Dataset (GED) rows → ``FightingReported`` or ``CeasefireViolated``.

One row is one event of organised violence on a day or over a few days.  It
becomes a ``CeasefireViolated`` when a ceasefire had certainly been called or
agreed for that conflict before the event began, else a ``FightingReported``;
either keeps the deaths (best, low, high) and the location.  The conflict is the
one registered with external id ``ucdp:<conflict_new_id>``, or a new
``ucdp-<conflict_new_id>``; sides become actors (states by their Gleditsch-Ward
number, non-state sides as groups ``UCDP-<actor id>``).

Inconsistent death estimates (not low <= best <= high) are flagged, not
rejected: the best estimate is kept, the range is widened to hold it, the
upstream figures are quoted in the description, and ``origin.flags`` says so.
"""

from __future__ import annotations

from typing import Any

from events.importers import ucdp
from events.importers.dates import read_date, span
from events.importers.plan import Plan, Planned, Registrations, RowProblem, World, clip
from events.importers.tables import Column, Row, Table

DATASET = "ucdp-ged"
NAME = "UCDP Georeferenced Event Dataset (GED)"

COLUMNS = (
    Column("id", ("event_id", "ged_id")),
    Column("conflict_new_id", ("conflict_id", "conflictid")),
    Column("conflict_name"),
    Column("side_a", ("side_a_name",)),
    Column("side_a_new_id", ("side_a_id", "side_a_dset_id")),
    Column("gwnoa", ("gwno_a", "gwnoa_")),
    Column("side_b", ("side_b_name",)),
    Column("side_b_new_id", ("side_b_id", "side_b_dset_id")),
    Column("gwnob", ("gwno_b", "gwnob_")),
    Column("date_start", ("start_date", "date_from")),
    Column("date_end", ("end_date", "date_to")),
    Column("best", ("best_est", "deaths_best", "best_estimate")),
    Column("low", ("low_est", "deaths_low", "low_estimate")),
    Column("high", ("high_est", "deaths_high", "high_estimate")),
    Column("type_of_violence", ("violence_type",), required=False),
    Column("dyad_name", required=False),
    Column("where_description", ("where",), required=False),
    Column("adm_1", ("adm1",), required=False),
    Column("country", required=False),
    Column("region", required=False),
    Column("source_office", required=False),
    Column("source_date", required=False),
    Column("version", ("release", "ged_version"), required=False),
)

VIOLENCE = {"1": "state-based armed conflict", "2": "non-state conflict", "3": "one-sided violence"}


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
            out.developments.append(_development(row, row_id, world, registrations, release, out))
        except RowProblem as e:
            out.reject(e.message, row_id, row.line, e.column)
    out.registrations = registrations.planned()
    return out


def _development(
    row: Row, row_id: str, world: World, registrations: Registrations, release: str | None, out: Plan
) -> Planned:
    occurred = _occurred(row)
    day = occurred.first
    violence = row.get("type_of_violence") or "1"
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
    ceasefire = world.ceasefires.get(conflict)
    violated = ceasefire is not None and occurred.first > ceasefire
    what = VIOLENCE.get(violence, "organised violence")
    if violence == "3":
        headline = f"{side_a} killed {deaths['best']} civilians"
    else:
        headline = f"Fighting between {side_a} and {side_b}: {deaths['best']} killed"
    where = f" at {clip(row.get('where_description') or location, 200)}" if location else ""
    since = f", despite the ceasefire in place since {ceasefire.isoformat()}" if ceasefire and violated else ""
    summary = f"{headline}{where} (best estimate, UCDP GED event {row_id}){since}."
    description = f"{what.capitalize()}: {row.get('dyad_name') or f'{side_a} - {side_b}'}{where}."
    if note:
        description += f" {note}"
    data: dict[str, Any] = {"description": clip(description, 2000), "deaths": deaths}
    if location:
        data["location"] = location
    origin: dict[str, Any] = {"dataset": DATASET, "row_id": row_id}
    release = release or row.get("version") or None
    if release:
        origin["release"] = release
    if flags:
        origin["flags"] = flags
    raw = {
        "type": "CeasefireViolated" if violated else "FightingReported",
        "occurred": occurred.text,
        "conflicts": [conflict],
        "actors": actors,
        "sources": _sources(row, row_id),
        "summary": clip(summary, 1000),
        "data": data,
        "origin": origin,
    }
    return Planned(f"{DATASET}:{row_id}", raw, row_id, row.line)


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
