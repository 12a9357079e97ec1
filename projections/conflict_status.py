"""The conflict status: a pure fold over a conflict's items in world-time order.

``apply(state, item)`` takes a state (a JSON-able dict, as stored) and returns
the state after one more development; ``render(state, as_of)`` turns it into the
answer for a date, computing what depends on the asked date (``overdue``, the
fighting of the last 30 days).  What ceasefires and fighting mean is
``projections.ceasefires``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from typing import Any

from events.vocabulary.occurred import stored_occurred
from projections import ceasefires
from projections.evidence import cite, empty, shown
from projections.items import Item, count

State = dict[str, Any]


def initial(conflict: str) -> State:
    return {
        "conflict": conflict,
        "name": None,
        "region": None,
        "parties": [],
        "external_ids": [],
        "registration": empty(),
        "territory": [],
        "began": None,
        "ceasefire": ceasefires.no_ceasefire(),
        "ceasefire_history": [],
        "unattributed": ceasefires.no_ceasefire(),
        "summits": {},
        "commitments": {},
        "frameworks": {},
        "assessment": None,
        "intensity": {},
        "episode": None,
        "fighting": [],
        "last_fighting": None,
        "last_development": None,
        "developments": 0,
        "last_key": None,
    }


def apply(state: State, item: Item) -> State:
    """The state after ``item`` (mutates and returns ``state``)."""
    kind = ceasefires.reads_as(item.content)
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(state, item, item.content["data"])
    if ceasefires.is_fighting(kind):
        ceasefires.fighting(state, item, kind)
        _episode_goes_on(state, item)
    ceasefires.prune(state, item.latest)
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
    state["registered_parties"] = list(data.get("parties") or ())
    _add_unique(state["external_ids"], data.get("external_ids") or ())
    _add_unique(state["territory"], data.get("territory") or ())
    state["began"] = data.get("began") or state["began"]
    cite(state["registration"], item.evidence, item.latest.isoformat())


def _ceasefire_agreed(state: State, item: Item, data: dict[str, Any]) -> None:
    ceasefires.agreed(state, item, data)
    _add_unique(state["parties"], data["parties"])


def _intensity(state: State, item: Item, data: dict[str, Any]) -> None:
    """UCDP/PRIO's intensity of a period (a year): kept per period, the latest period shown."""
    state["intensity"][data["period"]] = {
        "period": data["period"],
        "level": data["level"],
        "source": data.get("source"),
        "evidence": cite_new(item),
    }


def _ended(state: State, item: Item, data: dict[str, Any]) -> None:
    """An episode of the conflict ended; fighting reported after it starts a new one."""
    state["episode"] = {
        "status": "ended",
        "since": (state["episode"] or {}).get("since"),
        "ended": item.content["occurred"],
        "ended_day": item.latest.isoformat(),
        "reason": data.get("reason"),
        "evidence": cite_new(item),
    }


def _episode_goes_on(state: State, item: Item) -> None:
    episode = state["episode"]
    if episode is not None and episode["status"] == "ended" and item.latest.isoformat() > episode["ended_day"]:
        state["episode"] = {
            "status": "active",
            "since": item.content["occurred"],
            "ended": None,
            "ended_day": None,
            "reason": None,
            "evidence": cite_new(item),
        }


def _assessed(state: State, item: Item, data: dict[str, Any]) -> None:
    state["assessment"] = {
        "trend": data["trend"],
        "alert": data.get("alert"),
        "period": data["period"],
        "assessed": item.content["occurred"],
        "evidence": cite_new(item),
    }


def _summit(status: str, state: State, item: Item, data: dict[str, Any]) -> None:
    """A summit proposed, scheduled, postponed, cancelled or held (``status``), keeping what each step said."""
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
    cite(summit["evidence"], item.evidence, item.latest.isoformat())


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
        commitment["due_latest"] = stored_occurred(data["due"]).latest.isoformat()
    _add_unique(commitment["parties"], data["parties"])
    _add_unique(state["parties"], data["parties"])
    cite(commitment["evidence"], item.evidence, item.latest.isoformat())


