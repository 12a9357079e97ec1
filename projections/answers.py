"""Answering: a scope's state as of a day and as known at a position, its timeline, its changes.

Answers read, never write.  Each is computed in one read transaction from the
stored projections at their tracked position, plus the tail of the log past it
(``projections.tail``): current answers come from the stored state (with the
tail's new developments folded on top when they arrive in world order);
as-of and known-at answers, and any answer whose scope the tail changes out of
order, start from the newest snapshot valid at the tracked position that is
older than the first change, and fold the stored items after it merged with
the tail's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.log.application import ConflictLog
from events.vocabulary.errors import DomainError
from projections.database import FOLDS_NAME, TRACKING_NAME, Database, Sql
from projections.folds import FOLD_VERSION, fold, initial, unfolded
from projections.items import Item, Scope
from projections.rows import ITEM_COLUMNS, WorldKey, item_from_row, loads, state_row, tracked_position, world_key
from projections.tail import NO_CHANGE, ScopeTail, Tail, Tails

#: a date after every date a development can have: the current state folds everything
END_OF_TIME = date.max


@dataclass
class ProjectionsOutdated(DomainError):
    """The stored projections were made by folds of another version: a writer must rebuild them first."""

    stored: int
    current: int

    def __str__(self) -> str:
        return (
            f"the projections were made by folds of version {self.stored}, this service folds with version "
            f"{self.current}: answers resume once a writer (serve, import, the projection worker) has rebuilt them"
        )


@dataclass(frozen=True)
class Folded:
    """A scope's state as folded for (as_of, known_at), and the items left out as uncertain."""

    state: dict[str, Any]
    uncertain: list[Item]
    uncertain_total: int
    as_of: date
    known_at: int
    head: int
    #: the scope's earliest version in world order counting at ``known_at`` (else at ``head``), when asked
    first: Item | None = None
    first_asked: bool = False


@dataclass(frozen=True)
class Reading:
    """One read transaction: the stored projections at ``tracked``, and the tail read up to ``head``."""

    sql: Sql
    tracked: int
    tail: Tail
    head: int

    def at(self, known_at: int | None) -> int:
        """The position an answer is for: ``known_at``, at most the head (default: the head)."""
        return self.head if known_at is None else min(known_at, self.head)

    def changes(self, scope: Scope, at: int) -> ScopeTail:
        return self.tail.scope(scope, at) if at > self.tracked else NO_CHANGE


