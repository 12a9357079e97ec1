"""UCDP/PRIO Armed Conflict Dataset (ACD) rows → conflicts, their yearly intensity, and the ends of episodes.

One row is one conflict in one calendar year with at least 25 battle-related
deaths.  The rows of a conflict register it (``ConflictRegistered`` with
external id ``ucdp:<conflict_id>``, under the same key and slug ``ucdp-<id>``
that the GED and Peace Agreements importers use, so whichever import comes
first registers it and the others find it): its name from ``location`` and
``side_b``, the primary sides of every year as its parties, its ``region``,
its ``territory`` from ``gwno_loc`` and ``began`` from ``start_date``.  Each
row adds an ``IntensityAssessed`` for its year (``intensity_level`` 1 is
minor, 2 is war) and, where ``ep_end`` is 1, a ``ConflictEnded`` dated
``ep_end_date``.

A conflict that a GED or PA import registered bare is corrected into the full
registration; one that someone registered under another id (with the external
id ``ucdp:<id>``) keeps its registration, and the years are recorded in it.
A year whose episode no longer ends in a later release has its
``ConflictEnded`` retracted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from events.importers import ucdp
from events.importers.dates import read_date
from events.importers.plan import Plan, Planned, Registrations, RowProblem, Withdrawn, World, clip, slugify
from events.importers.tables import Column, Row, Table
from events.vocabulary.references import ISO_CODES

DATASET = "ucdp-acd"
NAME = "UCDP/PRIO Armed Conflict Dataset"

COLUMNS = (
    Column("conflict_id", ("conflictid", "conflict_new_id")),
    Column("year"),
    Column("intensity_level", ("intensity",)),
    Column("location"),
    Column("side_a"),
    Column("gwno_a"),
    Column("side_b"),
    Column("side_b_id", ("side_b_new_id",), required=False),
    Column("gwno_b", required=False),
    Column("gwno_loc", required=False),
    Column("territory_name", required=False),
    Column("incompatibility", required=False),
    Column("type_of_conflict", required=False),
    Column("region", required=False),
    Column("start_date", required=False),
    Column("start_date2", required=False),
    Column("ep_end", required=False),
    Column("ep_end_date", required=False),
    Column("version", required=False),
)

REGIONS = {1: "Europe", 2: "Middle East", 3: "Asia", 4: "Africa", 5: "Americas"}
LEVELS = {1: "minor", 2: "war"}
INCOMPATIBILITIES = {1: "territory", 2: "government", 3: "territory and government"}


@dataclass
class _Year:
    """One row read: a conflict in a year."""

    row: Row
    conflict_id: str
    year: int
    level: str
    parties: list[str]
    territory: list[str]
    began: str | None
    ended: str | None  # the day the episode ended, when ep_end is 1


@dataclass
class _Conflict:
    years: list[_Year] = field(default_factory=list)


def plan(table: Table, world: World, release: str | None = None) -> Plan:
    """Map every row; a row that cannot be mapped is reported with its line and column."""
    out = Plan(DATASET, unit=table.unit, notes=list(table.notes))
    registrations = Registrations(world, {"name": NAME})
    conflicts: dict[str, _Conflict] = {}
    for row in table.resolve(COLUMNS):
        out.rows_read += 1
        row_id = _row_id(row)
        try:
            year = _year(row, registrations)
        except RowProblem as e:
            out.reject(e.message, row_id, row.line, e.column)
            continue
        conflicts.setdefault(year.conflict_id, _Conflict()).years.append(year)
    for conflict_id, conflict in conflicts.items():
        conflict.years.sort(key=lambda y: (y.year, y.row.line))
        slug = _register(conflict_id, conflict, world, release, out)
        for year in conflict.years:
            _year_developments(year, slug, release, out)
    out.registrations = [*registrations.planned(), *out.registrations]
    return out


def whole(cell: str, column: str) -> int:
    """A whole number as the data set writes it (``2014``, or ``2014.0`` from a spreadsheet)."""
    value = cell.strip()
    try:
        number = float(value)
    except ValueError:
        raise RowProblem(f"expected a whole number, got '{value[:40]}'", column) from None
    if number != int(number):
        raise RowProblem(f"expected a whole number, got '{value[:40]}'", column)
    return int(number)


def _row_id(row: Row) -> str | None:
    """``<conflict_id>-<year>``: the row's identity in the data set (None when either cannot be read)."""
    try:
        return f"{ucdp.upstream_id(row.get('conflict_id'), 'conflict_id')}-{whole(row.get('year'), 'year')}"
    except RowProblem:
        return None


