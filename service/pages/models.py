"""What the pages show, gathered from the read side in-process.

Each function answers one page: it asks the query objects (``runtime().queries``),
the log (``GET /v1/events/{id}``'s ``log.get``) or, for the audit replay and diff,
the service's own REST API through an in-process request, and returns plain values
shaped for a template.  No projection is computed here: the page shows what the
API would answer, arranged for people (newest first, evidence next to each fact,
dates placed on a chart).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from events.log.development import RecordedDevelopment
from events.vocabulary.errors import DevelopmentNotFound
from events.vocabulary.occurred import stored_occurred
from projections.ceasefires import is_fighting
from projections.finding import SORTS, STATUSES, Search, find, regions
from projections.queries import Queries, ScopeNotFound, today
from service.api.schemas.events import DevelopmentSchema
from service.pages import charts
from service.runtime import runtime

TIMELINE_PAGE = 1000
TIMELINE_MAX = 5000  # developments drawn on one chart
BAND_SAMPLES = 100  # as-of answers asked to draw the ceasefire bands
LISTED = 100  # developments listed under the chart, newest first
RECENT = 12  # developments listed under "incoming" before the live feed adds more
DEFAULT_WINDOW = 365  # days a conflict's chart shows before its end, unless asked for all
HISTORY_SHOWN = 10  # earlier ceasefires listed with their evidence, newest first (the API answer has them all)
_DEVELOPMENT = DevelopmentSchema()


# -- evidence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The developments behind a fact, as people read them (newest first, as the API lists them)."""

    items: list[dict[str, Any]]
    total: int
    capped: bool


class Developments:
    """Developments by id, from a timeline already fetched, else from the log (``GET /v1/events/{id}``)."""

    def __init__(self, known: Iterable[dict[str, Any]] = ()) -> None:
        self._by_id: dict[str, dict[str, Any]] = {str(d["id"]): d for d in known}

    def get(self, ident: str) -> dict[str, Any] | None:
        ident = str(ident)
        if ident not in self._by_id:
            try:
                self._by_id[ident] = development_answer(runtime().read_log.get(ident))
            except DevelopmentNotFound:
                return None
        return self._by_id[ident]

    def evidence(self, cited: dict[str, Any] | list[str] | None) -> Evidence:
        """``{ids, total, capped}`` (or a plain list of ids) as the developments themselves."""
        if cited is None:
            return Evidence([], 0, False)
        ids = cited if isinstance(cited, list) else cited["ids"]
        total = len(ids) if isinstance(cited, list) else cited["total"]
        capped = False if isinstance(cited, list) else cited["capped"]
        found = [d for d in (self.get(i) for i in ids) if d is not None]
        return Evidence(found, total, capped)

    def cite(self, fact: dict[str, Any]) -> dict[str, Any]:
        """The fact with its ``evidence`` replaced by the developments behind it."""
        return {**fact, "evidence": self.evidence(fact.get("evidence"))}


def development_answer(development: RecordedDevelopment) -> dict[str, Any]:
    """A development as ``GET /v1/events/{id}`` gives it."""
    answer: dict[str, Any] = _DEVELOPMENT.dump(development)
    return answer


def latest_day(occurred: str | None) -> date | None:
    """The last day a stored EDTF value allows (clamped into the service's range), or None."""
    return stored_occurred(occurred).latest if occurred else None


def _span_of(occurred: str) -> tuple[date, date]:
    parsed = stored_occurred(occurred)
    return parsed.earliest, parsed.latest


# -- overview ---------------------------------------------------------------------------


def overview(search: Search) -> dict[str, Any]:
    """The conflicts ``search`` finds (newest development first unless it sorts), every agenda, the latest developments.

    The rows are the list's items as ``GET /v1/conflicts`` answers them, nothing asked per
    conflict, so the page costs one read however many conflicts there are.
    """
    queries = runtime().queries
    every = queries.conflicts()["items"]
    rows = find(every, search if search.sort else Search(search.q, search.statuses, search.region, "latest"))
    agendas = sorted(queries.agendas()["items"], key=lambda a: latest_day(a["last_contact"]) or date.min, reverse=True)
    log = runtime().read_log
    head = log.head()
    recent = [development_answer(d) for d in log.read(after=max(0, head - RECENT), limit=RECENT)]
    return {
        "conflicts": rows,
        "total": len(every),
        "search": search,
        "regions": regions(every),
        "csv_href": "/v1/conflicts?" + urlencode([("format", "csv"), *_search_pairs(search)]),
        "statuses": STATUSES,
        "sorts": SORTS,
        "agendas": agendas,
        "recent": list(reversed(recent)),
        "head": head,
    }


