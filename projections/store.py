"""Materialised projections, caught up from the log on demand.

Tables (see ``projections.database``):

- ``proj_items``: every version of every development, per scope, with its
  world-time bounds and the record-time interval in which it counted;
- ``proj_state``: each scope's state folded over every item that counts now;
- ``proj_snapshots``: each scope's state every ``SNAPSHOT_EVERY`` items in world
  order, valid for the record-time interval ``[valid_from, valid_to)``, so that
  as-of and known-at answers fold at most a snapshot's worth of items;
- ``proj_versions``: the live version of each corrected or retracted development;
- ``proj_tracking``: the log position everything above reflects.

Catching up reads the log from the tracked position, in one write transaction
per page.  A development that arrives in world order is applied to the stored
state; one that arrives back-dated, or a correction or retraction, refolds only
the scopes it touches, from the last snapshot before it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from events.log.application import DEVELOPMENT_TOPICS, ConflictLog
from events.log.development import RecordedDevelopment
from events.vocabulary.errors import DevelopmentNotFound
from projections.database import ITEMS_BY_ID, TRACKING_NAME, Database, Sql
from projections.folds import apply, initial
from projections.items import RECORD_KEEPING, Item, Scope, Versions, original_item, scopes

SNAPSHOT_EVERY = 64
PAGE = 1000
PAGES_PER_TRANSACTION = 20
REBUILD_CHUNK = 100_000  # developments a rebuild folds in memory at a time

WorldKey = tuple[str, int]  # (latest day as ISO text, position)


def _compact(value: Any) -> str:
    """The compact JSON that items, states and snapshots are stored as (orjson: several times faster)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_loads = orjson.loads


def _item_row(scope: Scope, item: Item, content: str | None = None) -> tuple[Any, ...]:
    """A ``proj_items`` row; ``content`` is the item's content as JSON, when already made."""
    return (
        scope[0],
        scope[1],
        item.latest.isoformat(),
        item.position,
        item.recorded,
        item.superseded,
        item.earliest.isoformat(),
        item.id,
        item.corrected_by,
        content if content is not None else _compact(item.content),
    )


ITEM_COLUMNS = "latest, position, recorded, superseded, earliest, id, corrected_by, content"


def _item(row: Sequence[Any]) -> Item:
    latest, position, recorded, superseded, earliest, ident, corrected_by, content = row
    return Item(
        id=ident,
        position=position,
        recorded=recorded,
        superseded=superseded,
        earliest=date.fromisoformat(earliest),
        latest=date.fromisoformat(latest),
        content=_loads(content),
        corrected_by=corrected_by,
    )


def _item_json(item: Item) -> str:
    return _compact(
        {
            "id": item.id,
            "position": item.position,
            "recorded": item.recorded,
            "earliest": item.earliest.isoformat(),
            "latest": item.latest.isoformat(),
            "content": item.content,
            "corrected_by": item.corrected_by,
        }
    )


def _item_from_json(text: str) -> Item:
    raw = _loads(text)
    return Item(
        id=raw["id"],
        position=raw["position"],
        recorded=raw["recorded"],
        superseded=None,
        earliest=date.fromisoformat(raw["earliest"]),
        latest=date.fromisoformat(raw["latest"]),
        content=raw["content"],
        corrected_by=raw["corrected_by"],
    )


def _key(item: Item) -> WorldKey:
    return (item.latest.isoformat(), item.position)


@dataclass
class _Batch:
    """What one page of the log does to the scopes it touches."""

    appended: dict[Scope, list[Item]] = field(default_factory=dict)
    refold_from: dict[Scope, WorldKey] = field(default_factory=dict)
    first_change: dict[Scope, int] = field(default_factory=dict)

    def touch(self, scope: Scope, position: int) -> None:
        self.first_change.setdefault(scope, position)

    def refold(self, scope: Scope, key: WorldKey, position: int) -> None:
        self.touch(scope, position)
        self.refold_from[scope] = min(self.refold_from.get(scope, key), key)


@dataclass(frozen=True)
class Folded:
    """A scope's state as folded for (as_of, known_at), and the items left out as uncertain."""

    state: dict[str, Any]
    uncertain: list[Item]
    uncertain_total: int
    as_of: date
    known_at: int
    head: int


