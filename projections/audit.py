"""Audits of a conflict or an agenda: replay its history step by step, and diff two points.

A *replay* walks the log positions that touched the scope, in record order: each
step is the development recorded there (corrections and retractions included) and
the changes it made to the scope's answer (field, before, after).  A *diff*
compares two answers, each for a date of the world or a position of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from events.log.development import RecordedDevelopment
from events.vocabulary.occurred import FIRST_DAY, LAST_DAY, OUT_OF_RANGE
from projections import agenda, conflict_status
from projections.folds import unfolded
from projections.items import Scope
from projections.queries import ScopeNotFound, today
from projections.store import ProjectionReader

#: fields that change with every development and say nothing on their own
NOISE = frozenset({"developments", "last_development", "computed_for", "uncertain_total", "contact_count"})
#: fields of the answer that only repeat the asked date
ASKED = frozenset({"fighting.from", "fighting.to"})
#: lists whose items are facts, compared one by one
FACT_LISTS = frozenset(
    {"summits", "commitments", "frameworks", "topics", "contacts", "briefings", "joint_positions", "uncertain", "urged"}
)
#: how the facts of a list are told apart
LIST_KEYS = {
    "summits": "summit",
    "commitments": "commitment",
    "topics": "topic",
    "uncertain": "id",
}


@dataclass(frozen=True)
class Side:
    """One point to compare: a date of the world and/or a position of the log."""

    as_of: date | None = None
    known_at: int | None = None

    @classmethod
    def parse(cls, text: str) -> Side:
        """``2020-01-15`` is a date (as_of); ``42`` a position (known_at); ``2020-01-15@42`` both."""
        day, _, position = text.partition("@")
        if day.isdigit() and not position:
            return cls(known_at=int(day))
        try:
            as_of = date.fromisoformat(day)
        except ValueError:
            as_of = None
        if as_of is not None and not FIRST_DAY <= as_of <= LAST_DAY:
            raise ValueError(f"'{text}' asks about {as_of.isoformat()}, {OUT_OF_RANGE}")
        try:
            return cls(as_of=date.fromisoformat(day), known_at=int(position) if position else None)
        except ValueError:
            raise ValueError(
                f"'{text}' is neither a date (2020-01-15), a log position (42), nor both (2020-01-15@42)"
            ) from None

    def describe(self, head: int) -> dict[str, Any]:
        return {
            "as_of": (self.as_of or today()).isoformat(),
            "known_at": head if self.known_at is None else self.known_at,
        }


def _fact_key(name: str, fact: dict[str, Any]) -> str:
    if name in LIST_KEYS:
        return str(fact[LIST_KEYS[name]])
    if name == "frameworks":
        return f"{fact['kind']}:{fact.get('agreement') or fact.get('body', '')}:{fact.get('number', '')}"
    if name == "joint_positions":
        return f"{fact['kind']}:{fact.get('summit') or ','.join(fact.get('conflicts') or [])}"
    if name in ("contacts", "briefings"):
        return f"{fact['on']}:{','.join(fact.get('evidence') or [])}"
    if name == "urged":
        return f"{fact['by']}:{fact['on']}"
    return ",".join(f"{k}={v}" for k, v in sorted(fact.items()) if not isinstance(v, (dict, list)))


def flatten(
    answer: dict[str, Any], path: str = "", evidence: list[str] | None = None
) -> dict[str, tuple[Any, list[str]]]:
    """Every leaf of an answer as ``path -> (value, evidence ids of the fact it belongs to)``."""
    out: dict[str, tuple[Any, list[str]]] = {}
    own = answer.get("evidence")
    if isinstance(own, dict):
        evidence = list(own.get("ids") or [])
    elif isinstance(own, list):
        evidence = [str(i) for i in own]
    for name, value in answer.items():
        if name in NOISE or name == "evidence":
            continue
        here = f"{path}.{name}" if path else name
        if here in ASKED:
            continue
        if isinstance(value, dict):
            out.update(flatten(value, here, evidence))
        elif name in FACT_LISTS and (here == name or name == "urged") and isinstance(value, list):
            for fact in value:
                out.update(flatten(fact, f"{here}[{_fact_key(name, fact)}]", evidence))
        else:
            out[here] = (value, evidence or [])
    return out


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two answers, each difference with the evidence behind it."""
    old, new = flatten(before), flatten(after)
    found = []
    for path in sorted(set(old) | set(new)):
        was = old.get(path, (None, []))
        now = new.get(path, (None, []))
        if was[0] != now[0]:
            found.append({"field": path, "before": was[0], "after": now[0], "evidence": now[1] or was[1]})
    return found


class Auditor:
    """Replays and diffs over the materialised projections."""

    def __init__(self, store: ProjectionReader) -> None:
        self.store = store

    def answer(self, scope: Scope, as_of: date, known_at: int | None) -> dict[str, Any]:
        """The rendered answer (empty when nothing counted yet at that position)."""
        folded = self.store.fold(scope, as_of, known_at, uncertain_limit=1000)
        if folded is None:
            state = conflict_status.initial(scope[1]) if scope[0] == "conflict" else agenda.initial(scope[1])
            uncertain: list[dict[str, Any]] = []
        else:
            state = folded.state
            uncertain = [{"id": i.id, "type": i.type, "occurred": i.content["occurred"]} for i in folded.uncertain]
        rendered = conflict_status.render(state, as_of) if scope[0] == "conflict" else agenda.render(state)
        rendered["uncertain"] = uncertain
        if unfolded(state):  # developments whose fold failed: a step shows when one appears or is repaired
            rendered["unfolded"] = unfolded(state)
        return rendered

    def replay(
        self, scope: Scope, *, after: int = 0, until: int | None = None, limit: int = 50, as_of: date | None = None
    ) -> tuple[list[tuple[RecordedDevelopment, list[dict[str, Any]]]], int | None, int]:
        """Steps after position ``after`` (at most ``limit``), the position to continue from, and the head."""
        head = self.store.head()
        positions = self.store.positions(
            scope, after=after, until=until if until is not None else head, limit=limit + 1
        )
        if not positions and not self.store.positions(scope, after=0, until=head, limit=1):
            raise ScopeNotFound(scope[0], scope[1])
        more = len(positions) > limit
        positions = positions[:limit]
        day = as_of or today()
        developments = {d.position: d for d in self.store.log.developments(positions)}
        steps = []
        before = self.answer(scope, day, positions[0] - 1) if positions else {}
        for position in positions:
            now = self.answer(scope, day, position)
            steps.append((developments[position], differences(before, now)))
            before = now
        return steps, (positions[-1] if more else None), head

    def diff(
        self, scope: Scope, first: Side, second: Side
    ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], int]:
        """Differences between two sides, what each side was computed for, and the head both were known by."""
        head = self.store.head()
        if self.store.fold(scope, date.max, head) is None:
            raise ScopeNotFound(scope[0], scope[1])
        before = self.answer(scope, first.as_of or today(), head if first.known_at is None else first.known_at)
        after = self.answer(scope, second.as_of or today(), head if second.known_at is None else second.known_at)
        return differences(before, after), first.describe(head), second.describe(head), head