def _search_pairs(search: Search) -> list[tuple[str, str]]:
    pairs = [("q", search.q)] if search.q else []
    pairs += [("status", s) for s in search.statuses]
    pairs += [("region", search.region)] if search.region else []
    return pairs + ([("sort", search.sort)] if search.sort else [])


# -- a conflict -------------------------------------------------------------------------


def timeline(queries: Queries, conflict: str, as_of: date | None, known_at: int | None) -> tuple[list[Any], bool]:
    """Up to ``TIMELINE_MAX`` developments of the conflict in world order, and whether there were more."""
    items: list[dict[str, Any]] = []
    cursor = None
    while len(items) < TIMELINE_MAX:
        page = queries.timeline(conflict, after=cursor, limit=TIMELINE_PAGE, as_of=as_of, known_at=known_at)
        items.extend(page["items"])
        if page["next_after"] is None:
            return items, False
        day, _, position = page["next_after"].rpartition("_")
        cursor = (day, int(position))
    return items, True


def _next_day(queries: Queries, conflict: str, after: date, known_at: int | None) -> date | None:
    """The first day after ``after`` on which a development of the conflict counts."""
    page = queries.timeline(conflict, after=(after.isoformat(), 2**62), limit=1, known_at=known_at)
    return date.fromisoformat(page["items"][0]["occurred_latest"]) if page["items"] else None


def ceasefire_bands(
    queries: Queries, conflict: str, days: list[date], end: date, known_at: int | None
) -> tuple[list[charts.Band], bool]:
    """The ceasefire status between the days developments count, asked of the read side as of each day.

    The status can change only on a day a development starts to count, so asking
    the conflict's status as of each such day draws it exactly; past
    ``BAND_SAMPLES`` days, evenly chosen days are asked (and the bands are approximate).
    """
    distinct = sorted(set(days))
    approximate = len(distinct) > BAND_SAMPLES
    if approximate:
        step = len(distinct) / BAND_SAMPLES
        distinct = [distinct[int(i * step)] for i in range(BAND_SAMPLES)]
    bands: list[charts.Band] = []
    for i, day in enumerate(distinct):
        try:
            status = queries.conflict(conflict, day, known_at)["ceasefire"]["status"]
        except ScopeNotFound:
            status = "none"
        until = distinct[i + 1] if i + 1 < len(distinct) else end
        if bands and bands[-1].kind == status:
            bands[-1] = charts.Band(bands[-1].start, until, bands[-1].label, status)
        else:
            bands.append(charts.Band(day, until, "no ceasefire" if status == "none" else f"ceasefire {status}", status))
    return bands, approximate


def deaths(items: list[dict[str, Any]]) -> list[charts.Bar]:
    """Bars for every report of fighting that gives deaths (best estimate, else high, else low).

    Fighting during a ceasefire is fighting too: its deaths are drawn whatever the ceasefire's status.
    """
    bars = []
    for item in items:
        reported = (item["data"] or {}).get("deaths") if is_fighting(item["type"]) else None
        if not reported:
            continue
        value = next((reported[k] for k in ("best", "high", "low") if reported.get(k) is not None), None)
        if value is None:
            continue
        day = date.fromisoformat(item["occurred_latest"])
        label = f"{value:,} deaths reported ({item['occurred']}): {item['summary']}"
        bars.append(charts.Bar(day, int(value), label, f"/developments/{item['id']}"))
    return bars


def _mark(item: dict[str, Any]) -> charts.Mark:
    label = f"{item['occurred']} · {item['type']}: {item['summary']}"
    return charts.Mark(
        date.fromisoformat(item["occurred_earliest"]),
        date.fromisoformat(item["occurred_latest"]),
        label,
        f"/developments/{item['id']}",
        item["type"],
    )