class ProjectionStore:
    """Materialised conflict and agenda states, kept current from the log."""

    def __init__(self, log: ConflictLog, db: Database) -> None:
        self.log = log
        self.db = db

    # -- catching up ----------------------------------------------------------------

    def tracked(self) -> int:
        with self.db.read() as sql:
            row = sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ?", [TRACKING_NAME]).fetchone()
        return int(row[0]) if row else 0

    def catch_up(self) -> int:
        """Bring every projection up to the log's head; return the position reached.

        Each transaction reads up to ``PAGES_PER_TRANSACTION`` pages, then settles
        every scope they touched once: a long catch-up (after a bulk import, or a
        rebuild) refolds a scope once per transaction, not once per page.
        """
        head = self.log.head()
        tracked = self.tracked()
        while tracked < head:
            with self.db.write() as sql:
                row = sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ?", [TRACKING_NAME]).fetchone()
                tracked = int(row[0])
                if tracked >= head:
                    break
                batch = _Batch()
                for _ in range(PAGES_PER_TRANSACTION):
                    notes = self.log.recorder.select_notifications(
                        tracked, PAGE, stop=head, topics=DEVELOPMENT_TOPICS, inclusive_of_start=False
                    )
                    self._process(sql, [self.log.decode(n) for n in notes], batch)
                    tracked = notes[-1].id if len(notes) == PAGE else head
                    if tracked >= head:
                        break
                for scope in sorted(set(batch.appended) | set(batch.refold_from)):
                    self._settle(sql, scope, batch, tracked)
                sql.execute("UPDATE {p}proj_tracking SET position = ? WHERE name = ?", [tracked, TRACKING_NAME])
        return tracked

    def _process(self, sql: Sql, developments: list[RecordedDevelopment], batch: _Batch) -> None:
        """Record the items of a page of developments; ``batch`` collects the scopes to settle.

        Item rows are written in one statement per run of originals; a correction or
        retraction first flushes them, since it updates the rows of its target.
        """
        rows: list[tuple[Any, ...]] = []
        for development in developments:
            if development.type in RECORD_KEEPING:
                self._insert_items(sql, rows)
                rows = []
                self._record_keeping(sql, development, batch)
                continue
            item = original_item(development)
            found = scopes(item.content)
            content = _compact(item.content)
            rows += [_item_row(scope, item, content) for scope in found]
            for scope in found:
                batch.touch(scope, development.position)
                batch.appended.setdefault(scope, []).append(item)
        self._insert_items(sql, rows)

    @staticmethod
    def _insert_items(sql: Sql, rows: list[tuple[Any, ...]]) -> None:
        sql.executemany(
            "INSERT INTO {p}proj_items (scope, key, " + ITEM_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)", rows
        )

    def _record_keeping(self, sql: Sql, development: RecordedDevelopment, batch: _Batch) -> None:
        target = str(development.data["target"])
        live = self._live_version(sql, target)
        if live is None:
            return
        change = Versions({target: live}).apply(development, live)
        assert change.ended is not None
        sql.execute(
            "UPDATE {p}proj_items SET superseded = ? WHERE id = ? AND superseded IS NULL",
            [development.position, target],
        )
        touched = scopes(change.ended.content)
        keys = [_key(change.ended)]
        if change.started is not None:
            started_scopes = scopes(change.started.content)
            sql.executemany(
                "INSERT INTO {p}proj_items (scope, key, " + ITEM_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)",
                [_item_row(scope, change.started) for scope in started_scopes],
            )
            touched |= started_scopes
            keys.append(_key(change.started))
        stored = _item_json(change.started) if change.started is not None else None
        sql.execute("DELETE FROM {p}proj_versions WHERE id = ?", [target])
        sql.execute("INSERT INTO {p}proj_versions (id, item) VALUES (?, ?)", [target, stored])
        for scope in touched:
            batch.refold(scope, min(keys), development.position)

    def _live_version(self, sql: Sql, target: str) -> Item | None:
        """The version of ``target`` that counts now (None when retracted or not an original)."""
        row = sql.execute("SELECT item FROM {p}proj_versions WHERE id = ?", [target]).fetchone()
        if row is not None:
            return _item_from_json(row[0]) if row[0] is not None else None
        try:
            original = self.log.get(target)
        except DevelopmentNotFound:
            return None
        return None if original.type in RECORD_KEEPING else original_item(original)

    def _settle(self, sql: Sql, scope: Scope, batch: _Batch, reached: int) -> None:
        """Bring a touched scope's state (and snapshots) up to date."""
        stored = self._state_row(sql, scope)
        appended = sorted(batch.appended.get(scope, []), key=lambda i: i.world_key)
        refold_key = batch.refold_from.get(scope)
        if appended and stored is not None:
            last = stored[0]["last_key"]
            back_dated = last is not None and _key(appended[0]) <= (last[0], last[1])
            if back_dated or refold_key is not None:
                refold_key = min(refold_key or _key(appended[0]), _key(appended[0]))
        if refold_key is not None:
            self._refold(sql, scope, refold_key, batch.first_change[scope], reached)
            return
        state = stored[0] if stored is not None else initial(scope)
        max_latest = stored[1] if stored is not None else ""
        for item in appended:
            state = apply(scope, state, item)
            if state["developments"] % SNAPSHOT_EVERY == 0:
                self._snapshot(sql, scope, state, _key(item), reached)
            max_latest = max(max_latest, item.latest.isoformat())
        self._save_state(sql, scope, state, max_latest)

    def _refold(self, sql: Sql, scope: Scope, from_key: WorldKey, changed_at: int, reached: int) -> None:
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
        state = _loads(base[2]) if base else initial(scope)
        after = (base[0], base[1]) if base else ("", 0)
        rows = sql.execute(
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ? AND superseded IS NULL"
            " AND latest >= ? AND (latest > ? OR position > ?) ORDER BY latest, position",
            [scope[0], scope[1], after[0], after[0], after[1]],
        ).fetchall()
        for row in rows:
            item = _item(row)
            state = apply(scope, state, item)
            if state["developments"] % SNAPSHOT_EVERY == 0:
                self._snapshot(sql, scope, state, _key(item), reached)
        max_row = sql.execute(
            "SELECT MAX(latest) FROM {p}proj_items WHERE scope = ? AND key = ? AND superseded IS NULL",
            [scope[0], scope[1]],
        ).fetchone()
        self._save_state(sql, scope, state, max_row[0] or "")

    def _snapshot(self, sql: Sql, scope: Scope, state: dict[str, Any], key: WorldKey, valid_from: int) -> None:
        sql.execute(
            "DELETE FROM {p}proj_snapshots"
            " WHERE scope = ? AND key = ? AND latest = ? AND position = ? AND valid_from = ?",
            [scope[0], scope[1], key[0], key[1], valid_from],
        )
        sql.execute(
            "INSERT INTO {p}proj_snapshots (scope, key, latest, position, valid_from, valid_to, state)"
            " VALUES (?,?,?,?,?,NULL,?)",
            [scope[0], scope[1], key[0], key[1], valid_from, _compact(state)],
        )

    def _state_row(self, sql: Sql, scope: Scope) -> tuple[dict[str, Any], str] | None:
        row = sql.execute(
            "SELECT state, max_latest FROM {p}proj_state WHERE scope = ? AND key = ?", [scope[0], scope[1]]
        ).fetchone()
        return (_loads(row[0]), row[1]) if row else None

    def _save_state(self, sql: Sql, scope: Scope, state: dict[str, Any], max_latest: str) -> None:
        text = _compact(state)
        sql.execute("DELETE FROM {p}proj_state WHERE scope = ? AND key = ?", [scope[0], scope[1]])
        sql.execute(
            "INSERT INTO {p}proj_state (scope, key, state, max_latest) VALUES (?,?,?,?)",
            [scope[0], scope[1], text, max_latest],
        )

    def rebuild(self) -> int:
        """Forget every projection and fold the whole log again; return the position reached.

        Unlike ``catch_up`` (which settles each transaction's pages against stored
        state), a rebuild works in two passes.  First it reads the log in order,
        ``REBUILD_CHUNK`` developments at a time, turns them into versions in
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
        head = self.log.head()
        gc_was_enabled = gc.isenabled()
        # A rebuild allocates millions of acyclic containers that live until the
        # chunk is written; the cyclic collector would scan them over and over.
        gc.disable()
        try:
            with self.db.bulk() as sql:
                for table in ("proj_items", "proj_state", "proj_snapshots", "proj_versions"):
                    sql.execute(f"DELETE FROM {{p}}{table}")
                sql.execute("DROP INDEX IF EXISTS {p}proj_items_by_id")
                rebuild = _Rebuild(self, sql)
                tracked = 0
                while tracked < head:
                    notes = self.log.recorder.select_notifications(
                        tracked, PAGE, stop=head, topics=DEVELOPMENT_TOPICS, inclusive_of_start=False
                    )
                    rebuild.add([self.log.decode(n) for n in notes])
                    tracked = notes[-1].id if len(notes) == PAGE else head
                    if rebuild.pending >= REBUILD_CHUNK or tracked >= head:
                        rebuild.settle()
                rebuild.finish()
                sql.execute(ITEMS_BY_ID)
                sql.execute("UPDATE {p}proj_tracking SET position = ? WHERE name = ?", [tracked, TRACKING_NAME])
        finally:
            if gc_was_enabled:
                gc.enable()
        return tracked

    # -- answering ------------------------------------------------------------------

    def fold(self, scope: Scope, as_of: date, known_at: int | None = None, uncertain_limit: int = 50) -> Folded | None:
        """The scope's state as of a day and as known at a position (default: everything tracked).

        None when nothing of the scope counted at that position.
        """
        head = self.catch_up()
        at = head if known_at is None else min(known_at, head)
        with self.db.read() as sql:
            stored = self._state_row(sql, scope)
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
        state: dict[str, Any] = _loads(base[2]) if base else initial(scope)
        after = (base[0], base[1]) if base else ("", 0)
        rows = sql.execute(
            "SELECT " + ITEM_COLUMNS + " FROM {p}proj_items WHERE scope = ? AND key = ?"
            " AND recorded <= ? AND (superseded IS NULL OR superseded > ?) AND latest <= ?"
            " AND latest >= ? AND (latest > ? OR position > ?) ORDER BY latest, position",
            [scope[0], scope[1], at, at, day, after[0], after[0], after[1]],
        ).fetchall()
        for row in rows:
            state = apply(scope, state, _item(row))
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
        return [_item(r) for r in rows], total

    def timeline(
        self, scope: Scope, *, after: WorldKey | None, limit: int, as_of: date | None, known_at: int | None
    ) -> tuple[list[Item], int]:
        """The scope's items that count at ``known_at``, in world order, after a cursor."""
        head = self.catch_up()
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
        return [_item(r) for r in rows], at

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
        self.catch_up()
        with self.db.read() as sql:
            rows = sql.execute("SELECT key, state FROM {p}proj_state WHERE scope = ? ORDER BY key", [kind]).fetchall()
        return [(key, _loads(state)) for key, state in rows]

    def keys(self, kind: str) -> list[str]:
        with self.db.read() as sql:
            return [r[0] for r in sql.execute("SELECT key FROM {p}proj_state WHERE scope = ?", [kind]).fetchall()]


