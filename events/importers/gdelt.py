"""GDELT 1.0 and 2.0 event exports, read into developments that carry signal, not noise.

Each row is read in its layout (``gdelt_layouts``), filtered by the stated rules
(``gdelt_filters``: CAMEO roots PLOVER dropped, noise, places outside every
registered conflict's ``territory``), and placed in the conflicts whose
territory holds its ActionGeo country and whose parties its actors fit.  Rows of
the same article (``SOURCEURL``, or the row's own id where there is none) and
the same CAMEO root are one development, keeping every row in
``origin.mentions``; its type is PLOVER's closest (``plover_types``), through the
CAMEO-to-PLOVER table that ships with the service, and its summary a sentence
(``gdelt_summaries``).  The report's notes count the rows of each rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from events.importers.cameo_plover import CameoTable, PloverCode, lookup
from events.importers.gdelt_codes import describe, shipped_cameo_table
from events.importers.gdelt_filters import ConflictScope, Counts, Filtered, check_actors, country_of, place, place_of
from events.importers.gdelt_layouts import LAYOUTS, GdeltRow, layout_of, read_row
from events.importers.gdelt_summaries import summary
from events.importers.outcome import ImportOptions
from events.importers.plan import ImportProblem, Plan, Planned, RowProblem, World, clip
from events.importers.plover_types import Coded, closest_type
from events.importers.tables import decode, read_headerless

#: CAMEO roots PLOVER dropped on purpose: absent from the CAMEO-to-PLOVER table
DROPPED_BY_PLOVER = {"01": "make public statement", "02": "appeal"}


@dataclass(frozen=True, slots=True)
class Accepted:
    """A row that passed every rule: its PLOVER code and the conflicts it belongs to."""

    row: GdeltRow
    entry: PloverCode
    conflicts: list[str]


def plan(data: bytes, world: World, options: ImportOptions) -> Plan:
    """Map a GDELT event export to planned developments; see the module's docstring."""
    text, notes = decode(data)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportProblem("the file is empty")
    layout = layout_of(next(line for line in text.splitlines() if line.strip()))
    scopes = _scopes(world, options.conflict)
    table = options.cameo_table or shipped_cameo_table()
    dataset = options.dataset or "gdelt"
    out = Plan(dataset, notes=[*notes, f"read as {layout} ({len(LAYOUTS[layout])} columns)"])
    counts = Counts()
    groups: dict[tuple[str, str], list[Accepted]] = {}
    for line, cells in read_headerless(text, LAYOUTS[layout]).rows:
        out.rows_read += 1
        try:
            row = read_row(cells, line, layout)
            accepted = _accept(row, table, scopes)
        except Filtered as e:
            counts.add(e.rule)
            continue
        except RowProblem as e:
            out.reject(e.message, (cells[0].strip() or None) if cells else None, line, e.column)
            continue
        groups.setdefault((_article(row), row.root_code), []).append(accepted)
    for (article, root), rows in groups.items():
        out.developments.append(_development(f"{dataset}:{article}:{root}", rows, dataset, options.release))
    out.notes += counts.notes()
    return out


def _scopes(world: World, conflict: str | None) -> list[ConflictScope]:
    """The conflicts rows may be placed in: ``conflict`` alone when given, else every one with a territory."""
    if conflict is not None:
        if conflict not in world.conflicts:
            raise ImportProblem(f"unknown conflict '{conflict}': register it before importing events into it")
        if not world.territory.get(conflict):
            raise ImportProblem(
                f"conflict '{conflict}' has no territory: GDELT rows are placed by where they happened, "
                "so register the conflict with its territory (ISO 3166-1 alpha-3 codes) first"
            )
        names = [conflict]
    else:
        names = sorted(c for c in world.conflicts if world.territory.get(c))
        if not names:
            raise ImportProblem(
                "no registered conflict has a territory: GDELT rows are placed in the conflicts whose territory "
                "(ISO 3166-1 alpha-3 codes) holds the place of the event; register one with its territory first"
            )
    return [
        ConflictScope(name, frozenset(world.territory[name]), frozenset(world.parties.get(name, []))) for name in names
    ]


def _accept(row: GdeltRow, table: CameoTable, scopes: list[ConflictScope]) -> Accepted:
    """The row's PLOVER code and conflicts, or ``Filtered`` with the first rule that filters it out."""
    entry = lookup(table, row.code)
    if entry is None:
        if row.code[:2] in DROPPED_BY_PLOVER:
            raise Filtered("dropped-by-plover")
        raise RowProblem(f"CAMEO {row.code} is no code of the CAMEO-to-PLOVER table", "EventCode")
    try:
        closest_type(_coded(row, entry, "", []), _states(row)[0], _states(row)[1])
    except RowProblem:
        raise Filtered("no-development-type") from None
    check_actors(row, consult=entry.event == "CONSULT" or row.code == "036")
    place_of(row)
    return Accepted(row, entry, place(row, scopes))