def conflict_page(conflict: str, as_of: date | None, known_at: int | None, window: int | None) -> dict[str, Any]:
    """A conflict's status card with evidence, its timeline chart and the controls to travel in time."""
    queries = runtime().queries
    status = queries.conflict(conflict, as_of, known_at)
    at = status["computed_for"]["known_at"]
    items, truncated = timeline(queries, conflict, as_of, at)
    developments = Developments(items)
    asked = date.fromisoformat(status["computed_for"]["as_of"])
    days = [date.fromisoformat(i["occurred_latest"]) for i in items]
    start, end = charts.span(days, as_of, window)
    bands, approximate = ceasefire_bands(queries, conflict, [start, *(d for d in days if d >= start)], end, at)

    def zoom(first: date, last: date) -> str:
        """The conflict's page as of a period's last day, its chart showing that period's dots."""
        window_days = (last - first).days + 1
        query = {"as_of": last.isoformat(), "window": str(window_days), **({"known_at": str(at)} if known_at else {})}
        return f"/conflicts/{conflict}?{urlencode(query)}"

    lanes = [
        charts.Lane("Ceasefire", bands=bands),
        charts.Lane("Developments", marks=[_mark(i) for i in items], zoom=zoom),
    ]
    fighting = deaths(items)
    if fighting:
        lanes.append(charts.Lane("Deaths reported", bars=fighting))
    earlier = [d for d in days if d < asked]
    earlier_ceasefires = list(reversed(status["ceasefire"]["history"]))
    party_names = actor_names(status["parties"])
    shown = [i for i in reversed(items) if date.fromisoformat(i["occurred_latest"]) >= start]
    return {
        "status": status,
        "ceasefire": developments.cite(status["ceasefire"]),
        "ceasefire_history": [developments.cite(c) for c in earlier_ceasefires[:HISTORY_SHOWN]],
        "ceasefire_history_total": len(earlier_ceasefires),
        "summits": [developments.cite(s) for s in status["summits"]],
        "commitments": [developments.cite(c) for c in status["commitments"]],
        "frameworks": [developments.cite(f) for f in status["frameworks"]],
        "assessment": developments.cite(status["assessment"]) if status["assessment"] else None,
        "fighting": developments.cite(status["fighting"]),
        "timeline": shown[:LISTED],
        "in_span": len(shown),
        "truncated": truncated,
        "chart": charts.draw(lanes, start, end, as_of, f"as of {as_of.isoformat()}" if as_of else ""),
        "bands_approximate": approximate,
        "has_deaths": bool(fighting),
        "as_of": as_of,
        "known_at": known_at,
        "head": status["computed_for"]["head"],
        "at": at,
        "window": window,
        "window_param": None if window == DEFAULT_WINDOW else (window or "all"),
        "earlier": sum(1 for d in days if d < start),
        "previous_day": max(earlier) if earlier else None,
        "next_day": _next_day(queries, conflict, asked, at),
        "audit_href": audit_href(f"/audit/{conflict}", as_of, known_at, at),
        "parties": [named(p, party_names) for p in status["parties"]],
        "csv_query": urlencode(
            {
                "format": "csv",
                **({"as_of": as_of.isoformat()} if as_of else {}),
                **({"known_at": at} if known_at else {}),
            }
        ),
    }


def audit_href(path: str, as_of: date | None, known_at: int | None, at: int) -> str:
    """The audit page of what a page shows: its diff ends on the asked date (and position) and starts a day earlier."""
    if as_of is None and known_at is None:
        return path
    day = as_of or today()
    pinned = f"@{at}" if known_at is not None else ""
    return path + "?" + urlencode({"from": f"{day - timedelta(days=1)}{pinned}", "to": f"{day}{pinned}"})


# -- an agenda --------------------------------------------------------------------------