@dataclass
class _Folding:
    """A scope's state as a rebuild has folded it so far."""

    state: dict[str, Any]
    changed: int  # the last position that changed which of the scope's items folded so far count
    max_latest: str


class _Rebuild:
    """The whole log's items written a chunk at a time, then folded scope by scope (``ProjectionStore.rebuild``)."""

    #: items a scope's fold reads at a time
    FOLD_PAGE = 10_000

    def __init__(self, store: ProjectionStore, sql: Sql) -> None:
        self.store = store
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
            original = self.store.log.get(target)
        except DevelopmentNotFound:
            return None
        return None if original.type in RECORD_KEEPING else original_item(original)

    def settle(self) -> None:
        """Write the chunk's items (folding waits until every item is stored)."""
        rows: list[tuple[Any, ...]] = []
        for item in self.started.values():
            content = _compact(item.content)
            for scope in scopes(item.content):
                rows.append(_item_row(scope, item, content))
                self.scopes.add(scope)
        rows.sort(key=lambda r: r[:5])
        self.sql.copy_rows("proj_items", "scope, key, " + ITEM_COLUMNS, rows)
        self._new_chunk()

    def finish(self) -> None:
        """Fold every scope from its stored items; write snapshots, states and live versions."""
        states: list[tuple[Any, ...]] = []
        snapshots: list[tuple[Any, ...]] = []
        for scope in sorted(self.scopes):
            folding = _Folding(initial(scope), 0, "")
            for items in self._stored(scope):
                self._fold(scope, folding, items, snapshots)
            states.append((scope[0], scope[1], _compact(folding.state), folding.max_latest))
            if len(snapshots) >= self.FOLD_PAGE:
                self._write_snapshots(snapshots)
        self._write_snapshots(snapshots)
        self.sql.copy_rows("proj_state", "scope, key, state, max_latest", states)
        self.sql.copy_rows(
            "proj_versions",
            "id, item",
            [(ident, _item_json(item) if item is not None else None) for ident, item in self.versions.items()],
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
            yield [_item(row) for row in rows]
            last = rows[-1]
            after = (last[0], last[1], last[2])

    @staticmethod
    def _fold(scope: Scope, folding: _Folding, items: list[Item], snapshots: list[tuple[Any, ...]]) -> None:
        """Fold ``items`` (in sweep order, superseded versions included) onto ``folding``."""
        state = folding.state
        changed = folding.changed
        max_latest = folding.max_latest
        kind, key = scope
        for item in items:
            changed = max(changed, item.recorded if item.superseded is None else item.superseded)
            if item.superseded is not None:
                continue
            state = apply(scope, state, item)
            latest = item.latest.isoformat()
            if latest > max_latest:
                max_latest = latest
            if state["developments"] % SNAPSHOT_EVERY == 0:
                text = _compact(state)
                snapshots.append((kind, key, latest, item.position, changed, None, text))
        folding.state = state
        folding.changed = changed
        folding.max_latest = max_latest


def _sweep_order(item: Item) -> tuple[date, int, bool]:
    """World order; at one key the versions that no longer count first (they are not folded)."""
    return (item.latest, item.position, item.superseded is None)