def _states(row: GdeltRow) -> tuple[list[str], list[str]]:
    """The states among the row's source and target actors (ISO alpha-3)."""
    sources = [c for c in [country_of(row.actor1)] if c]
    targets = [c for c in [country_of(row.actor2)] if c and c not in sources]
    return sources, targets


def _article(row: GdeltRow) -> str:
    """The article a row comes from: a digest of its URL, or the row's own id where it has none."""
    if row.url:
        return "url-" + hashlib.sha256(row.url.encode("utf-8")).hexdigest()[:20]
    return f"event-{row.event_id}"


def _coded(row: GdeltRow, entry: PloverCode, text: str, attribution: list[dict[str, Any]]) -> Coded:
    return Coded(
        row_id=row.event_id,
        line=row.line,
        day=row.day,
        event=entry.event,
        mode=entry.mode,
        contexts=list(entry.contexts),
        sources=[(row.actor1.country, row.actor1.name)] if row.actor1.country else [],
        targets=[(row.actor2.country, row.actor2.name)] if row.actor2.country else [],
        text=text,
        attribution=attribution,
        cameo=row.code,
        location=row.place or None,
        label=describe(row.code) or "",
    )


def _development(key: str, rows: list[Accepted], dataset: str, release: str | None) -> Planned:
    """One development for the rows of one article and CAMEO root; the most reported root event speaks for them."""
    first = min(rows, key=lambda a: (not a.row.is_root, -a.row.articles, -a.row.mentions, int(a.row.event_id)))
    row = first.row
    articles = max(a.row.articles for a in rows) or 1
    text = summary(row, articles)
    sources, targets = _states(row)
    kind, data = closest_type(_coded(row, first.entry, text, [_attribution(row)]), sources, targets)
    if kind == "FightingReported":
        data["place"] = _place(row)
    days = sorted({a.row.day for a in rows})
    mentions = {a.row.event_id: _mention(a.row) for a in rows}
    origin: dict[str, Any] = {
        "dataset": dataset,
        "row_id": row.event_id,
        "codes": _codes(row),
        "mentions": [mentions[i] for i in sorted(mentions, key=int)],
    }
    if release:
        origin["release"] = clip(release, 40)
    raw = {
        "type": kind,
        "occurred": days[0] if len(days) == 1 else f"{days[0]}/{days[-1]}",
        "conflicts": sorted({c for a in rows for c in a.conflicts}),
        "actors": [*sources, *targets],
        "sources": [_attribution(row)],
        "summary": clip(text, 1000),
        "data": data,
        "origin": origin,
    }
    return Planned(key, raw, row.event_id, row.line)


def _attribution(row: GdeltRow) -> dict[str, Any]:
    url = row.url
    if url.startswith(("http://", "https://")) and len(url) <= 2000 and " " not in url:
        return {"name": clip(urlsplit(url).netloc or "news report", 300), "url": url}
    return {"name": "GDELT event record"}


def _place(row: GdeltRow) -> dict[str, Any]:
    out: dict[str, Any] = {"country": place_of(row)}
    if row.place:
        out["name"] = clip(row.place, 200)
    if row.lat is not None and row.lon is not None and -90 <= row.lat <= 90 and -180 <= row.lon <= 180:
        out["lat"], out["lon"] = row.lat, row.lon
    return out


def _codes(row: GdeltRow) -> dict[str, Any]:
    """The upstream codes the import interpreted, by GDELT's names."""
    codes: dict[str, Any] = {
        "EventCode": row.code,
        "EventRootCode": row.root_code,
        "ActionGeo_CountryCode": row.fips,
        "IsRootEvent": row.is_root,
    }
    for name, value in (("QuadClass", row.quad_class), ("GoldsteinScale", row.goldstein)):
        if value is not None:
            codes[name] = value
    for name, actor in (("Actor1Code", row.actor1.code), ("Actor2Code", row.actor2.code)):
        if actor:
            codes[name] = clip(actor, 100)
    return codes


def _mention(row: GdeltRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.event_id,
        "date": row.day,
        "event_code": row.code,
        "root": row.is_root,
        "mentions": row.mentions,
        "sources": row.sources,
        "articles": row.articles,
    }
    if row.tone is not None and -100 <= row.tone <= 100:
        out["tone"] = row.tone
    if row.goldstein is not None and -10 <= row.goldstein <= 10:
        out["goldstein"] = row.goldstein
    if row.quad_class is not None and row.quad_class <= 4:
        out["quad_class"] = row.quad_class
    return out