class Answers:
    """Reads of the materialised projections and the log's tail (see the module's docstring)."""

    def __init__(self, log: ConflictLog, db: Database) -> None:
        self.log = log
        self.db = db
        self.tails = Tails(log)

    @contextmanager
    def reading(self) -> Iterator[Reading]:
        """A read transaction of the projections, with the tail past their tracked position."""
        with self.db.read() as sql:
            rows = dict(
                sql.execute(
                    "SELECT name, position FROM {p}proj_tracking WHERE name IN (?, ?)", [TRACKING_NAME, FOLDS_NAME]
                ).fetchall()
            )
            tracked, version = int(rows.get(TRACKING_NAME, 0)), int(rows.get(FOLDS_NAME, 0))
            if tracked and version != FOLD_VERSION:  # states of another shape: a reader cannot rebuild them
                raise ProjectionsOutdated(version, FOLD_VERSION)
            tail, head = self.tails.get(sql, tracked, self.log.head())
            yield Reading(sql, tracked, tail, head)

    def head(self) -> int:
        """The log position answers reflect now."""
        with self.reading() as reading:
            return reading.head

    def tracked(self) -> int:
        """The log position the stored projections reflect."""
        with self.db.read() as sql:
            return tracked_position(sql)

    def fold(
        self, scope: Scope, as_of: date, known_at: int | None, uncertain_limit: int = 50, first: bool = False
    ) -> Folded | None:
        """The scope's state as of a day and as known at a position (default: the head).

        None when nothing of the scope counted at that position.  With ``first``,
        also the scope's earliest version (``Folded.first``), in the same reading.
        """
        with self.reading() as r:
            at = r.at(known_at)
            change = r.changes(scope, at)
            stored = state_row(r.sql, scope)
            if stored is None and change.empty:
                return None
            state = self._state(r, scope, as_of, at, stored, change)
            uncertain, total = self._uncertain(r.sql, scope, as_of, min(at, r.tracked), uncertain_limit, change)
            earliest = None
            if first:
                for asked in (at, r.head):
                    found = self._timeline(r, scope, None, 1, None, asked)
                    if found:
                        earliest = found[0]
                        break
        if state["developments"] == 0 and not uncertain and not unfolded(state):
            return None
        return Folded(state, uncertain, total, as_of, at, r.head, earliest, first)

    def _state(
        self,
        r: Reading,
        scope: Scope,
        as_of: date,
        at: int,
        stored: tuple[dict[str, Any], str] | None,
        change: ScopeTail,
    ) -> dict[str, Any]:
        """The state as of ``as_of`` and as known at ``at``: the stored items that count, with the tail's."""
        sql = r.sql
        day = as_of.isoformat()
        if change.empty:
            if stored is not None and at >= r.tracked and day >= stored[1]:
                return stored[0]
            return self._fold_at(sql, scope, as_of, min(at, r.tracked))
        if not change.ended and all(i.latest <= as_of for i in change.items):
            last = stored[0]["last_key"] if stored is not None else None
            in_order = last is None or world_key(change.items[0]) > (last[0], last[1])
            if in_order and (stored is None or day >= stored[1]):  # the tail's developments go on top

                def start() -> dict[str, Any]:
                    again = state_row(sql, scope)
                    return again[0] if again is not None else initial(scope)

                return fold(scope, start, change.items)
        return self._fold_at(sql, scope, as_of, r.tracked, change)

    def _fold_at(self, sql: Sql, scope: Scope, as_of: date, at: int, change: ScopeTail = NO_CHANGE) -> dict[str, Any]:
        """Fold from the newest snapshot valid at ``at`` before the tail's first change, stored items and the tail's."""
        day = as_of.isoformat()
        before = change.from_key or ("9999-12-31", 2**62)
        base = sql.execute(
            "SELECT latest, position, state FROM {p}proj_snapshots WHERE scope = ? AND key = ? AND latest <= ?"
            " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
            " AND (latest < ? OR (latest = ? AND position < ?))"
            " ORDER BY latest DESC, position DESC LIMIT 1",
            [scope[0], scope[1], day, at, at, before[0], before[0], before[1]],
        ).fetchone()
        after = (base[0], base[1]) if base else ("", 0)
        rows = sql.execute(
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ?"
            " AND recorded <= ? AND (superseded IS NULL OR superseded > ?) AND latest <= ?"
            " AND latest >= ? AND (latest > ? OR position > ?) ORDER BY latest, position",
            [scope[0], scope[1], at, at, day, after[0], after[0], after[1]],
        ).fetchall()
        items = [item_from_row(row) for row in rows]
        if not change.empty:
            items = [i for i in items if (i.id, i.recorded) not in change.ended]
            items += [i for i in change.items if i.latest <= as_of]
            items.sort(key=lambda i: i.world_key)
        text = base[2] if base else None
        return fold(scope, lambda: loads(text) if text is not None else initial(scope), items)

    def _uncertain(
        self, sql: Sql, scope: Scope, as_of: date, at: int, limit: int, change: ScopeTail
    ) -> tuple[list[Item], int]:
        """Versions whose dates straddle ``as_of`` (stored ones counting at ``at``, and the tail's), by position."""
        day = as_of.isoformat()
        where = (
            " FROM {p}proj_items WHERE scope = ? AND key = ? AND recorded <= ?"
            " AND (superseded IS NULL OR superseded > ?) AND earliest <= ? AND latest > ?"
            " AND earliest < latest"  # what can straddle a day, read through the small partial index
        )
        params = [scope[0], scope[1], at, at, day, day]
        total = int(sql.execute("SELECT COUNT(*)" + where, params).fetchone()[0])
        rows = []
        if total:
            found = sql.execute(
                "SELECT " + ITEM_COLUMNS + where + " ORDER BY position LIMIT ?", [*params, limit + len(change.ended)]
            ).fetchall()
            rows = [item_from_row(r) for r in found]
        if change.empty:
            return rows, total
        straddles = [i for i in change.items if i.earliest <= as_of < i.latest]
        gone = [i for i in change.ended.values() if i.earliest <= as_of < i.latest]
        kept = [i for i in rows if (i.id, i.recorded) not in change.ended]
        merged = sorted(kept + straddles, key=lambda i: i.position)
        return merged[:limit], total - len(gone) + len(straddles)

    def timeline(
        self,
        scope: Scope,
        *,
        after: WorldKey | None,
        limit: int,
        as_of: date | None,
        known_at: int | None,
    ) -> tuple[list[Item], int, int]:
        """The scope's items that count at ``known_at`` (default: the head), in world order, after a cursor.

        Also the position they count at, and the head the answer reflects.
        """
        with self.reading() as r:
            at = r.at(known_at)
            return self._timeline(r, scope, after, limit, as_of, at), at, r.head

    def _timeline(
        self, r: Reading, scope: Scope, after: WorldKey | None, limit: int, as_of: date | None, at: int
    ) -> list[Item]:
        latest, position = after or ("", 0)
        change = r.changes(scope, at)
        sql_text = (
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ?"
            " AND recorded <= ? AND (superseded IS NULL OR superseded > ?)"
            " AND latest >= ? AND (latest > ? OR position > ?)"
        )
        stored_at = min(at, r.tracked)
        params: list[Any] = [scope[0], scope[1], stored_at, stored_at, latest, latest, position]
        if as_of is not None:
            sql_text += " AND latest <= ?"
            params.append(as_of.isoformat())
        rows = r.sql.execute(
            sql_text + " ORDER BY latest, position LIMIT ?", [*params, limit + len(change.ended)]
        ).fetchall()
        items = [item_from_row(row) for row in rows]
        if not change.empty:
            items = [i for i in items if (i.id, i.recorded) not in change.ended]
            items += [
                i for i in change.items if world_key(i) > (latest, position) and (as_of is None or i.latest <= as_of)
            ]
            items.sort(key=lambda i: i.world_key)
        return items[:limit]

    def positions(self, scope: Scope, *, after: int, until: int, limit: int) -> list[int]:
        """Log positions in ``(after, until]`` that changed what counts in the scope, in order.

        A position counts when a version of a development started there (the
        development itself, or a correction) or stopped there (a correction or a
        retraction).
        """
        with self.reading() as r:
            rows = r.sql.execute(
                "SELECT p FROM (SELECT recorded AS p FROM {p}proj_items WHERE scope = ? AND key = ?"
                " UNION SELECT superseded AS p FROM {p}proj_items"
                " WHERE scope = ? AND key = ? AND superseded IS NOT NULL)"
                " AS changes WHERE p > ? AND p <= ? ORDER BY p LIMIT ?",
                [scope[0], scope[1], scope[0], scope[1], after, min(until, r.tracked), limit],
            ).fetchall()
            found = {int(row[0]) for row in rows} | r.tail.positions(scope, after, min(until, r.head))
        return sorted(found)[:limit]

    def states(self, kind: str) -> tuple[list[tuple[str, dict[str, Any]]], int]:
        """Every current state of one kind of scope (``conflict`` or ``agenda``), and the head they reflect."""
        with self.reading() as r:
            rows = r.sql.execute("SELECT key, state FROM {p}proj_state WHERE scope = ? ORDER BY key", [kind]).fetchall()
            found = {key: loads(state) for key, state in rows}
            for key in r.tail.keys(kind):
                scope = (kind, key)
                change = r.changes(scope, r.head)
                if not change.empty:
                    found[key] = self._state(r, scope, END_OF_TIME, r.head, state_row(r.sql, scope), change)
                elif key not in found:  # a version started and ended in the tail: its scope is there, empty
                    found[key] = initial(scope)
        return sorted(found.items()), r.head

    def keys(self, kind: str) -> list[str]:
        """The ids of every scope of one kind that has a state (stored, or made by the tail)."""
        with self.reading() as r:
            rows = r.sql.execute("SELECT key FROM {p}proj_state WHERE scope = ?", [kind]).fetchall()
            stored = {row[0] for row in rows}
            return sorted(stored | r.tail.keys(kind))

    def unfolded(self) -> list[dict[str, Any]]:
        """Every scope's versions its current state left out because their fold failed (stored states)."""
        with self.db.read() as sql:
            rows = sql.execute(
                "SELECT scope, key, id, recorded, type, error FROM {p}proj_unfolded ORDER BY scope, key, recorded"
            ).fetchall()
        return [
            {"scope": scope, "key": key, "id": ident, "recorded": recorded, "type": kind, "error": error}
            for scope, key, ident, recorded, kind, error in rows
        ]