def _commitment_resolved(status: str, state: State, item: Item, data: dict[str, Any]) -> None:
    """A commitment fulfilled or broken (``status``): never overdue from then on."""
    commitment = _commitment(state, data)
    commitment["status"] = status
    commitment["resolved"] = item.content["occurred"]
    if status == "broken":
        commitment["breach"] = data["description"]
    cite(commitment["evidence"], item.evidence, item.latest.isoformat())


def _urged(state: State, item: Item, data: dict[str, Any]) -> None:
    commitment = _commitment(state, data)
    commitment["urged"] = [*commitment["urged"], {"by": data["by"], "on": item.content["occurred"]}][-10:]
    cite(commitment["evidence"], item.evidence, item.latest.isoformat())


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
    cite(evidence, item.evidence, item.latest.isoformat())
    return evidence


#: one function per event type; those shared by several types get their status bound (``partial``), not
#: built by a factory at import, so that a mutation test reaches their code
HANDLERS: dict[str, Callable[[State, Item, dict[str, Any]], None]] = {
    "ConflictRegistered": _registered,
    "CeasefireCalled": ceasefires.called,
    "CeasefireAgreed": _ceasefire_agreed,
    "StatusAssessed": _assessed,
    "IntensityAssessed": _intensity,
    "ConflictEnded": _ended,
    "SummitProposed": partial(_summit, "proposed"),
    "SummitScheduled": partial(_summit, "scheduled"),
    "SummitPostponed": partial(_summit, "postponed"),
    "SummitCancelled": partial(_summit, "cancelled"),
    "SummitHeld": partial(_summit, "held"),
    "CommitmentMade": _commitment_made,
    "CommitmentFulfilled": partial(_commitment_resolved, "fulfilled"),
    "CommitmentBroken": partial(_commitment_resolved, "broken"),
    "ImplementationUrged": _urged,
    "ResolutionAdopted": _resolution,
    "AgreementSigned": _agreement,
}


def render(state: State, as_of: date) -> dict[str, Any]:
    """The answer for ``as_of``: the state with date-dependent facts computed."""
    return {
        "conflict": state["conflict"],
        "name": state["name"],
        "region": state["region"],
        "parties": _parties(state),
        "external_ids": state["external_ids"],
        "territory": state["territory"],
        "began": state["began"],
        "ceasefire": ceasefires.render_ceasefire(state),
        "summits": [_shown(s) for s in state["summits"].values()],
        "commitments": [_commitment_answer(c, as_of) for c in _by_day(state["commitments"], "made")],
        "frameworks": [_shown(f) for f in _by_day(state["frameworks"], "adopted", "signed")],
        "assessment": _shown(state["assessment"]) if state["assessment"] else None,
        "intensity": _latest_intensity(state["intensity"]),
        "episode": _episode(state["episode"]),
        "fighting": ceasefires.render_fighting(state, as_of),
        "last_development": state["last_development"],
        "developments": state["developments"],
    }


def _by_day(facts: dict[str, dict[str, Any]], *day_fields: str) -> list[dict[str, Any]]:
    """Facts by the day they were made, then by key: the same whatever order one day's were recorded in."""

    def day(fact: dict[str, Any]) -> str:
        text = next((fact[f] for f in day_fields if fact.get(f)), None)
        return stored_occurred(text).latest.isoformat() if text else ""

    return [facts[key] for key in sorted(facts, key=lambda k: (day(facts[k]), k))]


def _parties(state: State) -> list[str]:
    """The registered parties in their order, then the others that agreements named, alphabetically.

    Alphabetically, so that the answer does not depend on which of two developments
    of one day was recorded first.
    """
    registered = state.get("registered_parties") or []
    return [*registered, *sorted(p for p in state["parties"] if p not in registered)]


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


def _latest_intensity(intensity: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if not intensity:
        return None
    latest = max(intensity.values(), key=lambda i: (stored_occurred(i["period"]).latest, i["period"]))
    return _shown(latest)


def _episode(episode: dict[str, Any] | None) -> dict[str, Any] | None:
    if episode is None:
        return None
    return {k: v for k, v in _shown(episode).items() if k != "ended_day"}


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
    if state["episode"] and state["episode"]["status"] == "ended":
        parts.append(f"ended {state['episode']['ended']}")
    return "; ".join(parts)
