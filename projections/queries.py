"""Questions the projections answer, in the form the API gives them.

Every answer states what it was computed for (``as_of``, ``known_at``, the
tracked head) so that it can be asked again and reproduced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from events.log.application import ConflictLog
from events.vocabulary.errors import DomainError
from events.vocabulary.references import closest
from projections import agenda, conflict_status
from projections.finding import Search, find
from projections.folds import FOLDS, unfolded
from projections.items import Item, Scope, pair_key
from projections.store import Folded, ProjectionReader, WorldKey


@dataclass
class ScopeNotFound(DomainError):
    """No conflict or agenda has this id (at the asked position)."""

    kind: str
    key: str
    suggestion: str | None = None

    def __str__(self) -> str:
        hint = f"; did you mean '{self.suggestion}'?" if self.suggestion else ""
        return f"unknown {self.kind} '{self.key}'{hint}"


@dataclass
class BadKnownAt(DomainError):
    """``known_at`` is neither a position nor a timestamp."""

    value: str

    def __str__(self) -> str:
        return f"known_at must be a log position (a whole number) or an ISO 8601 timestamp, not '{self.value}'"


def today() -> date:
    return datetime.now(UTC).date()


def uncertain_answer(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        "occurred": item.content["occurred"],
        "occurred_earliest": item.earliest.isoformat(),
        "occurred_latest": item.latest.isoformat(),
        "summary": item.content["summary"],
    }


def timeline_entry(item: Item) -> dict[str, Any]:
    return {
        **uncertain_answer(item),
        "position": item.position,
        "recorded": item.recorded,
        "corrected_by": item.corrected_by,
        "conflicts": item.content.get("conflicts") or [],
        "actors": item.content.get("actors") or [],
        "data": item.content["data"],
        "sources": item.content["sources"],
    }


class Queries:
    """The read side: conflicts, agendas and timelines, current or as of a date and position."""

    def __init__(self, log: ConflictLog, store: ProjectionReader) -> None:
        self.log = log
        self.store = store

    def known_at(self, value: str | int | None) -> int | None:
        """A ``known_at`` parameter as a log position: a position, or the last one recorded by a timestamp."""
        if value is None or value == "":
            return None
        if isinstance(value, int) or (str(value).isascii() and str(value).isdigit()):
            return int(value)
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise BadKnownAt(str(value)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return self.log.store.position_at(moment.astimezone(UTC).isoformat())

    def _computed_for(self, folded: Folded) -> dict[str, Any]:
        return {"as_of": folded.as_of.isoformat(), "known_at": folded.known_at, "head": folded.head}

    def _not_found(self, kind: str, key: str) -> ScopeNotFound:
        return ScopeNotFound(kind, key, closest(key, self.store.keys(kind)))

    def conflict(self, conflict: str, as_of: date | None = None, known_at: int | None = None) -> dict[str, Any]:
        """The status of a conflict (its empty state, with ``first_development``, before anything counted)."""
        day = as_of or today()
        scope = ("conflict", conflict)
        folded = self._folded(scope, day, known_at)
        return {
            **conflict_status.render(folded.state, day),
            **self._around(scope, folded),
        }

    def agenda(self, a: str, b: str, as_of: date | None = None, known_at: int | None = None) -> dict[str, Any]:
        """The bilateral agenda of two actors, in either order (empty, with ``first_development``, before any)."""
        day = as_of or today()
        scope = ("agenda", pair_key(a.upper(), b.upper()))
        folded = self._folded(scope, day, known_at)
        return {**agenda.render(folded.state), **self._around(scope, folded)}

    def _folded(self, scope: Scope, day: date, known_at: int | None) -> Folded:
        """The scope folded for (day, known_at); its initial state when nothing of it counted then.

        Only a scope of which the log never held anything is unknown (404).  One
        whose every development was retracted (its registration included) is
        still listed with the others, so it answers its empty state, and every
        page about it stands.
        """
        folded = self.store.fold(scope, day, known_at, first=True)
        if folded is not None:
            return folded
        head = self.store.head()
        if scope[1] not in self.store.keys(scope[0]):
            raise self._not_found(*scope)
        state = FOLDS[scope[0]].initial(scope[1])  # type: ignore[attr-defined]
        return Folded(state, [], 0, day, head if known_at is None else min(known_at, head), head)

    def _around(self, scope: Scope, folded: Folded) -> dict[str, Any]:
        """What every answer carries besides the state: uncertain items, the first development, what it is for."""
        return {
            "uncertain": [uncertain_answer(i) for i in folded.uncertain],
            "uncertain_total": folded.uncertain_total,
            **_unfolded(folded.state),
            "first_development": self._first(scope, folded),
            "computed_for": self._computed_for(folded),
        }

    def _first(self, scope: Scope, folded: Folded) -> dict[str, Any] | None:
        """The earliest development of the scope in world order, as known at ``known_at`` (else at the head)."""
        first = folded.first
        if not folded.first_asked:  # not found with the fold, in its reading: asked now
            for at in (folded.known_at, folded.head):
                items, _, _ = self.store.timeline(scope, after=None, limit=1, as_of=None, known_at=at)
                if items:
                    first = items[0]
                    break
        if first is None:
            return None
        return {
            "id": first.id,
            "type": first.type,
            "occurred": first.content["occurred"],
            "counts_from": first.latest.isoformat(),
            "summary": first.content["summary"],
            "known_at": first.recorded,
        }

    def timeline(
        self,
        conflict: str,
        *,
        after: WorldKey | None = None,
        limit: int = 100,
        as_of: date | None = None,
        known_at: int | None = None,
    ) -> dict[str, Any]:
        """A conflict's developments in world-time order, a page at a time."""
        if conflict not in self.store.keys("conflict"):
            raise self._not_found("conflict", conflict)
        items, at, head = self.store.timeline(
            ("conflict", conflict), after=after, limit=limit, as_of=as_of, known_at=known_at
        )
        cursor = f"{items[-1].latest.isoformat()}_{items[-1].position}" if len(items) == limit else None
        return {
            "conflict": conflict,
            "items": [timeline_entry(i) for i in items],
            "next_after": cursor,
            "computed_for": {"as_of": as_of.isoformat() if as_of else None, "known_at": at, "head": head},
        }

    def every_development(
        self, conflict: str, *, after: WorldKey | None = None, as_of: date | None = None, known_at: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """A conflict's whole timeline from ``after``, page after page, all read at the first page's position."""
        while True:
            page = self.timeline(conflict, after=after, limit=1000, as_of=as_of, known_at=known_at)
            yield from page["items"]
            if page["next_after"] is None:
                return
            after = parse_cursor(page["next_after"])
            known_at = page["computed_for"]["known_at"]

    def conflicts(self, search: Search | None = None) -> dict[str, Any]:
        """Every conflict (or those ``search`` finds, in its order), with a one-line summary of its current status.

        And the log position they reflect.
        """
        day = today()
        states, head = self.store.current("conflict")
        items = [
            {
                "conflict": key,
                "name": state["name"],
                "region": state["region"],
                "summary": conflict_status.summary_line(state, day),
                "ceasefire": state["ceasefire"]["status"],
                "last_development": state["last_development"],
                "developments": state["developments"],
            }
            for key, state in states
        ]
        return {"items": find(items, search) if search else items, "computed_for": {"head": head}}

    def agendas(self) -> dict[str, Any]:
        """Every pair of actors with an agenda; and the log position they reflect."""
        states, head = self.store.current("agenda")
        items = [
            {
                "agenda": key,
                "parties": state["parties"],
                "summary": agenda.summary_line(state),
                "last_contact": state["last_contact"],
                "developments": state["developments"],
            }
            for key, state in states
        ]
        return {"items": items, "computed_for": {"head": head}}


def _unfolded(state: dict[str, Any]) -> dict[str, Any]:
    """``{"unfolded": [...]}`` when the state left developments out because their fold failed, else nothing."""
    failed = unfolded(state)
    return {"unfolded": failed} if failed else {}


def parse_cursor(value: str | None) -> WorldKey | None:
    """A timeline cursor ``2020-06-26_42`` as (latest, position)."""
    if not value:
        return None
    day, _, position = value.rpartition("_")
    try:
        date.fromisoformat(day)
        return (day, int(position))
    except ValueError:
        raise ValueError(f"'{value}' is not a timeline cursor (use next_after from the previous page)") from None
