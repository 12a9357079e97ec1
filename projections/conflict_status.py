"""The conflict status: a pure fold over a conflict's items in world-time order.

``apply(state, item)`` takes a state (a JSON-able dict, as stored) and returns
the state after one more development; ``render(state, as_of)`` turns it into the
answer for a date, computing what depends on the asked date (``overdue``, the
fighting of the last 30 days).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from events.vocabulary.occurred import parse_occurred
from projections.evidence import cite, empty, shown
from projections.items import Item, count

FIGHTING_WINDOW_DAYS = 30
FIGHTING_TYPES = ("FightingReported", "CeasefireViolated")

State = dict[str, Any]


def initial(conflict: str) -> State:
    return {
        "conflict": conflict,
        "name": None,
        "region": None,
        "parties": [],
        "external_ids": [],
        "registration": empty(),
        "ceasefire": {
            "status": "none",
            "called_by": [],
            "basis": [],
            "parties": [],
            "since": None,
            "effective": None,
            "dialogue_resumption": None,
            "violations": 0,
            "last_violation": None,
            "evidence": empty(),
        },
        "summits": {},
        "commitments": {},
        "frameworks": {},
        "assessment": None,
        "fighting": [],
        "last_development": None,
        "developments": 0,
        "last_key": None,
    }


def apply(state: State, item: Item) -> State:
    """The state after ``item`` (mutates and returns ``state``)."""
    handler = HANDLERS.get(item.type)
    if handler is not None:
        handler(state, item, item.content["data"])
    if item.type in FIGHTING_TYPES:
        _record_fighting(state, item)
    _prune_fighting(state, item.latest)
    count(state, item)
    return state


def _add_unique(target: list[str], values: Iterable[str]) -> None:
    for value in values:
        if value not in target:
            target.append(value)


def _registered(state: State, item: Item, data: dict[str, Any]) -> None:
    state["name"] = data["name"]
    state["region"] = data.get("region")
    _add_unique(state["parties"], data.get("parties") or ())
    _add_unique(state["external_ids"], data.get("external_ids") or ())
    cite(state["registration"], item.evidence)


def _ceasefire_called(state: State, item: Item, data: dict[str, Any]) -> None:
    ceasefire = state["ceasefire"]
    ceasefire.update(
        status="called",
        called_by=list(data["called_by"]),
        basis=list(data.get("basis") or ()),
        since=item.content["occurred"],
        dialogue_resumption=data.get("dialogue_resumption"),
    )
    cite(ceasefire["evidence"], item.evidence)


def _ceasefire_agreed(state: State, item: Item, data: dict[str, Any]) -> None:
    ceasefire = state["ceasefire"]
    ceasefire.update(
        status="agreed", parties=list(data["parties"]), since=item.content["occurred"], effective=data.get("effective")
    )
    _add_unique(state["parties"], data["parties"])
    cite(ceasefire["evidence"], item.evidence)


def _ceasefire_violated(state: State, item: Item, data: dict[str, Any]) -> None:
    ceasefire = state["ceasefire"]
    ceasefire["status"] = "violated"
    ceasefire["violations"] += 1
    ceasefire["last_violation"] = item.content["occurred"]
    cite(ceasefire["evidence"], item.evidence)


def _assessed(state: State, item: Item, data: dict[str, Any]) -> None:
    state["assessment"] = {
        "trend": data["trend"],
        "alert": data.get("alert"),
        "period": data["period"],
        "assessed": item.content["occurred"],
        "evidence": cite_new(item),
    }


def _summit(status: str) -> Callable[[State, Item, dict[str, Any]], None]:
    def handle(state: State, item: Item, data: dict[str, Any]) -> None:
        summit = state["summits"].setdefault(
            data["summit"],
            {
                "summit": data["summit"],
                "status": status,
                "date": None,
                "location": None,
                "format": None,
                "participants": [],
                "proposed_by": [],
                "in_principle": None,
                "reason": None,
                "evidence": empty(),
            },
        )
        summit["status"] = status
        for key in ("date", "location", "format", "in_principle", "reason"):
            if data.get(key) is not None:
                summit[key] = data[key]
        if status == "held" and summit["date"] is None:
            summit["date"] = item.content["occurred"]
        _add_unique(summit["participants"], data.get("participants") or ())
        _add_unique(summit["proposed_by"], data.get("proposed_by") or ())
        cite(summit["evidence"], item.evidence)

    return handle


def _commitment(state: State, data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = state["commitments"].setdefault(
        data["commitment"],
        {
            "commitment": data["commitment"],
            "status": "pending",
            "description": None,
            "parties": [],
            "due": None,
            "due_latest": None,
            "summit": None,
            "made": None,
            "resolved": None,
            "urged": [],
            "evidence": empty(),
        },
    )
    return found


def _commitment_made(state: State, item: Item, data: dict[str, Any]) -> None:
    commitment = _commitment(state, data)
    commitment.update(description=data["description"], summit=data.get("summit"), made=item.content["occurred"])
    if data.get("due"):
        commitment["due"] = data["due"]
        commitment["due_latest"] = parse_occurred(data["due"]).latest.isoformat()
    _add_unique(commitment["parties"], data["parties"])
    _add_unique(state["parties"], data["parties"])
    cite(commitment["evidence"], item.evidence)


def _commitment_resolved(status: str) -> Callable[[State, Item, dict[str, Any]], None]:
    def handle(state: State, item: Item, data: dict[str, Any]) -> None:
        commitment = _commitment(state, data)
        commitment["status"] = status
        commitment["resolved"] = item.content["occurred"]
        if status == "broken":
            commitment["breach"] = data["description"]
        cite(commitment["evidence"], item.evidence)

    return handle


def _urged(state: State, item: Item, data: dict[str, Any]) -> None:
    commitment = _commitment(state, data)
    commitment["urged"] = [*commitment["urged"], {"by": data["by"], "on": item.content["occurred"]}][-10:]
    cite(commitment["evidence"], item.evidence)


def _resolution(state: State, item: Item, data: dict[str, Any]) -> None:
    key = f"resolution:{data['body']}:{data['number']}"
    state["frameworks"][key] = {
        "kind": "resolution",
        "body": data["body"],
        "number": data["number"],
        "title": data.get("title"),
        "adopted": item.content["occurred"],
        "evidence": cite_new(item),
    }


def _agreement(state: State, item: Item, data: dict[str, Any]) -> None:
    key = f"agreement:{data['agreement']}"
    state["frameworks"][key] = {
        "kind": "agreement",
        "agreement": data["agreement"],
        "name": data["name"],
        "parties": list(data.get("parties") or ()),
        "signed": item.content["occurred"],
        "evidence": cite_new(item),
    }
    _add_unique(state["parties"], data.get("parties") or ())


def cite_new(item: Item) -> dict[str, Any]:
    evidence = empty()
    cite(evidence, item.evidence)
    return evidence


def _record_fighting(state: State, item: Item) -> None:
    deaths = item.content["data"].get("deaths")
    state["fighting"].append({"date": item.latest.isoformat(), "id": item.id, "deaths": deaths})


def _prune_fighting(state: State, day: date) -> None:
    """Drop reports that no date on or after ``day`` can count (older than the window)."""
    oldest = (day - timedelta(days=FIGHTING_WINDOW_DAYS - 1)).isoformat()
    if state["fighting"] and state["fighting"][0]["date"] < oldest:
        state["fighting"] = [r for r in state["fighting"] if r["date"] >= oldest]


HANDLERS: dict[str, Callable[[State, Item, dict[str, Any]], None]] = {
    "ConflictRegistered": _registered,
    "CeasefireCalled": _ceasefire_called,
    "CeasefireAgreed": _ceasefire_agreed,
    "CeasefireViolated": _ceasefire_violated,
    "StatusAssessed": _assessed,
    "SummitProposed": _summit("proposed"),
    "SummitScheduled": _summit("scheduled"),
    "SummitPostponed": _summit("postponed"),
    "SummitCancelled": _summit("cancelled"),
    "SummitHeld": _summit("held"),
    "CommitmentMade": _commitment_made,
    "CommitmentFulfilled": _commitment_resolved("fulfilled"),
    "CommitmentBroken": _commitment_resolved("broken"),
    "ImplementationUrged": _urged,
    "ResolutionAdopted": _resolution,
    "AgreementSigned": _agreement,
}


def render(state: State, as_of: date) -> dict[str, Any]:
    """The answer for ``as_of``: the state with date-dependent facts computed."""
    ceasefire = dict(state["ceasefire"])
    ceasefire["evidence"] = shown(ceasefire["evidence"])
    return {
        "conflict": state["conflict"],
        "name": state["name"],
        "region": state["region"],
        "parties": state["parties"],
        "external_ids": state["external_ids"],
        "ceasefire": ceasefire,
        "summits": [_shown(s) for s in state["summits"].values()],
        "commitments": [_commitment_answer(c, as_of) for c in state["commitments"].values()],
        "frameworks": [_shown(f) for f in state["frameworks"].values()],
        "assessment": _shown(state["assessment"]) if state["assessment"] else None,
        "fighting": _fighting(state["fighting"], as_of),
        "last_development": state["last_development"],
        "developments": state["developments"],
    }


def _shown(fact: dict[str, Any]) -> dict[str, Any]:
    return {**fact, "evidence": shown(fact["evidence"])}


def _commitment_answer(commitment: dict[str, Any], as_of: date) -> dict[str, Any]:
    answer = {k: v for k, v in commitment.items() if k != "due_latest"}
    due = commitment["due_latest"]
    answer["overdue"] = commitment["status"] == "pending" and due is not None and due < as_of.isoformat()
    if answer["overdue"]:
        answer["status"] = "overdue"
    answer["evidence"] = shown(commitment["evidence"])
    return answer


def _fighting(reports: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    start = as_of - timedelta(days=FIGHTING_WINDOW_DAYS - 1)
    window = [r for r in reports if start.isoformat() <= r["date"] <= as_of.isoformat()]
    deaths = {"best": 0, "low": 0, "high": 0}
    for report in window:
        for key in deaths:
            deaths[key] += (report["deaths"] or {}).get(key, 0)
    evidence = empty()
    cite(evidence, [r["id"] for r in window])
    return {
        "from": start.isoformat(),
        "to": as_of.isoformat(),
        "reports": len(window),
        "deaths": deaths,
        "evidence": shown(evidence),
    }


def summary_line(state: State, as_of: date) -> str:
    """One line for the list of conflicts."""
    ceasefire = state["ceasefire"]["status"]
    parts = [f"ceasefire {ceasefire}" if ceasefire != "none" else "no ceasefire"]
    pending = [c for c in state["commitments"].values() if c["status"] == "pending"]
    overdue = [c for c in pending if c["due_latest"] and c["due_latest"] < as_of.isoformat()]
    if overdue:
        parts.append(f"{len(overdue)} commitment{'s' if len(overdue) > 1 else ''} overdue")
    summits = [s for s in state["summits"].values() if s["status"] in ("proposed", "scheduled")]
    if summits:
        parts.append(f"{len(summits)} summit{'s' if len(summits) > 1 else ''} {summits[-1]['status']}")
    if state["assessment"]:
        parts.append(f"trend {state['assessment']['trend']}")
    return "; ".join(parts)
