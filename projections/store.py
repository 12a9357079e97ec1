"""Materialised projections: the folds' answers kept in tables, caught up from the log.

Tables (see ``projections.database``):

- ``proj_items``: every version of every development, per scope, with its
  world-time bounds and the record-time interval in which it counted;
- ``proj_state``: each scope's state folded over every item that counts now;
- ``proj_snapshots``: each scope's state every ``tuning.SNAPSHOT_EVERY`` items in
  world order, valid for the record-time interval ``[valid_from, valid_to)``, so
  that as-of and known-at answers fold at most a snapshot's worth of items;
- ``proj_versions``: the live version of each corrected or retracted development;
- ``proj_tracking``: the log position everything above reflects.

Four jobs, a module each: ``rows`` (how rows are written and read),
``catch_up`` (bringing them forward from the log), ``rebuild`` (folding the
whole log again), ``answers`` (reading them).  ``ProjectionStore`` puts them
together: every question is answered as of the log's head.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from events.log.application import ConflictLog
from projections.answers import Answers, Folded
from projections.catch_up import CatchUp
from projections.database import Database
from projections.folds import FOLD_VERSION
from projections.items import Item, Scope
from projections.rebuild import rebuild
from projections.rows import WorldKey, fold_version, set_fold_version, tracked_position

__all__ = ["Folded", "ProjectionStore", "WorldKey"]
log = logging.getLogger("conflict_status.projections")


class ProjectionStore:
    """Materialised conflict and agenda states, kept current from the log."""

    def __init__(self, log: ConflictLog, db: Database) -> None:
        self.log = log
        self.db = db
        self._catch_up = CatchUp(log, db)
        self._answers = Answers(db)
        self._folds_current = False

    def tracked(self) -> int:
        """The log position the projections reflect."""
        return self._catch_up.tracked()

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

    def fold(self, scope: Scope, as_of: date, known_at: int | None = None, uncertain_limit: int = 50) -> Folded | None:
        """The scope's state as of a day and as known at a position (default: the head)."""
        return self._answers.fold(scope, as_of, known_at, self.catch_up(), uncertain_limit)

    def timeline(
        self, scope: Scope, *, after: WorldKey | None, limit: int, as_of: date | None, known_at: int | None
    ) -> tuple[list[Item], int]:
        """The scope's items that count at ``known_at``, in world order, after a cursor; and that position."""
        head = self.catch_up()
        return self._answers.timeline(scope, after=after, limit=limit, as_of=as_of, known_at=known_at, head=head)

    def positions(self, scope: Scope, *, after: int, until: int, limit: int) -> list[int]:
        """Log positions in ``(after, until]`` that changed what counts in the scope, in order."""
        return self._answers.positions(scope, after=after, until=until, limit=limit)

    def states(self, kind: str) -> Iterable[tuple[str, dict[str, Any]]]:
        """Every current state of one kind of scope (``conflict`` or ``agenda``)."""
        self.catch_up()
        return self._answers.states(kind)

    def keys(self, kind: str) -> list[str]:
        """The ids of every scope of one kind that has a state."""
        return self._answers.keys(kind)
