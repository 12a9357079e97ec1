"""ACLED's CSV export → ``FightingReported``, agreements and ceasefires; ACLED's deletions → retractions.

Columns are those of ACLED's public codebook, found by name in any order
(``event_id_cnty``, ``event_date``, ``event_type``, ``sub_event_type``,
``actor1``, ``actor2``, ``inter1``, ``inter2``, ``civilian_targeting``, ``iso``,
``country``, ``admin1``, ``admin2``, ``location``, ``latitude``, ``longitude``,
``geo_precision``, ``source``, ``notes``, ``fatalities``, ``timestamp``, ...).

- Battles, Explosions/Remote violence and Violence against civilians become
  ``FightingReported`` with the deaths of ``fatalities``, the ``place`` and
  UCDP's type of ``violence`` (against civilians: one-sided; with state forces
  on a side: state-based; else non-state).
- Strategic developments of the sub-event type ``Agreement`` become a
  ``CeasefireAgreed`` when the notes speak of a ceasefire or truce and a state
  is a party, else an ``AgreementSigned``.  Other rows (protests, riots, other
  strategic developments) are skipped and counted in a note.
- A row is placed in the conflict given (``--conflict``), else in the one
  registered conflict whose ``territory`` holds the row's country (ACLED's
  numeric ``iso``, mapped with pycountry).
- ACLED's ``timestamp`` is the row's release (``origin.release``): a row with a
  newer timestamp and other content corrects the recorded one; an older one is
  not applied.  ACLED's list of deleted events (``event_id_cnty`` and the
  deletion's timestamp) retracts the developments of those events.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pycountry

from events.importers.dates import read_date
from events.importers.plan import ImportProblem, Plan, Planned, RowProblem, Withdrawn, World, clip, slugify
from events.importers.tables import Column, Row, Table
from events.importers.ucdp import count
from events.vocabulary.references import ISO_CODES

DATASET = "acled"
NAME = "ACLED (Armed Conflict Location & Event Data)"

COLUMNS = (
    Column("event_id_cnty", ("event_id",)),
    Column("event_date", ("date",)),
    Column("event_type"),
    Column("sub_event_type", required=False),
    Column("time_precision", required=False),
    Column("actor1", required=False),
    Column("inter1", required=False),
    Column("actor2", required=False),
    Column("inter2", required=False),
    Column("civilian_targeting", required=False),
    Column("iso", ("iso_code", "iso3"), required=False),
    Column("country", required=False),
    Column("admin1", required=False),
    Column("admin2", required=False),
    Column("location", required=False),
    Column("latitude", ("lat",), required=False),
    Column("longitude", ("lon", "lng"), required=False),
    Column("geo_precision", required=False),
    Column("source", required=False),
    Column("notes", required=False),
    Column("fatalities", required=False),
    Column("timestamp", required=False),
)
DELETION_COLUMNS = (
    Column("event_id_cnty", ("event_id",)),
    Column("deleted_timestamp", ("timestamp", "deletion_timestamp", "deleted_at"), required=False),
)

FIGHTING = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
STATE_FORCES = {"1", "1.0", "state forces"}
CEASEFIRE = re.compile(r"\b(cease-?fire|truce|armistice)\b", re.IGNORECASE)
FORCES_OF = re.compile(r"\b(?:Forces|Government) of (?:the )?(.+?)\s*(?:\(|$)")


def plan(
    table: Table,
    world: World,
    *,
    conflict: str | None = None,
    deletions: Table | None = None,
    release: str | None = None,
) -> Plan:
    """Map every row (and every deletion); a row that cannot be mapped is reported with its line and column."""
    if conflict is not None and conflict not in world.conflicts:
        raise ImportProblem(
            f"unknown conflict '{conflict}': register it first "
            f"(conflict-status conflict register {conflict} --name NAME --territory ISO)",
            [{"field": "conflict", "message": f"unknown conflict '{conflict}'"}],
        )
    out = Plan(DATASET, unit=table.unit, notes=list(table.notes))
    deleted = _deletions(deletions, out) if deletions is not None else set()
    skipped: Counter[str] = Counter()
    for row in table.resolve(COLUMNS):
        out.rows_read += 1
        row_id = row.get("event_id_cnty") or None
        try:
            if not row_id:
                raise RowProblem("the row has no event_id_cnty", "event_id_cnty")
            if row_id in deleted:
                skipped["deleted by ACLED"] += 1
                continue
            kind = _kind(row)
            if kind is None:
                skipped[f"{row.get('event_type')}/{row.get('sub_event_type')}".strip("/")] += 1
                continue
            out.developments.append(_development(row, row_id, kind, world, conflict, release))
        except RowProblem as e:
            out.reject(e.message, row_id, row.line, e.column)
    if skipped:
        counts = ", ".join(f"{what} {n}" for what, n in sorted(skipped.items()))
        out.notes.append(f"{sum(skipped.values())} row(s) skipped, not fighting or agreements (or deleted): {counts}")
    return out


def _deletions(table: Table, out: Plan) -> set[str]:
    """ACLED's deleted events, each planned as the retraction of its development."""
    deleted = set()
    for row in table.resolve(DELETION_COLUMNS):
        event = row.get("event_id_cnty")
        if not event:
            continue
        deleted.add(event)
        when = _when(row.get("deleted_timestamp"))
        reason = f"ACLED deleted event {event}{f' on {when}' if when else ''}"
        out.withdrawn.append(Withdrawn(f"{DATASET}:{event}", event, None, reason))
    return deleted