def _year(row: Row, registrations: Registrations) -> _Year:
    conflict_id = ucdp.upstream_id(row.get("conflict_id"), "conflict_id")
    year = whole(row.get("year"), "year")
    if not 1000 <= year <= 2999:
        raise RowProblem(f"expected a year, got '{row.get('year')[:40]}'", "year")
    level = LEVELS.get(whole(row.get("intensity_level"), "intensity_level"))
    if level is None:
        raise RowProblem(f"expected 1 (minor) or 2 (war), got '{row.get('intensity_level')[:40]}'", "intensity_level")
    day = date(year, 1, 1)
    if not row.get("gwno_a"):
        raise RowProblem("side A has no Gleditsch-Ward state number", "gwno_a")
    parties = ucdp.states(row.get("gwno_a"), "gwno_a", registrations, day)
    for code in _side_b(row, registrations, day):
        if code not in parties:
            parties.append(code)
    territory = [code for code in ucdp.states(row.get("gwno_loc"), "gwno_loc", registrations, day) if code in ISO_CODES]
    began = None
    if row.get("start_date"):
        try:
            began = read_date(row.get("start_date")).text
        except ValueError as e:
            raise RowProblem(str(e), "start_date") from None
    ended = None
    if row.get("ep_end") and whole(row.get("ep_end"), "ep_end") == 1:
        ended = str(year)
        if row.get("ep_end_date"):
            try:
                ended = read_date(row.get("ep_end_date")).text
            except ValueError as e:
                raise RowProblem(str(e), "ep_end_date") from None
    return _Year(row, conflict_id, year, level, parties, territory, began, ended)


def _side_b(row: Row, registrations: Registrations, day: date) -> list[str]:
    """Side B: states by their numbers (interstate conflicts), else the groups of ``side_b_id``."""
    if row.get("gwno_b"):
        return ucdp.states(row.get("gwno_b"), "gwno_b", registrations, day)
    ids = [i for i in row.get("side_b_id").split(",") if i.strip()]
    if not ids:
        raise RowProblem("side B has neither a state number (gwno_b) nor an actor id", "side_b_id")
    names = ucdp.split_names(row.get("side_b"), len(ids)) or [""] * len(ids)
    return [ucdp.group(i, name, "side_b_id", registrations, day) for i, name in zip(ids, names, strict=True)]


