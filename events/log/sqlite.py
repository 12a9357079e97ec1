"""The log on SQLite: events, index rows and chain links written in one transaction.

Writers of every process queue on a blocking ``flock`` of a file beside the
database before they begin: SQLite's own busy handler polls with sleeps of up
to 100 ms, so two processes appending at once would spend most of their time
asleep (figures in ``bench/RESULTS.md``).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteCursor

from events.log.chain import table_statements as chain_table_statements
from events.log.index import (
    INSERT_DEVELOPMENT,
    INSERT_KEY,
    INSERT_REF,
    INSERT_REGISTRY,
    index_rows,
    table_statements,
)
from events.log.library import SQLiteInsertHook, sqlite_ids_are_uuids, sqlite_lock_path, sqlite_rowcount, transaction
from events.log.recent_links import RecentLinks, published
from events.log.store import LogStore
from events.log.tree import table_statements as tree_table_statements

UUID_HEX_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


class SQLiteLogStore(LogStore, SQLiteInsertHook):
    """SQLite: events, index rows and chain links in one transaction; writers queue on a file lock."""

    _writers = threading.RLock()
    _lock_fd: int | None = None

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.recent_links = RecentLinks()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self._exclusive(), published(self.recent_links):
            return super().insert_events(stored_events, **kwargs)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the writers' queue (reentrant: a group commit holds it around its insert)."""
        lock_path = sqlite_lock_path(self.datastore)
        if lock_path is None:
            yield
            return
        with self._writers:
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth == 1:
                    if self._lock_fd is None:
                        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
                    fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    if self._depth == 1 and self._lock_fd is not None:
                        fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                self._depth -= 1

    def writer_turn(self) -> AbstractContextManager[None]:
        """This process's turn to write: other processes' writers wait until it ends."""
        return self._exclusive()

    def construct_create_table_statements(self) -> list[str]:
        statements = [*super().construct_create_table_statements(), *table_statements("", "INTEGER")]
        return [*statements, *chain_table_statements("", "INTEGER"), *tree_table_statements("", "INTEGER", "BLOB")]

    def inserted(self, cursor: SQLiteCursor, stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> None:
        """Chain links, tree rows and index rows, in the transaction that inserted the events (the lock is held)."""
        self.append_links(cursor, stored_events, positions)
        rows = index_rows(stored_events, positions)
        if rows:
            cursor.executemany(INSERT_DEVELOPMENT.format(p=""), [r.development for r in rows])
            cursor.executemany(INSERT_REF.format(p=""), [ref for r in rows for ref in r.refs])
            registry = [r.registry for r in rows if r.registry]
            if registry:
                cursor.executemany(INSERT_REGISTRY.format(p=""), registry)
            keys = [r.key for r in rows if r.key]
            if keys:
                cursor.executemany(INSERT_KEY.format(p=""), keys)

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with transaction(self, commit=False) as c:
            c.execute(sql, list(params))
            return [dict(row) for row in c.fetchall()]

    def _originator(self, value: Any) -> Any:
        return self.convert_originator_id(value)

    def _tuples(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with transaction(self, commit=False) as c:
            c.execute(sql, list(params))
            return list(c.fetchall())

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        with transaction(self, commit=True) as c:
            c.execute(sql, list(params))
            return sqlite_rowcount(c)

    def _stored_id(self, ident: str) -> Any:
        try:
            return UUID(ident).hex
        except ValueError:
            return ident

    def _id_text(self, column: str) -> str:
        if not sqlite_ids_are_uuids(self):
            return column
        parts = "||'-'||".join(f"substr({column},{start},{length})" for start, length in UUID_HEX_PARTS)
        return f"CASE WHEN length({column}) = 32 THEN {parts} ELSE {column} END"  # the library stores UUID.hex

    def read_head(self, cursor: Any) -> dict[str, Any]:
        """The chain's and the tree's heads in two seeks: SQLite plans the one-statement form poorly (150 us)."""
        cursor.execute("SELECT hash, position FROM event_chain ORDER BY position DESC LIMIT 1")
        chain = cursor.fetchone()
        cursor.execute("SELECT leaf, position FROM merkle_leaves ORDER BY leaf DESC LIMIT 1")
        tree = cursor.fetchone()
        return {
            "hash": chain["hash"] if chain else None,
            "position": chain["position"] if chain else None,
            "last_leaf": tree["leaf"] if tree else None,
            "tree_position": tree["position"] if tree else None,
        }

    @contextmanager
    def signing_turn(self) -> Iterator[Any]:
        """The writers' queue and a write transaction: one signer (or writer) at a time, across processes."""
        with self._exclusive(), transaction(self, commit=True) as cursor:
            yield cursor

    def append_turn(self) -> AbstractContextManager[Any]:
        """The same turn as signing: on SQLite every writer queues on one lock."""
        return self.signing_turn()

    def _rowcount(self, cursor: Any) -> int:
        return sqlite_rowcount(cursor)

    def has_chain(self) -> bool:
        rows = self._tuples("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'event_chain'", [])
        return bool(rows)