def _when(stamp: str) -> str | None:
    """A Unix timestamp as an ISO day (None when it is not one)."""
    try:
        return datetime.fromtimestamp(int(float(stamp)), UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return None


def _kind(row: Row) -> str | None:
    """The development type a row becomes, or None when it is skipped."""
    event_type = row.get("event_type")
    if event_type in FIGHTING:
        return "FightingReported"
    if row.get("sub_event_type") == "Agreement":
        return "Agreement"
    return None


def _development(row: Row, row_id: str, kind: str, world: World, conflict: str | None, release: str | None) -> Planned:
    occurred = _occurred(row)
    country = _country(row)
    conflicts = [conflict or _placed(country, world)]
    actors = []
    for name in (row.get("actor1"), row.get("actor2")):
        code = _state_of(name, row.get("country"), country)
        if code and code not in actors:
            actors.append(code)
    sides = " and ".join(n for n in (row.get("actor1"), row.get("actor2")) if n) or "unidentified actors"
    where = ", ".join(p for p in (row.get("location"), row.get("admin1"), row.get("country")) if p)
    notes = row.get("notes")
    origin: dict[str, Any] = {"dataset": DATASET, "row_id": row_id}
    stamp = row.get("timestamp")
    if stamp and not stamp.isdigit():
        raise RowProblem(f"expected a Unix timestamp, got '{stamp[:40]}'", "timestamp")
    if stamp or release:
        origin["release"] = stamp or release
    raw: dict[str, Any] = {
        "occurred": occurred,
        "conflicts": conflicts,
        "actors": actors,
        "sources": _sources(row, row_id),
        "origin": origin,
    }
    if kind == "FightingReported":
        deaths = count(row.get("fatalities") or "0", "fatalities")
        what = row.get("sub_event_type") or row.get("event_type")
        raw["type"] = "FightingReported"
        raw["summary"] = clip(
            f"{what} involving {sides}{f' in {where}' if where else ''}: {deaths} killed (ACLED event {row_id}).",
            1000,
        )
        description = f"{row.get('event_type')}: {what}, {sides}{f', {where}' if where else ''}."
        if notes:
            description += f" {notes}"
        data: dict[str, Any] = {
            "description": clip(description, 2000),
            "deaths": {"best": deaths, "low": deaths, "high": deaths},
            "violence": _violence(row),
        }
        if where:
            data["location"] = clip(where, 400)
        place = _place(row, country)
        if place:
            data["place"] = place
        raw["data"] = data
    elif CEASEFIRE.search(notes) and actors:
        raw["type"] = "CeasefireAgreed"
        raw["summary"] = clip(f"A ceasefire was agreed between {sides} (ACLED event {row_id}).", 1000)
        raw["data"] = {"parties": actors}
    else:
        raw["type"] = "AgreementSigned"
        raw["summary"] = clip(f"An agreement was reached between {sides} (ACLED event {row_id}).", 1000)
        agreement: dict[str, Any] = {
            "agreement": slugify(f"acled-{row_id}"),
            "name": clip(notes or f"Agreement between {sides}", 400),
            "parties": actors,
        }
        if CEASEFIRE.search(notes):
            agreement["provisions"] = ["ceasefire"]
        raw["data"] = agreement
    return Planned(f"{DATASET}:{row_id}", raw, row_id, row.line)


def _occurred(row: Row) -> str:
    """The event's date as EDTF: a day, an approximate day (``time_precision`` 2) or its month (3)."""
    cell = row.get("event_date")
    try:
        day = read_date(cell).text
    except ValueError:
        named = _named_month(cell)
        if named is None:
            raise RowProblem(
                f"'{cell[:40]}' is not a date ACLED writes (such as 2023-03-15 or 15 March 2023)", "event_date"
            ) from None
        day = named
    precision = row.get("time_precision")
    if precision in ("2", "2.0") and len(day) == 10:
        return f"{day}~"
    if precision in ("3", "3.0") and len(day) == 10:
        return day[:7]
    return day


def _named_month(cell: str) -> str | None:
    """A day written as ACLED's exports write it with the month's name (``03 November 2023``), or None."""
    for pattern in ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y"):
        try:
            return datetime.strptime(cell, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _country(row: Row) -> str | None:
    """The ISO alpha-3 code of ACLED's numeric ``iso`` (``804`` → UKR); an alpha-3 code is kept."""
    cell = row.get("iso")
    if not cell:
        return None
    if cell.isalpha() and cell.upper() in ISO_CODES:
        return cell.upper()
    try:
        number = int(float(cell))
    except ValueError:
        raise RowProblem(f"'{cell[:40]}' is not an ISO 3166 numeric code", "iso") from None
    found = pycountry.countries.get(numeric=f"{number:03d}")
    if found is None or found.alpha_3 not in ISO_CODES:
        raise RowProblem(f"{number} is not an ISO 3166 numeric country code", "iso")
    return str(found.alpha_3)


def _placed(country: str | None, world: World) -> str:
    """The one registered conflict whose territory holds ``country``."""
    if country is None:
        raise RowProblem("the row has no country (iso) to find its conflict by; give --conflict", "iso")
    found = sorted(c for c, territory in world.territory.items() if country in territory)
    if len(found) == 1:
        return found[0]
    if found:
        raise RowProblem(
            f"the conflicts {', '.join(found)} are all fought in {country}: give --conflict to choose one", "iso"
        )
    raise RowProblem(
        f"no registered conflict is fought in {country}: register one "
        f"(conflict-status conflict register SLUG --name NAME --territory {country}) or give --conflict",
        "iso",
    )


def _state_of(actor: str, row_country: str, row_code: str | None) -> str | None:
    """The state whose forces an actor is (``Military Forces of Ukraine (2019-)`` → UKR), else None."""
    match = FORCES_OF.search(actor)
    if not match:
        return None
    name = match[1].strip()
    if row_code and name == row_country:
        return row_code
    return _country_named(name)


@cache
def _country_named(name: str) -> str | None:
    try:
        code = str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        try:
            code = str(pycountry.countries.search_fuzzy(name)[0].alpha_3)
        except LookupError:
            return None
    return code if code in ISO_CODES else None


def _violence(row: Row) -> str:
    """UCDP's type of violence for an ACLED row."""
    if row.get("event_type") == "Violence against civilians" or row.get("civilian_targeting"):
        return "one-sided"
    if {row.get("inter1").lower(), row.get("inter2").lower()} & STATE_FORCES:
        return "state-based"
    return "non-state"


def _place(row: Row, country: str | None) -> dict[str, Any]:
    place: dict[str, Any] = {}
    if country:
        place["country"] = country
    for key, column in (("admin1", "admin1"), ("admin2", "admin2"), ("name", "location")):
        if row.get(column):
            place[key] = clip(row.get(column), 200)
    for key, column, limit in (("lat", "latitude", 90), ("lon", "longitude", 180)):
        if row.get(column):
            try:
                value = float(row.get(column))
            except ValueError:
                raise RowProblem(f"expected a number, got '{row.get(column)[:40]}'", column) from None
            if not -limit <= value <= limit:
                raise RowProblem(f"expected a number from -{limit} to {limit}, got {value}", column)
            place[key] = value
    if row.get("geo_precision"):
        place["precision"] = count(row.get("geo_precision"), "geo_precision")
    return place


def _sources(row: Row, row_id: str) -> list[dict[str, Any]]:
    """ACLED first, then the sources it names (semicolon-separated)."""
    sources: list[dict[str, Any]] = [{"name": f"ACLED, event {row_id}"}]
    for name in dict.fromkeys(s.strip() for s in row.get("source").split(";")):
        if name and len(sources) < 20:
            sources.append({"name": clip(name, 300)})
    return sources