def _register(conflict_id: str, conflict: _Conflict, world: World, release: str | None, out: Plan) -> str:
    """The conflict's id, planning its registration (or the correction of a bare one)."""
    external = f"{ucdp.SCHEME}:{conflict_id}"
    slug = slugify(f"{ucdp.SCHEME}-{conflict_id}")
    known = world.conflicts_by_external_id.get(external)
    if known and known != slug:
        out.notes.append(
            f"conflict {conflict_id} is registered as '{known}' (external id {external}); "
            "its registration is left as it is"
        )
        return known
    first = conflict.years[0]
    parties: list[str] = []
    territory: list[str] = []
    for year in conflict.years:
        parties += [code for code in year.parties if code not in parties]
        territory += [code for code in year.territory if code not in territory]
    row = first.row
    name = f"{row.get('location')}: {row.get('side_b')}"
    if row.get("territory_name"):
        name += f" ({row.get('territory_name')})"
    data: dict[str, Any] = {"conflict": slug, "name": clip(name, 200)}
    region = _region(row.get("region"))
    if region:
        data["region"] = region
    data["parties"] = parties
    data["external_ids"] = [external]
    if territory:
        data["territory"] = territory
    if first.began:
        data["began"] = first.began
    origin: dict[str, Any] = {"dataset": DATASET, "row_id": conflict_id}
    if release or row.get("version"):
        origin["release"] = release or row.get("version")
    raw = {
        "type": "ConflictRegistered",
        "occurred": first.began or str(first.year),
        "conflicts": [],
        "actors": [],
        "sources": [{"name": f"{NAME}, conflict {conflict_id}"}],
        "summary": f"The armed conflict {conflict_id} of UCDP/PRIO ({clip(name, 200)}) is registered.",
        "data": data,
        "origin": origin,
    }
    planned = Planned(f"{ucdp.SCHEME}:conflict:{conflict_id}", raw, conflict_id, row.line)
    if slug in world.conflicts:  # registered bare by a GED or PA import: compared, and corrected when it differs
        out.developments.append(planned)
    else:
        out.registrations.append(planned)
    return slug


def _region(cell: str) -> str | None:
    """``'1, 3'`` → ``Europe, Asia``; a region the codebook does not list is kept as written."""
    names = []
    for part in cell.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            names.append(REGIONS.get(int(float(part)), part))
        except ValueError:
            names.append(part)
    return clip(", ".join(names), 200) if names else None


def _year_developments(year: _Year, slug: str, release: str | None, out: Plan) -> None:
    row = year.row
    row_id = f"{year.conflict_id}-{year.year}"
    release = release or row.get("version") or None
    origin: dict[str, Any] = {"dataset": DATASET, "row_id": row_id}
    if release:
        origin["release"] = release
    sources = [{"name": f"{NAME}, conflict {year.conflict_id}, {year.year}"}]
    dyad = f"{row.get('side_a')} against {row.get('side_b')}"
    deaths = "1,000 or more" if year.level == "war" else "25 to 999"
    issue = INCOMPATIBILITIES.get(_int_or_none(row.get("incompatibility")) or 0)
    over = f" over {issue}" if issue else ""
    intensity = {
        "type": "IntensityAssessed",
        "occurred": str(year.year),
        "conflicts": [slug],
        "actors": year.parties,
        "sources": sources,
        "summary": clip(
            f"In {year.year} the conflict in {row.get('location')} ({dyad}{over}) was a "
            f"{'war' if year.level == 'war' else 'minor conflict'}: {deaths} battle-related deaths (UCDP/PRIO).",
            1000,
        ),
        "data": {"period": str(year.year), "level": year.level, "source": NAME},
        "origin": origin,
    }
    key = f"{DATASET}:{year.conflict_id}:{year.year}"
    out.developments.append(Planned(key, intensity, row_id, row.line))
    if year.ended is None:
        reason = f"{NAME} no longer ends the episode in {year.year}"
        out.withdrawn.append(Withdrawn(f"{key}:ended", row_id, row.line, reason))
        return
    ended = {
        "type": "ConflictEnded",
        "occurred": year.ended,
        "conflicts": [slug],
        "actors": year.parties,
        "sources": sources,
        "summary": clip(
            f"The episode of the conflict in {row.get('location')} ({dyad}) ended in {year.year}: "
            "the next year saw fewer than 25 battle-related deaths (UCDP/PRIO).",
            1000,
        ),
        "data": {"reason": f"the episode ended ({NAME}, ep_end = 1)"},
        "origin": origin,
    }
    out.developments.append(Planned(f"{key}:ended", ended, row_id, row.line))


def _int_or_none(cell: str) -> int | None:
    try:
        return int(float(cell))
    except ValueError:
        return None
