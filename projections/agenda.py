"""The bilateral agenda of two actors: a pure fold over their items in world-time order.

Topics come from ``AgendaItemsRaised``; contacts from meetings between the two;
briefings from one to the other; joint positions from ceasefire calls and summit
proposals that both made.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from projections.evidence import cite, empty, shown
from projections.items import Item, count

State = dict[str, Any]
KEEP_CONTACTS = 50


def initial(key: str) -> State:
    return {
        "agenda": key,
        "parties": key.split("-", 1),
        "topics": {},
        "contacts": [],
        "contact_count": 0,
        "briefings": [],
        "joint_positions": {},
        "last_contact": None,
        "developments": 0,
        "last_development": None,
        "last_key": None,
    }


def apply(state: State, item: Item) -> State:
    """The state after ``item`` (mutates and returns ``state``)."""
    handler = HANDLERS.get(item.type)
    if handler is not None:
        handler(state, item, item.content["data"])
    count(state, item)
    return state


def _raised(state: State, item: Item, data: dict[str, Any]) -> None:
    occurred = item.content["occurred"]
    for topic in data["topics"]:
        entry = state["topics"].setdefault(
            topic,
            {
                "topic": topic,
                "raised_by": [],
                "first_raised": occurred,
                "last_raised": occurred,
                "horizon": data["horizon"],
                "evidence": empty(),
            },
        )
        if data["raised_by"] not in entry["raised_by"]:
            entry["raised_by"].append(data["raised_by"])
        entry["last_raised"] = occurred
        if data["horizon"] == "current":
            entry["horizon"] = "current"
        cite(entry["evidence"], item.evidence, item.latest.isoformat())


def _met(state: State, item: Item, data: dict[str, Any]) -> None:
    occurred = item.content["occurred"]
    contact = {
        "on": occurred,
        "format": data["format"],
        "location": data.get("location"),
        "topics": data.get("topics") or [],
        "evidence": item.evidence,
    }
    state["contacts"] = [*state["contacts"], contact][-KEEP_CONTACTS:]
    state["contact_count"] += 1
    state["last_contact"] = occurred


def _briefed(state: State, item: Item, data: dict[str, Any]) -> None:
    briefing = {"on": item.content["occurred"], "by": data["by"], "subject": data["subject"], "evidence": item.evidence}
    state["briefings"] = [*state["briefings"], briefing][-KEEP_CONTACTS:]


def _ceasefire_called(state: State, item: Item, data: dict[str, Any]) -> None:
    conflicts = item.content.get("conflicts") or []
    key = "ceasefire-call:" + ",".join(conflicts)
    state["joint_positions"][key] = {
        "kind": "ceasefire_called",
        "conflicts": conflicts,
        "basis": data.get("basis") or [],
        "dialogue_resumption": data.get("dialogue_resumption"),
        "on": item.content["occurred"],
        "evidence": _cited(state["joint_positions"].get(key), item),
    }


def _summit_proposed(state: State, item: Item, data: dict[str, Any]) -> None:
    key = "summit-proposal:" + data["summit"]
    state["joint_positions"][key] = {
        "kind": "summit_proposed",
        "summit": data["summit"],
        "conflicts": item.content.get("conflicts") or [],
        "location": data.get("location"),
        "in_principle": data.get("in_principle"),
        "on": item.content["occurred"],
        "evidence": _cited(state["joint_positions"].get(key), item),
    }


def _cited(previous: dict[str, Any] | None, item: Item) -> dict[str, Any]:
    evidence = copy.deepcopy(previous["evidence"]) if previous else empty()
    cite(evidence, item.evidence, item.latest.isoformat())
    return evidence


HANDLERS: dict[str, Callable[[State, Item, dict[str, Any]], None]] = {
    "AgendaItemsRaised": _raised,
    "MeetingHeld": _met,
    "BriefingGiven": _briefed,
    "CeasefireCalled": _ceasefire_called,
    "SummitProposed": _summit_proposed,
}


def render(state: State) -> dict[str, Any]:
    """The answer: topics, contacts, briefings, joint positions, each with evidence."""
    return {
        "agenda": state["agenda"],
        "parties": state["parties"],
        "topics": [{**t, "evidence": shown(t["evidence"])} for t in state["topics"].values()],
        "contacts": state["contacts"],
        "contact_count": state["contact_count"],
        "briefings": state["briefings"],
        "joint_positions": [{**p, "evidence": shown(p["evidence"])} for p in state["joint_positions"].values()],
        "last_contact": state["last_contact"],
        "last_development": state["last_development"],
        "developments": state["developments"],
    }


def summary_line(state: State) -> str:
    topics = len(state["topics"])
    return (
        f"{topics} topic{'s' if topics != 1 else ''}, {state['contact_count']} contact"
        f"{'s' if state['contact_count'] != 1 else ''}, last contact {state['last_contact'] or 'none'}"
    )
