"""From developments in log order to *items*: the versions of each development over record time.

A development becomes known at its position.  A ``DevelopmentCorrected`` ends
the live version of its target at the correction's position and starts a new
version with the replacement's content; a ``DevelopmentRetracted`` ends it for
good.  An item therefore holds one version of one development with the
record-time interval ``[recorded, superseded)`` in which it was the one that
counted, and the world-time bounds of its (possibly corrected) ``occurred``.

Items belong to *scopes*: a conflict (``("conflict", "libya")``) or an agenda
between two actors (``("agenda", "FRA-RUS")``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations
from typing import Any

from events.log.development import RecordedDevelopment
from events.vocabulary.actors import actors_of
from events.vocabulary.occurred import clamp, stored_occurred

Scope = tuple[str, str]
RECORD_KEEPING = ("DevelopmentCorrected", "DevelopmentRetracted")


@dataclass(frozen=True, slots=True)
class Item:
    """One version of one development."""

    id: str  # the development's id (the original, also for a corrected version)
    position: int  # the original's position: ties in world time go by it
    recorded: int  # the position from which this version counted
    superseded: int | None  # the position from which it stopped counting (None: still counts)
    earliest: date
    latest: date
    content: dict[str, Any]  # type, occurred, conflicts, actors, persons, sources, summary, data
    corrected_by: str | None = None  # id of the correction that made this version

    @property
    def type(self) -> str:
        return str(self.content["type"])

    @property
    def world_key(self) -> tuple[date, int]:
        """Order of application: certainly-happened day, then log position."""
        return (self.latest, self.position)

    def counts_at(self, known_at: int) -> bool:
        """Whether this version was the one that counted at record position ``known_at``."""
        return self.recorded <= known_at and (self.superseded is None or self.superseded > known_at)

    @property
    def evidence(self) -> list[str]:
        return [self.id] if self.corrected_by is None else [self.id, self.corrected_by]


@dataclass(frozen=True, slots=True)
class Change:
    """What one development does to the items: start a version, end one, or both."""

    started: Item | None
    ended: Item | None
    ended_at: int | None


def original_item(development: RecordedDevelopment) -> Item:
    """The first version of a development: as it was recorded, counting from its position."""
    return Item(
        id=development.id,
        position=development.position,
        recorded=development.position,
        superseded=None,
        earliest=clamp(development.earliest),
        latest=clamp(development.latest),
        content=development.content(),
    )


class Versions:
    """Live versions by development id; turns each development into a ``Change``."""

    def __init__(self, live: dict[str, Item] | None = None, retracted: set[str] | None = None) -> None:
        self.live: dict[str, Item] = dict(live or {})
        self.retracted: set[str] = set(retracted or ())

    def apply(self, development: RecordedDevelopment, target: Item | None = None) -> Change:
        """The change a development makes; ``target`` is the live version it names, if known."""
        if development.type not in RECORD_KEEPING:
            item = original_item(development)
            self.live[item.id] = item
            return Change(item, None, None)
        target_id = str(development.data["target"])
        old = target or self.live.get(target_id)
        if old is None or target_id in self.retracted:
            return Change(None, None, None)  # unknown here, or already retracted: nothing counts differently
        ended = replace(old, superseded=development.position)
        if development.type == "DevelopmentRetracted":
            self.retracted.add(target_id)
            del self.live[target_id]
            return Change(None, ended, development.position)
        replacement = development.data["replacement"]
        occurred = stored_occurred(replacement["occurred"])
        new = Item(
            id=old.id,
            position=old.position,
            recorded=development.position,
            superseded=None,
            earliest=occurred.earliest,
            latest=occurred.latest,
            content=dict(replacement),
            corrected_by=development.id,
        )
        self.live[target_id] = new
        return Change(new, ended, development.position)


def all_items(developments: Iterable[RecordedDevelopment]) -> list[Item]:
    """Every version of every development, from the whole log in position order."""
    versions = Versions()
    started: dict[tuple[str, int], Item] = {}
    for development in developments:
        change = versions.apply(development)
        if change.ended is not None:
            started[(change.ended.id, change.ended.recorded)] = change.ended
        if change.started is not None:
            started[(change.started.id, change.started.recorded)] = change.started
    return list(started.values())


def scopes(content: dict[str, Any]) -> set[Scope]:
    """The conflicts and agendas a version of a development belongs to."""
    found: set[Scope] = {("conflict", c) for c in content.get("conflicts") or ()}
    found |= {("agenda", pair_key(a, b)) for a, b in agenda_pairs(content)}
    return found


def agenda_pairs(content: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The pairs of actors whose bilateral agenda this development speaks to."""
    data = content.get("data") or {}
    kind = content["type"]
    if kind == "AgendaItemsRaised":
        yield tuple(sorted(data["parties"]))  # type: ignore[misc]
    elif kind == "MeetingHeld":
        yield from combinations(sorted(set(actors_of(content))), 2)
    elif kind == "BriefingGiven":
        for other in data.get("to") or ():
            if other != data["by"]:
                yield tuple(sorted((data["by"], other)))  # type: ignore[misc]
    elif kind == "CeasefireCalled":
        yield from combinations(sorted(set(data.get("called_by") or ())), 2)
    elif kind == "SummitProposed":
        yield from combinations(sorted(set(data.get("proposed_by") or ())), 2)


def pair_key(a: str, b: str) -> str:
    """The order-insensitive key of an agenda: ``FRA-RUS``."""
    first, second = sorted((a, b))
    return f"{first}-{second}"


def count(state: dict[str, Any], item: Item) -> None:
    """What every fold records of every development: one more, the latest in world order, and where it stands."""
    state["developments"] += 1
    state["last_development"] = {
        "id": item.id,
        "type": item.type,
        "occurred": item.content["occurred"],
        "summary": item.content["summary"],
    }
    state["last_key"] = [item.latest.isoformat(), item.position]
