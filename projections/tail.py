"""The tail: what the log holds past the position the projections track, as items in memory.

Readers never write.  When the log is ahead of the projections (a writer has
not caught up yet, or a standby replayed the log's rows before the projections'
catch-up), a reader reads the developments after the tracked position and turns
them into versions exactly as a catch-up would (``projections.items.Versions``,
with the stored live versions for corrections and retractions of developments
the projections already hold).  An answer then merges them with the stored
items: the versions a tail development started count from its position, the
stored versions it ended stop counting there.

A tail is bounded: at most ``tuning.TAIL_LIMIT`` positions past the tracked
one are read.  When the log is further ahead, answers reflect the first
``TAIL_LIMIT`` positions (their ``computed_for.head`` says which) until a writer
or the projection worker catches up.

``Tails`` keeps one tail per process and extends it as the log grows, so that
readers read each development of the tail once, not once per request; a new
tracked position starts a new tail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from events.log.application import DEVELOPMENT_TOPICS, ConflictLog
from events.log.development import RecordedDevelopment
from projections import tuning
from projections.database import Sql
from projections.items import RECORD_KEEPING, Item, Scope, Versions, scopes
from projections.rows import WorldKey, live_version, world_key

Version = tuple[str, int]  # (development id, position the version started at)


@dataclass(frozen=True)
class ScopeTail:
    """What the tail changes in one scope, as known at a position."""

    #: versions that started in the tail and count at the position, in world order
    items: list[Item] = field(default_factory=list)
    #: stored versions that a tail development ended by the position
    ended: dict[Version, Item] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.items and not self.ended

    @property
    def from_key(self) -> WorldKey | None:
        """The earliest world key the tail changes in the scope (None when it changes nothing)."""
        keys = [world_key(i) for i in self.items] + [world_key(i) for i in self.ended.values()]
        return min(keys) if keys else None


NO_CHANGE = ScopeTail()


class Tail:
    """Versions started and ended by the developments in ``(start, reached]`` (see the module's docstring)."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.reached = start
        self._versions = Versions()
        self._started: dict[Scope, dict[Version, Item]] = {}
        self._ended: dict[Scope, dict[Version, tuple[int, Item]]] = {}
        self._lock = threading.Lock()

    def add(self, development: RecordedDevelopment, stored: Callable[[str], Item | None]) -> None:
        """Turn one development (after every earlier one) into versions; ``stored`` finds a stored live version."""
        target: Item | None = None
        if development.type in RECORD_KEEPING:
            ident = str(development.data["target"])
            if ident not in self._versions.live and ident not in self._versions.retracted:
                target = stored(ident)
                if target is None:
                    return  # unknown, retracted or not an original: nothing counts differently
                self._versions.live[ident] = target
        change = self._versions.apply(development, target)
        with self._lock:
            if change.ended is not None:
                ended = change.ended
                version = (ended.id, ended.recorded)
                for scope in scopes(ended.content):
                    if ended.recorded > self.start:
                        self._started[scope][version] = ended
                    else:
                        self._ended.setdefault(scope, {})[version] = (development.position, ended)
            if change.started is not None:
                started = change.started
                for scope in scopes(started.content):
                    self._started.setdefault(scope, {})[(started.id, started.recorded)] = started

    def scope(self, scope: Scope, at: int) -> ScopeTail:
        """What the tail changes in ``scope`` as known at position ``at``."""
        if at <= self.start:
            return NO_CHANGE
        with self._lock:
            started = list(self._started.get(scope, {}).values())
            ended = list(self._ended.get(scope, {}).values())
        items = sorted((i for i in started if i.counts_at(at)), key=lambda i: i.world_key)
        gone = {(i.id, i.recorded): i for position, i in ended if position <= at}
        return ScopeTail(items, gone) if items or gone else NO_CHANGE

    def keys(self, kind: str) -> set[str]:
        """The scopes of one kind that the tail touches (a version started or ended in them)."""
        with self._lock:
            return {key for k, key in (*self._started, *self._ended) if k == kind}

    def positions(self, scope: Scope, after: int, until: int) -> set[int]:
        """Positions in ``(after, until]`` where a tail development changed what counts in the scope."""
        with self._lock:
            started = list(self._started.get(scope, {}).values())
            ended = [position for position, _ in self._ended.get(scope, {}).values()]
        found = {i.recorded for i in started} | {i.superseded for i in started if i.superseded is not None}
        return {p for p in (*found, *ended) if after < p <= until}


class Tails:
    """This process's tail, extended as the log grows and started again when the tracked position moves."""

    def __init__(self, log: ConflictLog) -> None:
        self.log = log
        self._tail: Tail | None = None
        self._lock = threading.Lock()

    def get(self, sql: Sql, tracked: int, head: int) -> tuple[Tail, int]:
        """The tail after ``tracked`` (read in ``sql``'s transaction) and the position read to: ``head`` or the limit.

        The tail may grow afterwards (another request extends it); an answer
        asks it only about positions up to the one returned here.
        """
        with self._lock:
            tail = self._tail
            if tail is None or tail.start != tracked:
                tail = self._tail = Tail(tracked)
            stop = min(head, tracked + tuning.TAIL_LIMIT)
            while tail.reached < stop:
                notes = self.log.recorder.select_notifications(
                    tail.reached, tuning.PAGE, stop=stop, topics=DEVELOPMENT_TOPICS, inclusive_of_start=False
                )
                for note in notes:
                    tail.add(self.log.decode(note), lambda ident: live_version(sql, self.log, ident))
                    tail.reached = note.id
                if len(notes) < tuning.PAGE:
                    tail.reached = stop
            return tail, tail.reached
