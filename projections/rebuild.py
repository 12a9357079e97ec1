"""Rebuilding: every projection forgotten and folded again from the whole log."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from events.log.application import DEVELOPMENT_TOPICS, ConflictLog
from events.log.development import RecordedDevelopment
from events.vocabulary.errors import DevelopmentNotFound
from projections import tuning
from projections.database import ITEMS_BY_ID, Database, Sql
from projections.folds import FOLD_VERSION, FoldFailed, Version, apply, initial, leave_out, unfolded
from projections.items import RECORD_KEEPING, Item, Scope, Versions, original_item, scopes
from projections.rows import (
    ITEM_COLUMNS,
    UNFOLDED_COLUMNS,
    compact,
    item_from_row,
    item_json,
    item_row,
    set_fold_version,
    set_tracked,
    unfolded_rows,
)


def rebuild(log: ConflictLog, db: Database) -> int:
    """Forget every projection and fold the whole log again; return the position reached.

    Unlike ``catch_up`` (which settles each transaction's pages against stored
    state), a rebuild works in two passes.  First it reads the log in order,
    ``tuning.REBUILD_CHUNK`` developments at a time, turns them into versions in
    memory (as ``catch_up`` does) and writes each chunk's items in bulk.  Then
    it folds each scope once, reading its items back in world order (the
    items' primary key), and writes snapshots and states in bulk.  So every
    item is written once and read once, however back-dated the log is (folding
    chunk by chunk, a log of random dates refolded most of each scope for every
    chunk: five times the work at a million developments).  Everything happens
    in one transaction, so readers see the old projections until the new ones
    are complete.  The result equals what ``catch_up`` builds from nothing (the
    tests compare both), except that a snapshot is valid from the last position
    that changed what it folds rather than from the end of a transaction: it
    serves as-known-at questions for more positions, not fewer.
    """
    head = log.head()
    gc_was_enabled = gc.isenabled()
    # A rebuild allocates millions of acyclic containers that live until the
    # chunk is written; the cyclic collector would scan them over and over.
    gc.disable()
    try:
        with db.bulk() as sql:
            for table in ("proj_items", "proj_state", "proj_snapshots", "proj_versions", "proj_unfolded"):
                sql.execute(f"DELETE FROM {{p}}{table}")
            sql.execute("DROP INDEX IF EXISTS {p}proj_items_by_id")
            rebuild = _Rebuild(log, sql)
            tracked = 0
            while tracked < head:
                notes = log.recorder.select_notifications(
                    tracked, tuning.PAGE, stop=head, topics=DEVELOPMENT_TOPICS, inclusive_of_start=False
                )
                rebuild.add([log.decode(n) for n in notes])
                tracked = notes[-1].id if len(notes) == tuning.PAGE else head
                if rebuild.pending >= tuning.REBUILD_CHUNK or tracked >= head:
                    rebuild.settle()
            rebuild.finish()
            sql.execute(ITEMS_BY_ID)
            set_tracked(sql, tracked)
            set_fold_version(sql, FOLD_VERSION)
    finally:
        if gc_was_enabled:
            gc.enable()
    return tracked


@dataclass
class _Folding:
    """A scope's state as a rebuild has folded it so far."""

    state: dict[str, Any]
    changed: int  # the last position that changed which of the scope's items folded so far count
    max_latest: str


class _Rebuild:
    """The whole log's items written a chunk at a time, then folded scope by scope (``rebuild``)."""

    #: items a scope's fold reads at a time
    FOLD_PAGE = 10_000

    def __init__(self, log: ConflictLog, sql: Sql) -> None:
        self.log = log
        self.sql = sql
        self.versions: dict[str, Item | None] = {}  # proj_versions: corrected or retracted developments
        self.scopes: set[Scope] = set()
        self._new_chunk()

    def _new_chunk(self) -> None:
        self.pending = 0
        self.started: dict[tuple[str, int], Item] = {}  # versions started in this chunk, by (id, recorded)
        self.live: dict[str, Item] = {}  # this chunk's live versions, by development id

    def add(self, developments: list[RecordedDevelopment]) -> None:
        """Turn developments, in log order, into versions (as ``catch_up`` does, in memory)."""
        for development in developments:
            self.pending += 1
            if development.type not in RECORD_KEEPING:
                item = original_item(development)
                self.started[(item.id, item.recorded)] = item
                self.live[item.id] = item
                continue
            target = str(development.data["target"])
            live = self._live_version(target)
            if live is None:
                continue
            change = Versions({target: live}).apply(development, live)
            ended = change.ended
            assert ended is not None
            if (ended.id, ended.recorded) in self.started:
                self.started[(ended.id, ended.recorded)] = ended
            else:  # stored by an earlier chunk
                self.sql.executemany(
                    "UPDATE {p}proj_items SET superseded = ? WHERE scope = ? AND key = ?"
                    " AND latest = ? AND position = ? AND recorded = ? AND superseded IS NULL",
                    [
                        [development.position, *scope, ended.latest.isoformat(), ended.position, ended.recorded]
                        for scope in scopes(ended.content)
                    ],
                )
            if change.started is not None:
                self.started[(change.started.id, change.started.recorded)] = change.started
                self.live[target] = change.started
            else:
                self.live.pop(target, None)
            self.versions[target] = change.started

    def _live_version(self, target: str) -> Item | None:
        if target in self.versions:
            return self.versions[target]
        if target in self.live:
            return self.live[target]
        try:
            original = self.log.get(target)
        except DevelopmentNotFound:
            return None
        return None if original.type in RECORD_KEEPING else original_item(original)

    def settle(self) -> None:
        """Write the chunk's items (folding waits until every item is stored)."""
        rows: list[tuple[Any, ...]] = []
        for item in self.started.values():
            content = compact(item.content)
            for scope in scopes(item.content):
                rows.append(item_row(scope, item, content))
                self.scopes.add(scope)
        rows.sort(key=lambda r: r[:5])
        self.sql.copy_rows("proj_items", "scope, key, " + ITEM_COLUMNS, rows)
        self._new_chunk()

    def finish(self) -> None:
        """Fold every scope from its stored items; write snapshots, states and live versions."""
        states: list[tuple[Any, ...]] = []
        snapshots: list[tuple[Any, ...]] = []
        failures: list[tuple[Any, ...]] = []
        for scope in sorted(self.scopes):
            folding = self._fold_scope(scope, snapshots)
            states.append((scope[0], scope[1], compact(folding.state), folding.max_latest))
            failures += unfolded_rows(scope, unfolded(folding.state))
            if len(snapshots) >= self.FOLD_PAGE:
                self._write_snapshots(snapshots)
        self._write_snapshots(snapshots)
        self.sql.copy_rows("proj_state", "scope, key, state, max_latest", states)
        self.sql.copy_rows("proj_unfolded", UNFOLDED_COLUMNS, failures)
        self.sql.copy_rows(
            "proj_versions",
            "id, item",
            [(ident, item_json(item) if item is not None else None) for ident, item in self.versions.items()],
        )

    def _write_snapshots(self, snapshots: list[tuple[Any, ...]]) -> None:
        self.sql.copy_rows("proj_snapshots", "scope, key, latest, position, valid_from, valid_to, state", snapshots)
        snapshots.clear()

    def _stored(self, scope: Scope) -> Iterator[list[Item]]:
        """The scope's items, superseded versions included, in sweep order, a page at a time.

        The primary key's order (latest, position, recorded) is sweep order: of
        two versions at one world key, the older is the superseded one.
        """
        after: tuple[str, int, int] = ("", 0, -1)
        while True:
            rows = self.sql.execute(
                "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ?"
                " AND latest >= ? AND (latest > ? OR position > ? OR (position = ? AND recorded > ?))"
                " ORDER BY latest, position, recorded LIMIT ?",
                [scope[0], scope[1], after[0], after[0], after[1], after[1], after[2], self.FOLD_PAGE],
            ).fetchall()
            if not rows:
                return
            yield [item_from_row(row) for row in rows]
            last = rows[-1]
            after = (last[0], last[1], last[2])

    def _fold_scope(self, scope: Scope, snapshots: list[tuple[Any, ...]]) -> _Folding:
        """Fold a scope from its stored items; a development whose fold fails is left out (``folds.fold``)."""
        failed: dict[Version, FoldFailed] = {}
        kept = len(snapshots)  # the scope's snapshots start here (none are written until it is folded)
        while True:
            folding = _Folding(initial(scope), 0, "")
            try:
                for items in self._stored(scope):
                    self._fold(scope, folding, items, snapshots, failed)
                return folding
            except FoldFailed as e:
                failed[e.version] = e
                del snapshots[kept:]

    @staticmethod
    def _fold(
        scope: Scope,
        folding: _Folding,
        items: list[Item],
        snapshots: list[tuple[Any, ...]],
        failed: dict[Version, FoldFailed],
    ) -> None:
        """Fold ``items`` (in sweep order, superseded versions included) onto ``folding``."""
        state = folding.state
        changed = folding.changed
        max_latest = folding.max_latest
        kind, key = scope
        for item in items:
            changed = max(changed, item.recorded if item.superseded is None else item.superseded)
            if item.superseded is not None:
                continue
            latest = item.latest.isoformat()
            if latest > max_latest:
                max_latest = latest
            if (item.id, item.recorded) in failed:
                leave_out(state, failed[(item.id, item.recorded)])
                continue
            state = apply(scope, state, item)
            if state["developments"] % tuning.SNAPSHOT_EVERY == 0:
                text = compact(state)
                snapshots.append((kind, key, latest, item.position, changed, None, text))
        folding.state = state
        folding.changed = changed
        folding.max_latest = max_latest
