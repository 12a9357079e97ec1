"""Answering: a scope's state as of a day and as known at a position, its timeline, its changes.

Current answers come from the stored state; as-of and known-at answers start
from the newest snapshot valid at that position and fold the items after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.database import Database, Sql
from projections.folds import apply, initial
from projections.items import Item, Scope
from projections.rows import ITEM_COLUMNS, WorldKey, item_from_row, loads, state_row


@dataclass(frozen=True)
class Folded:
    """A scope's state as folded for (as_of, known_at), and the items left out as uncertain."""

    state: dict[str, Any]
    uncertain: list[Item]
    uncertain_total: int
    as_of: date
    known_at: int
    head: int


class Answers:
    """Reads of the materialised projections (``head``: the position they were caught up to)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def fold(
        self, scope: Scope, as_of: date, known_at: int | None, head: int, uncertain_limit: int = 50
    ) -> Folded | None:
        """The scope's state as of a day and as known at a position (default: ``head``).

        None when nothing of the scope counted at that position.
        """
        at = head if known_at is None else min(known_at, head)
        with self.db.read() as sql:
            stored = state_row(sql, scope)
            if stored is None:
                return None
            current = at >= head and as_of.isoformat() >= stored[1]
            state = stored[0] if current else self._fold_at(sql, scope, as_of, at)
            uncertain, total = self._uncertain(sql, scope, as_of, at, uncertain_limit)
        if state["developments"] == 0 and not uncertain:
            return None
        return Folded(state, uncertain, total, as_of, at, head)

    def _fold_at(self, sql: Sql, scope: Scope, as_of: date, at: int) -> dict[str, Any]:
        day = as_of.isoformat()
        base = sql.execute(
            "SELECT latest, position, state FROM {p}proj_snapshots WHERE scope = ? AND key = ? AND latest <= ?"
            " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY latest DESC, position DESC LIMIT 1",
            [scope[0], scope[1], day, at, at],
        ).fetchone()
        state: dict[str, Any] = loads(base[2]) if base else initial(scope)
        after = (base[0], base[1]) if base else ("", 0)
        rows = sql.execute(
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ?"
            " AND recorded <= ? AND (superseded IS NULL OR superseded > ?) AND latest <= ?"
            " AND latest >= ? AND (latest > ? OR position > ?) ORDER BY latest, position",
            [scope[0], scope[1], at, at, day, after[0], after[0], after[1]],
        ).fetchall()
        for row in rows:
            state = apply(scope, state, item_from_row(row))
        return state

    def _uncertain(self, sql: Sql, scope: Scope, as_of: date, at: int, limit: int) -> tuple[list[Item], int]:
        day = as_of.isoformat()
        where = (
            " FROM {p}proj_items WHERE scope = ? AND key = ? AND recorded <= ?"
            " AND (superseded IS NULL OR superseded > ?) AND earliest <= ? AND latest > ?"
            " AND earliest < latest"  # what can straddle a day, read through the small partial index
        )
        params = [scope[0], scope[1], at, at, day, day]
        total = int(sql.execute("SELECT COUNT(*)" + where, params).fetchone()[0])
        if not total:
            return [], 0
        rows = sql.execute("SELECT " + ITEM_COLUMNS + where + " ORDER BY position LIMIT ?", [*params, limit]).fetchall()
        return [item_from_row(r) for r in rows], total

    def timeline(
        self,
        scope: Scope,
        *,
        after: WorldKey | None,
        limit: int,
        as_of: date | None,
        known_at: int | None,
        head: int,
    ) -> tuple[list[Item], int]:
        """The scope's items that count at ``known_at`` (default: ``head``), in world order, after a cursor."""
        at = head if known_at is None else min(known_at, head)
        latest, position = after or ("", 0)
        sql_text = (
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ?"
            " AND recorded <= ? AND (superseded IS NULL OR superseded > ?)"
            " AND latest >= ? AND (latest > ? OR position > ?)"
        )
        params: list[Any] = [scope[0], scope[1], at, at, latest, latest, position]
        if as_of is not None:
            sql_text += " AND latest <= ?"
            params.append(as_of.isoformat())
        with self.db.read() as sql:
            rows = sql.execute(sql_text + " ORDER BY latest, position LIMIT ?", [*params, limit]).fetchall()
        return [item_from_row(r) for r in rows], at

    def positions(self, scope: Scope, *, after: int, until: int, limit: int) -> list[int]:
        """Log positions in ``(after, until]`` that changed what counts in the scope, in order.

        A position counts when a version of a development started there (the
        development itself, or a correction) or stopped there (a correction or a
        retraction).
        """
        with self.db.read() as sql:
            rows = sql.execute(
                "SELECT p FROM (SELECT recorded AS p FROM {p}proj_items WHERE scope = ? AND key = ?"
                " UNION SELECT superseded AS p FROM {p}proj_items"
                " WHERE scope = ? AND key = ? AND superseded IS NOT NULL)"
                " AS changes WHERE p > ? AND p <= ? ORDER BY p LIMIT ?",
                [scope[0], scope[1], scope[0], scope[1], after, until, limit],
            ).fetchall()
        return [int(r[0]) for r in rows]

    def states(self, kind: str) -> Iterable[tuple[str, dict[str, Any]]]:
        """Every stored current state of one kind of scope (``conflict`` or ``agenda``)."""
        with self.db.read() as sql:
            rows = sql.execute("SELECT key, state FROM {p}proj_state WHERE scope = ? ORDER BY key", [kind]).fetchall()
        return [(key, loads(state)) for key, state in rows]

    def keys(self, kind: str) -> list[str]:
        """The ids of every scope of one kind that has a state."""
        with self.db.read() as sql:
            return [r[0] for r in sql.execute("SELECT key FROM {p}proj_state WHERE scope = ?", [kind]).fetchall()]