def agenda_page(a: str, b: str, as_of: date | None, known_at: int | None) -> dict[str, Any]:
    """Two actors' agenda: topics, contacts, briefings and joint positions, with evidence and a timeline."""
    queries = runtime().queries
    agenda = queries.agenda(a, b, as_of, known_at)
    developments = Developments()
    topics = [developments.cite(t) for t in agenda["topics"]]
    contacts = [developments.cite(c) for c in agenda["contacts"]]
    briefings = [developments.cite(x) for x in agenda["briefings"]]
    joint = [developments.cite(p) for p in agenda["joint_positions"]]
    lanes = [
        charts.Lane("Contacts", marks=_marks_of(contacts, "contact")),
        charts.Lane("Briefings", marks=_marks_of(briefings, "briefing")),
        charts.Lane("Joint positions", marks=_marks_of(joint, "joint")),
        *(charts.Lane(f"Topic: {t['topic']}", marks=_marks_of([t], "topic")) for t in topics),
    ]
    days = [m.latest for lane in lanes for m in lane.marks]
    start, end = charts.span(days, as_of)
    return {
        "agenda": agenda,
        "topics": topics,
        "contacts": list(reversed(contacts)),
        "briefings": list(reversed(briefings)),
        "joint_positions": joint,
        "chart": charts.draw(lanes, start, end, as_of, f"as of {as_of.isoformat()}" if as_of else ""),
        "as_of": as_of,
        "known_at": known_at,
        "head": agenda["computed_for"]["head"],
        "at": agenda["computed_for"]["known_at"],
        "audit_href": audit_href(
            f"/audit/agendas/{agenda['parties'][0]}/{agenda['parties'][1]}",
            as_of,
            known_at,
            agenda["computed_for"]["known_at"],
        ),
    }


def _marks_of(facts: list[dict[str, Any]], kind: str) -> list[charts.Mark]:
    """One mark per development behind the facts (a topic raised twice gets two)."""
    marks = []
    for fact in facts:
        for development in fact["evidence"].items:
            earliest, latest = _span_of(development["occurred"])
            label = f"{development['occurred']} · {development['summary']}"
            marks.append(charts.Mark(earliest, latest, label, f"/developments/{development['id']}", kind))
    return marks


# -- one development --------------------------------------------------------------------


#: the fields of a development's data that name actors
ACTOR_FIELDS = ("by", "to", "parties", "participants", "third_parties", "represents", "raised_by", "proposed_by")


def development_page(ident: str) -> dict[str, Any]:
    """One development, as ``GET /v1/events/{id}`` gives it, with its data and actors written for people."""
    development = development_answer(runtime().read_log.get(ident))
    data = development["data"] or {}
    codes = [
        *development["actors"],
        *(p["represents"] for p in development.get("persons") or [] if p.get("represents")),
    ]
    for key in ACTOR_FIELDS:
        value = data.get(key)
        codes += value if isinstance(value, list) else [value] if isinstance(value, str) else []
    names = actor_names(codes)
    facts = [(key, readable(key, value, names)) for key, value in data.items()]
    return {"development": development, "names": names, "facts": facts}


def actor_names(codes: Iterable[str]) -> dict[str, str]:
    """The names registered (``ActorRegistered``) for these actor codes; codes never registered are left out."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    log = runtime().read_log
    positions = [row["position"] for row in log.store.registry_rows("actor", wanted)]
    return {d.data["actor"]: d.data["name"] for d in log.developments(positions) if d.type == "ActorRegistered"}


def named(code: str, names: dict[str, str]) -> str:
    """An actor code as ``Name (CODE)`` when a name is registered for it, else the code."""
    return f"{names[code]} ({code})" if code in names else code


def readable(key: str, value: Any, names: dict[str, str]) -> Any:
    """A value of a development's data for people: deaths as numbers in words, actors by name, the rest as is."""
    if key == "deaths" and isinstance(value, dict) and "best" in value:
        return f"{value['best']:,} (low {value.get('low', value['best']):,}, high {value.get('high', value['best']):,})"
    if key in ACTOR_FIELDS and isinstance(value, str):
        return named(value, names)
    if key in ACTOR_FIELDS and isinstance(value, list):
        return [named(v, names) if isinstance(v, str) else v for v in value]
    return value


# -- audit ------------------------------------------------------------------------------
