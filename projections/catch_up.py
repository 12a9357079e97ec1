"""Catching up: the projections brought forward from the log, a page at a time.

Catching up reads the log from the tracked position, in one write transaction
per ``tuning.PAGES_PER_TRANSACTION`` pages.  A development that arrives in world
order is applied to the stored state; one that arrives back-dated, or a
correction or retraction, refolds only the scopes it touches, from the last
snapshot before it.  A development whose fold fails is left out of its scope's
state and listed under its ``unfolded`` key and in ``proj_unfolded``
(``projections.folds.fold``); every other scope settles as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from events.log.application import DEVELOPMENT_TOPICS, ConflictLog
from events.log.development import RecordedDevelopment
from projections import tuning
from projections.database import Database, Sql
from projections.folds import fold, initial, unfolded
from projections.items import RECORD_KEEPING, Item, Scope, Versions, original_item, scopes
from projections.rows import (
    ITEM_COLUMNS,
    WorldKey,
    compact,
    insert_items,
    item_from_row,
    item_json,
    item_row,
    live_version,
    loads,
    replace_unfolded,
    save_state,
    set_tracked,
    state_row,
    tracked_position,
    world_key,
    write_snapshot,
)


@dataclass
class _Batch:
    """What one page of the log does to the scopes it touches."""

    appended: dict[Scope, list[Item]] = field(default_factory=dict)
    refold_from: dict[Scope, WorldKey] = field(default_factory=dict)
    first_change: dict[Scope, int] = field(default_factory=dict)
    #: the versions each settled scope's new state leaves out because their fold failed
    unfolded: dict[Scope, list[dict[str, Any]]] = field(default_factory=dict)

    def touch(self, scope: Scope, position: int) -> None:
        self.first_change.setdefault(scope, position)

    def refold(self, scope: Scope, key: WorldKey, position: int) -> None:
        self.touch(scope, position)
        self.refold_from[scope] = min(self.refold_from.get(scope, key), key)


class CatchUp:
    """Brings every projection up to the log's head (see the module's docstring)."""

    def __init__(self, log: ConflictLog, db: Database) -> None:
        self.log = log
        self.db = db

    def tracked(self) -> int:
        with self.db.read() as sql:
            return tracked_position(sql)

    def catch_up(self) -> int:
        """Bring every projection up to the log's head; return the position reached.

        Each transaction reads up to ``tuning.PAGES_PER_TRANSACTION`` pages, then settles
        every scope they touched once: a long catch-up (after a bulk import, or a
        rebuild) refolds a scope once per transaction, not once per page.
        """
        head = self.log.head()
        tracked = self.tracked()
        while tracked < head:
            with self.db.write() as sql:
                tracked = tracked_position(sql)
                if tracked >= head:
                    break
                batch = _Batch()
                for _ in range(tuning.PAGES_PER_TRANSACTION):
                    notes = self.log.recorder.select_notifications(
                        tracked, tuning.PAGE, stop=head, topics=DEVELOPMENT_TOPICS, inclusive_of_start=False
                    )
                    self._process(sql, [self.log.decode(n) for n in notes], batch)
                    tracked = notes[-1].id if len(notes) == tuning.PAGE else head
                    if tracked >= head:
                        break
                for scope in sorted(set(batch.appended) | set(batch.refold_from)):
                    self._settle(sql, scope, batch, tracked)
                replace_unfolded(sql, batch.unfolded)
                set_tracked(sql, tracked)
        return tracked

    def _process(self, sql: Sql, developments: list[RecordedDevelopment], batch: _Batch) -> None:
        """Record the items of a page of developments; ``batch`` collects the scopes to settle.

        Item rows are written in one statement per run of originals; a correction or
        retraction first flushes them, since it updates the rows of its target.
        """
        rows: list[tuple[Any, ...]] = []
        for development in developments:
            if development.type in RECORD_KEEPING:
                insert_items(sql, rows)
                rows = []
                self._record_keeping(sql, development, batch)
                continue
            item = original_item(development)
            found = scopes(item.content)
            content = compact(item.content)
            rows += [item_row(scope, item, content) for scope in found]
            for scope in found:
                batch.touch(scope, development.position)
                batch.appended.setdefault(scope, []).append(item)
        insert_items(sql, rows)

    def _record_keeping(self, sql: Sql, development: RecordedDevelopment, batch: _Batch) -> None:
        target = str(development.data["target"])
        live = live_version(sql, self.log, target)
        if live is None:
            return
        change = Versions({target: live}).apply(development, live)
        assert change.ended is not None
        sql.execute(
            "UPDATE {p}proj_items SET superseded = ? WHERE id = ? AND superseded IS NULL",
            [development.position, target],
        )
        touched = scopes(change.ended.content)
        keys = [world_key(change.ended)]
        if change.started is not None:
            started_scopes = scopes(change.started.content)
            insert_items(sql, [item_row(scope, change.started) for scope in started_scopes])
            touched |= started_scopes
            keys.append(world_key(change.started))
        stored = item_json(change.started) if change.started is not None else None
        sql.execute("DELETE FROM {p}proj_versions WHERE id = ?", [target])
        sql.execute("INSERT INTO {p}proj_versions (id, item) VALUES (?, ?)", [target, stored])
        for scope in touched:
            batch.refold(scope, min(keys), development.position)

    def _settle(self, sql: Sql, scope: Scope, batch: _Batch, reached: int) -> None:
        """Bring a touched scope's state (and snapshots) up to date."""
        stored = state_row(sql, scope)
        appended = sorted(batch.appended.get(scope, []), key=lambda i: i.world_key)
        refold_key = batch.refold_from.get(scope)
        if appended and stored is not None:
            last = stored[0]["last_key"]
            back_dated = last is not None and world_key(appended[0]) <= (last[0], last[1])
            if back_dated or refold_key is not None:
                refold_key = min(refold_key or world_key(appended[0]), world_key(appended[0]))
        if refold_key is not None:
            state = self._refold(sql, scope, refold_key, batch.first_change[scope], reached)
        else:

            def start() -> dict[str, Any]:  # again from the stored row when a fold fails
                again = state_row(sql, scope)
                return again[0] if again is not None else initial(scope)

            state = fold(scope, start, appended, self._snapshots(sql, scope, reached))
            max_latest = max([stored[1] if stored is not None else "", *(i.latest.isoformat() for i in appended)])
            save_state(sql, scope, state, max_latest)
        if unfolded(state) or (stored is not None and unfolded(stored[0])):
            batch.unfolded[scope] = unfolded(state)

    @staticmethod
    def _snapshots(sql: Sql, scope: Scope, reached: int) -> Callable[[dict[str, Any], Item], None]:
        """What a fold calls after each item: write a snapshot every ``tuning.SNAPSHOT_EVERY`` items."""

        def applied(state: dict[str, Any], item: Item) -> None:
            if state["developments"] % tuning.SNAPSHOT_EVERY == 0:
                write_snapshot(sql, scope, state, world_key(item), reached)

        return applied

    def _refold(self, sql: Sql, scope: Scope, from_key: WorldKey, changed_at: int, reached: int) -> dict[str, Any]:
        latest, position = from_key
        sql.execute(
            "UPDATE {p}proj_snapshots SET valid_to = ? WHERE scope = ? AND key = ? AND valid_to IS NULL"
            " AND latest >= ? AND (latest > ? OR position >= ?)",
            [changed_at, scope[0], scope[1], latest, latest, position],
        )
        base = sql.execute(
            "SELECT latest, position, state FROM {p}proj_snapshots WHERE scope = ? AND key = ? AND valid_to IS NULL"
            " ORDER BY latest DESC, position DESC LIMIT 1",
            [scope[0], scope[1]],
        ).fetchone()
        text = base[2] if base else None
        after = (base[0], base[1]) if base else ("", 0)
        rows = sql.execute(
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ? AND superseded IS NULL"
            " AND latest >= ? AND (latest > ? OR position > ?) ORDER BY latest, position",
            [scope[0], scope[1], after[0], after[0], after[1]],
        ).fetchall()
        items = [item_from_row(row) for row in rows]
        start = lambda: loads(text) if text is not None else initial(scope)  # noqa: E731
        state = fold(scope, start, items, self._snapshots(sql, scope, reached))
        max_row = sql.execute(
            "SELECT MAX(latest) FROM {p}proj_items WHERE scope = ? AND key = ? AND superseded IS NULL",
            [scope[0], scope[1]],
        ).fetchone()
        save_state(sql, scope, state, max_row[0] or "")
        return state
