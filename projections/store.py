"""Materialised projections: the folds' answers kept in tables, brought forward by writers, read by readers.

Tables (see ``projections.database``):

- ``proj_items``: every version of every development, per scope, with its
  world-time bounds and the record-time interval in which it counted;
- ``proj_state``: each scope's state folded over every item that counts now;
- ``proj_snapshots``: each scope's state every ``tuning.SNAPSHOT_EVERY`` items in
  world order, valid for the record-time interval ``[valid_from, valid_to)``, so
  that as-of and known-at answers fold at most a snapshot's worth of items;
- ``proj_versions``: the live version of each corrected or retracted development;
- ``proj_unfolded``: versions whose fold failed, which their scope's state leaves out;
- ``proj_tracking``: the log position everything above reflects, and the version
  of the folds that made the states (``folds.FOLD_VERSION``).

Four jobs, a module each: ``rows`` (how rows are written and read),
``catch_up`` (bringing them forward from the log), ``rebuild`` (folding the
whole log again), ``answers`` (reading them, with the log's ``tail`` past the
tracked position folded in memory).  ``ProjectionReader`` only reads, so it may
be given a hot standby; ``ProjectionStore`` is a reader that also writes: the
service's writers and the projection worker catch up with it.  Projections
stored by folds of another version are rebuilt by the first catch-up (a writer's:
``serve`` does it as it starts); until then readers refuse to answer from them
(``ProjectionsOutdated``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.log.application import ConflictLog
from events.vocabulary.errors import DomainError
from projections.answers import Answers, Folded, ProjectionsOutdated
from projections.catch_up import CatchUp
from projections.database import Database
from projections.folds import FOLD_VERSION
from projections.items import Item, Scope
from projections.rebuild import rebuild
from projections.rows import WorldKey, fold_version, set_fold_version, tracked_position

__all__ = ["Folded", "NotYetReflected", "ProjectionReader", "ProjectionStore", "ProjectionsOutdated", "WorldKey"]
log = logging.getLogger("conflict_status.projections")


@dataclass
class NotYetReflected(DomainError):
    """The read side has not reached a position a client asked for (``min_position``) within the wait."""

    position: int
    reached: int
    waited: float

    def __str__(self) -> str:
        return (
            f"answers reflect the log up to position {self.reached}, not yet {self.position} "
            f"(waited {self.waited:g} s); retry shortly"
        )


class ProjectionReader:
    """Answers from the materialised projections and the log's tail; never writes."""

    def __init__(self, log: ConflictLog, db: Database) -> None:
        self.log = log
        self.db = db
        self._answers = Answers(log, db)

    def head(self) -> int:
        """The log position answers reflect now (the log's head, or the tail's limit past the tracked position)."""
        return self._answers.head()

    def await_position(
        self,
        position: int,
        seconds: float,
        *,
        poll: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> int:
        """Wait until answers reflect ``position``; the position reached, or ``NotYetReflected`` after ``seconds``."""
        deadline = clock() + seconds
        while (reached := self.head()) < position:
            left = deadline - clock()
            if left <= 0:
                raise NotYetReflected(position, reached, seconds)
            sleep(min(poll, left))
        return reached

    def fold(
        self, scope: Scope, as_of: date, known_at: int | None = None, uncertain_limit: int = 50, first: bool = False
    ) -> Folded | None:
        """The scope's state as of a day and as known at a position (default: the head); ``first``: its earliest too."""
        return self._answers.fold(scope, as_of, known_at, uncertain_limit, first)

    def timeline(
        self, scope: Scope, *, after: WorldKey | None, limit: int, as_of: date | None, known_at: int | None
    ) -> tuple[list[Item], int, int]:
        """The scope's items that count at ``known_at``, in world order, after a cursor; that position; the head."""
        return self._answers.timeline(scope, after=after, limit=limit, as_of=as_of, known_at=known_at)

    def positions(self, scope: Scope, *, after: int, until: int, limit: int) -> list[int]:
        """Log positions in ``(after, until]`` that changed what counts in the scope, in order."""
        return self._answers.positions(scope, after=after, until=until, limit=limit)

    def states(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every current state of one kind of scope (``conflict`` or ``agenda``)."""
        return self._answers.states(kind)[0]

    def current(self, kind: str) -> tuple[list[tuple[str, dict[str, Any]]], int]:
        """Every current state of one kind of scope, and the log position they reflect."""
        return self._answers.states(kind)

    def keys(self, kind: str) -> list[str]:
        """The ids of every scope of one kind that has a state."""
        return self._answers.keys(kind)

    def unfolded(self) -> list[dict[str, Any]]:
        """Versions of developments whose fold failed, left out of their scope's current state."""
        return self._answers.unfolded()

    def tracked(self) -> int:
        """The log position the stored projections reflect (answers fold the tail past it)."""
        return self._answers.tracked()


class ProjectionStore(ProjectionReader):
    """A reader that also brings the projections forward: for writers and the projection worker."""

    def __init__(self, log: ConflictLog, db: Database) -> None:
        super().__init__(log, db)
        self._catch_up = CatchUp(log, db)
        self._folds_current = False

    def catch_up(self) -> int:
        """Bring every projection up to the log's head; the position reached.

        Projections stored by folds of another version (an upgrade) are first
        rebuilt from the log, once.
        """
        if not self._folds_current:
            self._bring_folds_current()
        return self._catch_up.catch_up()

    def _bring_folds_current(self) -> None:
        with self.db.read() as sql:
            version, tracked = fold_version(sql), tracked_position(sql)
        if version != FOLD_VERSION:
            if tracked:
                log.warning("projections were made by folds of version %d: rebuilding them (%d)", version, FOLD_VERSION)
                rebuild(self.log, self.db)
            else:
                with self.db.write() as sql:
                    set_fold_version(sql, FOLD_VERSION)
        self._folds_current = True

    def rebuild(self) -> int:
        """Forget every projection and fold the whole log again; the position reached."""
        reached = rebuild(self.log, self.db)
        self._folds_current = True
        return reached
