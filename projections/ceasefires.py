"""Ceasefires and fighting in a conflict's fold: what the reports mean, computed as of the asked date.

The log holds facts: a ceasefire was called or agreed; fighting was reported
(with its deaths and place); a source said in so many words that a ceasefire was
broken.  Meaning is computed here, in world order, so the same developments give
the same answer whatever order they were recorded or imported in:

- the ceasefire *in force* on a date is the latest called or agreed on or before
  it; an earlier one is kept in ``history`` with ``until``, the day the next one
  replaced it;
- fighting dated after the day a ceasefire was called or agreed, up to the asked
  date (or up to the day the next one replaced it), is a violation of *that*
  ceasefire; fighting on the day a ceasefire began counts against the one before
  it, or none (it may have come before the agreement, and the answer must not
  depend on which was recorded first); each ceasefire counts its own violations
  and deaths;
- a ``CeasefireViolated`` counts as a violation of the ceasefire in force too;
  one that falls in no ceasefire's time (none recorded, or on the day one began)
  is kept apart: with no ceasefire recorded, the answer is ``violated`` without a
  known ``since``;
- the fighting of the last 30 days and the date of the latest fighting report
  (``last_report``) are kept for every conflict, ceasefire or not.

Of two ceasefires of the same day, the one in force is the agreed one (then the
larger id), so that the answer never depends on which was recorded first.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from projections.evidence import cite, empty, shown
from projections.items import Item

FIGHTING_WINDOW_DAYS = 30
#: data sets whose importer once recorded fighting as ``CeasefireViolated`` once a ceasefire was in the
#: log (before facts and meaning were separated): such developments are read as the fighting they are
FIGHTING_DATASETS = frozenset({"ucdp-ged"})
_RANK = {"called": 0, "agreed": 1}
NO_DEATHS = {"best": 0, "low": 0, "high": 0}

State = dict[str, Any]


def reads_as(content: dict[str, Any]) -> str:
    """The type a development counts as: its own, but for fighting an importer once recorded as a violation."""
    kind = str(content["type"])
    origin = content.get("origin") or {}
    if kind == "CeasefireViolated" and origin.get("dataset") in FIGHTING_DATASETS:
        return "FightingReported"
    return kind


def is_fighting(kind: str) -> bool:
    """Whether a development of this type (as read) reports fighting: deaths lanes and windows count it."""
    return kind in ("FightingReported", "CeasefireViolated")


def no_ceasefire() -> dict[str, Any]:
    return {
        "status": "none",
        "kind": None,
        "called_by": [],
        "basis": [],
        "parties": [],
        "since": None,
        "since_day": None,
        "effective": None,
        "dialogue_resumption": None,
        "violations": 0,
        "last_violation": None,
        "deaths": dict(NO_DEATHS),
        "ceasefire_id": None,
        "evidence": empty(),
    }


def called(state: State, item: Item, data: dict[str, Any]) -> None:
    """A ceasefire called (by outside actors, or unilaterally): in force from its day, until replaced."""
    _replace(
        state,
        item,
        "called",
        called_by=list(data["called_by"]),
        basis=list(data.get("basis") or ()),
        dialogue_resumption=data.get("dialogue_resumption"),
    )


def agreed(state: State, item: Item, data: dict[str, Any]) -> None:
    """A ceasefire agreed by its parties: in force from the day of the agreement, until replaced."""
    _replace(state, item, "agreed", parties=list(data["parties"]), effective=data.get("effective"))


def _replace(state: State, item: Item, kind: str, **fields: Any) -> None:
    new = no_ceasefire()
    new.update(
        status=kind,
        kind=kind,
        since=item.content["occurred"],
        since_day=item.latest.isoformat(),
        ceasefire_id=item.id,
        **fields,
    )
    cite(new["evidence"], item.evidence, item.latest.isoformat())
    current = state["ceasefire"]
    if current["kind"] is not None and _outranks(current, new):
        state["ceasefire_history"].append(_ended(new, new["since_day"]))  # replaced the same day it began
        return
    if current["kind"] is not None:
        state["ceasefire_history"].append(_ended(current, new["since_day"]))
    state["ceasefire"] = new


def _outranks(current: dict[str, Any], new: dict[str, Any]) -> bool:
    """Of two ceasefires of one day, the agreed one (then the larger id) is in force."""
    if current["since_day"] != new["since_day"]:
        return False
    return (_RANK[current["kind"]], current["ceasefire_id"]) > (_RANK[new["kind"]], new["ceasefire_id"])


def _ended(ceasefire: dict[str, Any], until: str) -> dict[str, Any]:
    return {**ceasefire, "until": until}


def fighting(state: State, item: Item, kind: str) -> None:
    """Fighting reported (or a ceasefire said to be broken): the window, the last report, and violations."""
    day = item.latest.isoformat()
    deaths = item.content["data"].get("deaths")
    state["fighting"].append({"date": day, "id": item.id, "deaths": deaths})
    state["last_fighting"] = day
    ceasefire = _in_force_on(state, day)
    if ceasefire is not None:
        _violated(ceasefire, item, deaths)
    elif kind == "CeasefireViolated":  # said broken, but in no recorded ceasefire's time
        _violated(state["unattributed"], item, deaths)


def _in_force_on(state: State, day: str) -> dict[str, Any] | None:
    """The ceasefire whose time in force, after its day and up to the day it was replaced, holds ``day``.

    On the day a ceasefire began, the one it replaced was still in force: so
    fighting of that day counts against the earlier one, whichever of the two
    developments was recorded first.
    """
    current: dict[str, Any] = state["ceasefire"]
    if current["kind"] is None:
        return None
    if day > current["since_day"]:
        return current
    history: list[dict[str, Any]] = state["ceasefire_history"]
    for earlier in reversed(history):
        until: str = earlier["until"]
        if until < day:
            break
        if until == day and str(earlier["since_day"]) < day:
            return cast(dict[str, Any], earlier)
    return None


def _violated(ceasefire: dict[str, Any], item: Item, deaths: dict[str, int] | None) -> None:
    ceasefire["status"] = "violated"
    ceasefire["violations"] += 1
    ceasefire["last_violation"] = item.latest.isoformat()  # the day it had certainly happened by
    for key in NO_DEATHS:
        ceasefire["deaths"][key] += (deaths or {}).get(key, 0)
    cite(ceasefire["evidence"], item.evidence, item.latest.isoformat())


def prune(state: State, day: date) -> None:
    """Drop reports that no date on or after ``day`` can count (older than the window)."""
    oldest = (day - timedelta(days=FIGHTING_WINDOW_DAYS - 1)).isoformat()
    if state["fighting"] and state["fighting"][0]["date"] < oldest:
        state["fighting"] = [r for r in state["fighting"] if r["date"] >= oldest]


def render_ceasefire(state: State) -> dict[str, Any]:
    """The ceasefire in force, with the earlier ones (oldest first) in ``history``."""
    current = state["ceasefire"]
    if current["kind"] is None and state["unattributed"]["violations"]:
        current = state["unattributed"]
    answer = _ceasefire_answer(current)
    history = sorted(
        state["ceasefire_history"], key=lambda c: (c["since_day"] or "", c["until"], c["ceasefire_id"] or "")
    )
    answer["history"] = [{**_ceasefire_answer(c), "until": c["until"]} for c in history]
    return answer


def _ceasefire_answer(ceasefire: dict[str, Any]) -> dict[str, Any]:
    hidden = ("since_day", "ceasefire_id")
    answer = {k: v for k, v in ceasefire.items() if k not in hidden and k != "until"}
    answer["evidence"] = shown(ceasefire["evidence"])
    return answer


def render_fighting(state: State, as_of: date) -> dict[str, Any]:
    """Reports and deaths of the 30 days up to ``as_of`` (inclusive), and the latest report's date."""
    start = as_of - timedelta(days=FIGHTING_WINDOW_DAYS - 1)
    window = [r for r in state["fighting"] if start.isoformat() <= r["date"] <= as_of.isoformat()]
    deaths = dict(NO_DEATHS)
    for report in window:
        for key in deaths:
            deaths[key] += (report["deaths"] or {}).get(key, 0)
    evidence = empty()
    for report in window:
        cite(evidence, [report["id"]], report["date"])
    return {
        "from": start.isoformat(),
        "to": as_of.isoformat(),
        "reports": len(window),
        "deaths": deaths,
        "last_report": state["last_fighting"],
        "evidence": shown(evidence),
    }
