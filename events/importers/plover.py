"""PLOVER- and CAMEO-coded event rows, read into PLOVER events.

Two inputs: PLOVER JSON records (such as the PLOVER gold-standard records), whose
``event``/``mode``/``context`` are PLOVER already; and tab-separated CAMEO-coded
rows of the GDELT kind (with a header, or GDELT's own header-less layouts),
whose CAMEO ``EventCode`` is turned into PLOVER through the published
CAMEO-to-PLOVER table.  PLOVER draft 0.5 names are read as their 2021
successors (DEMAND → REQUEST, DISAPPROVE and INVESTIGATE → ACCUSE, FIGHT → ASSAULT).

Each event read is mapped to the closest development type by ``plover_types``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from events.importers.cameo_plover import CameoTable, PloverCode, lookup
from events.importers.dates import read_date
from events.importers.gdelt_layouts import LAYOUTS
from events.importers.plan import ImportProblem, Plan, RowProblem, World, clip
from events.importers.plover_types import Coded, plan_all
from events.importers.tables import Column, Table, decode, load_json, read_delimited, read_headerless

ALIASES_0_5 = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "FIGHT": "ASSAULT", "INVESTIGATE": "ACCUSE"}
#: GDELT's header-less layouts, by number of columns (57, 58, 61), as the gdelt importer reads them
GDELT_LAYOUTS = {len(columns): list(columns) for columns in LAYOUTS.values()}

CAMEO_COLUMNS = (
    Column("id", ("globaleventid", "event_id", "eid"), integer=True),
    Column("date", ("sqldate", "event_date", "story_date", "day"), integer=True),
    Column("code", ("eventcode", "cameo_code", "cameo", "event_code")),
    Column("source", ("actor1countrycode", "source_country", "source_code", "actor1code")),
    Column("target", ("actor2countrycode", "target_country", "target_code", "actor2code"), required=False),
    Column("source_name", ("actor1name", "source_actor"), required=False),
    Column("target_name", ("actor2name", "target_actor"), required=False),
    Column("url", ("sourceurl", "source_url"), required=False),
    Column("location", ("actiongeo_fullname", "event_location", "place"), required=False),
    Column("text", ("event_text", "sentence", "headline"), required=False),
)


def plan_json(data: bytes, world: World, *, dataset: str, conflict: str | None, release: str | None) -> Plan:
    """PLOVER JSON records (an array; ``DOCUMENT`` records are documentation and are skipped)."""
    text, notes = decode(data)
    records = load_json(text.lstrip("\ufeff"))
    if not isinstance(records, list):
        raise ImportProblem("PLOVER JSON is an array of event records")
    out = Plan(dataset, unit="record", notes=notes)
    documents = 0
    coded: list[Coded] = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict) and record.get("event") == "DOCUMENT":
            documents += 1
            continue
        out.rows_read += 1
        row_id = str(record.get("id") or "") if isinstance(record, dict) else ""
        try:
            if not isinstance(record, dict):
                raise RowProblem("the record is not a JSON object")
            coded.append(_from_record(record, number, release))
        except RowProblem as e:
            out.reject(e.message, row_id or None, number, e.column)
    if documents:
        out.notes.append(f"{documents} DOCUMENT record(s) are documentation, not events, and were skipped")
    plan_all(out, coded, world, dataset, conflict)
    return out


def plan_table(
    data: bytes, world: World, table_of_codes: CameoTable, *, dataset: str, conflict: str | None, release: str | None
) -> Plan:
    """Tab-separated CAMEO-coded rows (GDELT-like), with a header or in a GDELT layout."""
    text, notes = decode(data)
    table = _cameo_rows(text)
    out = Plan(dataset, notes=notes)
    coded: list[Coded] = []
    for row in table.resolve(CAMEO_COLUMNS):
        out.rows_read += 1
        row_id = row.get("id") or None
        try:
            if not row_id:
                raise RowProblem("the row has no id", "id")
            entry = lookup(table_of_codes, row.get("code"))
            if entry is None:
                raise RowProblem(
                    f"CAMEO {row.get('code') or '(none)'} has no PLOVER category in the CAMEO-to-PLOVER table"
                    " (CAMEO roots 01 and 02 were dropped from PLOVER)",
                    "code",
                )
            coded.append(_from_row(row.cells, row.line, row_id, entry, release))
        except RowProblem as e:
            out.reject(e.message, row_id, row.line, e.column)
    plan_all(out, coded, world, dataset, conflict)
    return out


def _cameo_rows(text: str) -> Table:
    first = text.lstrip("\ufeff").split("\n", 1)[0].split("\t")
    if first and first[0].strip().isdigit():  # GDELT files carry no header
        layout = GDELT_LAYOUTS.get(len(first))
        if layout is None:
            raise ImportProblem(
                f"the file has no header and {len(first)} columns, which is no GDELT layout "
                f"({', '.join(map(str, sorted(GDELT_LAYOUTS)))} columns); add a header row"
            )
        return read_headerless(text.lstrip("\ufeff"), layout)
    return read_delimited(text, "\t")


def _from_record(record: dict[str, Any], number: int, release: str | None) -> Coded:
    row_id = str(record.get("id") or "").strip()
    if not row_id:
        raise RowProblem("the record has no id", "id")
    event = str(record.get("event") or "").strip().upper()
    if not event:
        raise RowProblem("the record has no event", "event")
    event = ALIASES_0_5.get(event, event)
    mode = str(record.get("mode") or "").strip()
    contexts = [c.strip() for c in re.split(r"[,;]", str(record.get("context") or "")) if c.strip()]
    dead = record.get("dead")
    location = record.get("eventLoc")
    publication = str(record.get("publication") or "").strip()
    return Coded(
        row_id=row_id,
        line=number,
        day=_day(str(record.get("date") or ""), "date"),
        event=event,
        mode=mode,
        contexts=contexts,
        sources=_actors(record.get("source")),
        targets=_actors(record.get("target")),
        text=str(record.get("text") or record.get("eventText") or "").strip(),
        attribution=[{"name": clip(publication or "PLOVER event record", 300)}],
        release=release or (str(record["version"]) if record.get("version") else None),
        dead=_count(dead),
        location=str(location.get("name")) if isinstance(location, dict) and location.get("name") else None,
    )


def _from_row(cells: dict[str, str], line: int, row_id: str, entry: PloverCode, release: str | None) -> Coded:
    def cell(name: str) -> str:
        return cells.get(name, "").strip()

    source_name, target_name = cell("source_name"), cell("target_name")
    label = entry.label if entry.cameo == cell("code") else ""
    text = cell("text") or " ".join(
        p for p in (source_name or cell("source"), f"({label or 'CAMEO ' + cell('code')})", target_name) if p
    )
    url = cell("url")
    attribution: dict[str, Any] = {"name": "GDELT event record"}
    if url.startswith(("http://", "https://")) and len(url) <= 2000 and " " not in url:
        attribution = {"name": clip(urlsplit(url).netloc or "news report", 300), "url": url}
    return Coded(
        row_id=row_id,
        line=line,
        day=_day(cell("date"), "date"),
        event=entry.event,
        mode=entry.mode,
        contexts=list(entry.contexts),
        sources=[(cell("source"), source_name)] if cell("source") else [],
        targets=[(cell("target"), target_name)] if cell("target") else [],
        text=text,
        attribution=[attribution],
        release=release,
        cameo=cell("code"),
        location=cell("location") or None,
        label=label,
    )


def _day(cell: str, column: str) -> str:
    try:
        return read_date(cell).text
    except ValueError as e:
        raise RowProblem(str(e), column) from None


def _count(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _actors(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        return []
    return [
        (str(a.get("code") or "").strip(), str(a.get("actorText") or "").strip()) for a in value if isinstance(a, dict)
    ]
