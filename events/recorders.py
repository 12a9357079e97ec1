"""Application recorders that keep the log's index in the same transaction as the events.

The library serialises inserts (SQLite's single writer; PostgreSQL's table lock),
so index rows are written, like the events, in position order and atomically with
them: a development is either stored and indexed, or neither.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import Any

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.sql import SQL, Composable

from events.chain import Link
from events.chain import table_statements as chain_table_statements
from events.chain_store import PostgresChainStore, SQLiteChainStore
from events.index import IndexRows, rows_for, table_statements
from events.recent_links import RecentLinks

_INSERT_DEVELOPMENT = "INSERT INTO {p}development_index VALUES (?,?,?,?,?,?,?)"
_INSERT_REF = "INSERT INTO {p}development_refs (position, kind, ref) VALUES (?,?,?)"
_INSERT_REGISTRY = "INSERT INTO {p}registry (kind, key, position) VALUES (?,?,?)"


def _index_rows(stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> list[IndexRows]:
    rows = []
    for stored, position in zip(stored_events, positions, strict=True):
        row = rows_for(position, stored.originator_id, stored.topic, stored.state)
        if row is not None:
            rows.append(row)
    return rows


class IndexQueries:
    """Reads of the index, shared by both backends; ``_rows`` runs one query."""

    prefix = ""
    events_table = "stored_events"
    position_column = "rowid"

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _originator(self, value: Any) -> Any:
        return value

    def _table(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def index_by_ids(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Index rows (position, id, type, digest, ...) of the given development ids."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"SELECT * FROM {self._table('development_index')} WHERE id IN ({marks})", chunk):
                found[row["id"]] = row
        return found

    def registry_since(self, position: int) -> list[dict[str, Any]]:
        """Registry rows (kind, key, position) recorded after ``position``."""
        return self._rows(
            f"SELECT kind, key, position FROM {self._table('registry')} WHERE position > ? ORDER BY position",
            [position],
        )

    def registry_rows(self, kind: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(keys))
        return self._rows(
            f"SELECT kind, key, position FROM {self._table('registry')} WHERE kind = ? AND key IN ({marks})",
            [kind, *keys],
        )

    def select_positions(
        self,
        *,
        after: int,
        limit: int,
        types: Sequence[str] = (),
        conflict: str | None = None,
        actor: str | None = None,
        occurred_from: str | None = None,
        occurred_to: str | None = None,
    ) -> list[int]:
        """Positions of developments matching the filters, in log order.

        ``occurred_from``/``occurred_to`` keep developments whose allowed days
        overlap the range.
        """
        sql = f"SELECT d.position FROM {self._table('development_index')} d"
        where = ["d.position > ?"]
        params: list[Any] = [after]
        for kind, value in (("conflict", conflict), ("actor", actor)):
            if value is not None:
                alias = f"r_{kind}"
                sql += f" JOIN {self._table('development_refs')} {alias} ON {alias}.position = d.position"
                where.append(f"{alias}.kind = ? AND {alias}.ref = ?")
                params += [kind, value]
        if types:
            where.append(f"d.type IN ({','.join('?' * len(types))})")
            params += list(types)
        if occurred_from is not None:
            where.append("d.latest >= ?")
            params.append(occurred_from)
        if occurred_to is not None:
            where.append("d.earliest <= ?")
            params.append(occurred_to)
        sql += " WHERE " + " AND ".join(where) + " ORDER BY d.position LIMIT ?"
        params.append(limit)
        return [row["position"] for row in self._rows(sql, params)]

    def select_stored(self, positions: Sequence[int]) -> list[Notification]:
        """The stored events at the given positions, in position order."""
        out: list[Notification] = []
        for start in range(0, len(positions), 500):
            chunk = list(positions[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._rows(
                f"SELECT {self.position_column} AS position, originator_id, originator_version, topic, state "
                f"FROM {self._table(self.events_table)} WHERE {self.position_column} IN ({marks}) "
                f"ORDER BY {self.position_column}",
                chunk,
            )
            out += [
                Notification(
                    id=row["position"],
                    originator_id=self._originator(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in rows
            ]
        return out

    def position_at(self, recorded_at: str) -> int:
        """The newest position recorded at or before an ISO timestamp (UTC, as stored); 0 if none."""
        rows = self._rows(
            f"SELECT MAX(position) AS p FROM {self._table('development_index')} WHERE recorded_at <= ?", [recorded_at]
        )
        return int(rows[0]["p"] or 0)

    def count_developments(self) -> int:
        rows = self._rows(f"SELECT COUNT(*) AS n FROM {self._table('development_index')}", [])
        return int(rows[0]["n"])


class IndexedSQLiteRecorder(IndexQueries, SQLiteChainStore, SQLiteApplicationRecorder):
    """SQLite: events, index rows and chain links in one transaction.

    Writers of every process queue on a blocking ``flock`` of a file beside the
    database before they begin: SQLite's own busy handler polls with sleeps of
    up to 100 ms, so two processes appending at once spent most of their time
    asleep (158 single appends/s over HTTP with two workers; with the queue 420/s).
    """

    _writers = threading.RLock()
    _lock_fd: int | None = None

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.recent_links = RecentLinks()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self._exclusive(), _published(self.recent_links):
            return super().insert_events(stored_events, **kwargs)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the writers' queue (reentrant: a group commit holds it around its insert)."""
        name = self.datastore.pool.db_name
        if self.datastore.pool.is_sqlite_memory_mode:
            yield
            return
        with self._writers:
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth == 1:
                    if self._lock_fd is None:
                        self._lock_fd = os.open(f"{name}-writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
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
        return [*statements, *chain_table_statements("", "INTEGER")]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        self.recent_links.stage(self.append_links(c, stored_events, positions))  # the write lock is held
        rows = _index_rows(stored_events, positions)
        if rows:
            c.executemany(_INSERT_DEVELOPMENT.format(p=""), [r.development for r in rows])
            c.executemany(_INSERT_REF.format(p=""), [ref for r in rows for ref in r.refs])
            registry = [r.registry for r in rows if r.registry]
            if registry:
                c.executemany(_INSERT_REGISTRY.format(p=""), registry)
        return positions

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, list(params))
            return [dict(row) for row in c.fetchall()]

    def _originator(self, value: Any) -> Any:
        return self.convert_originator_id(value)


class IndexedPostgresRecorder(IndexQueries, PostgresChainStore, PostgresApplicationRecorder):
    """PostgreSQL: index rows and chain links written under the same table lock and transaction."""

    position_column = "notification_id"

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.prefix = f'"{self.datastore.schema}".'
        self.events_table = events_table_name
        self.sql_create_statements += [SQL(s).format() for s in table_statements(self.prefix, "BIGINT")]
        self.sql_create_statements += [SQL(s).format() for s in chain_table_statements(self.prefix, "BIGINT")]  # type: ignore[arg-type]
        self.recent_links = RecentLinks()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Insert events, chain links and index rows in one transaction of four round trips.

        Each round trip inside the table lock is time every other writer waits,
        so: (1) begin, take the lock, notify and read the chain's head in one
        message; (2) insert the events; (3) insert links and index rows in one
        statement of arrays; (4) commit.  (The library's pipeline-mode insert
        hung for good under load with batches of thousands, so none is used.)
        """
        if not stored_events:
            return []
        with _published(self.recent_links), self.datastore.get_connection() as conn, conn.cursor() as curs:
            try:
                curs.execute(self._begin_locked)
                while curs.nextset():
                    pass
                head = curs.fetchone()
                PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)
                positions = [row["notification_id"] for row in curs.fetchall()]
                if len(positions) != len(stored_events):
                    raise ProgrammingError(f"{len(positions)} positions for {len(stored_events)} events")
                links = self.links_after(curs, head["hash"] if head else None, stored_events, positions)
                self.recent_links.stage(links)
                curs.execute(self._insert_rest, _arrays(links, _index_rows(stored_events, positions)))
                curs.execute("COMMIT")
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.rollback()
                raise
            return positions

    @cached_property
    def _begin_locked(self) -> str:
        """BEGIN, the library's lock statements, NOTIFY, and the chain's head: one message."""
        lock = "; ".join(
            statement.as_string() if isinstance(statement, Composable) else str(statement)
            for statement in self.lock_table_statements
        )
        notify = f'NOTIFY "{self.channel_name}"'
        head = self.HEAD_HASH.format(chain=self._table("event_chain"))
        return f"BEGIN; {lock}; {notify}; {head}"

    @cached_property
    def _insert_rest(self) -> str:
        p = self.prefix
        return (
            f"WITH links AS (INSERT INTO {p}event_chain (position, id, hash, prev_hash) "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])), "
            f"developments AS (INSERT INTO {p}development_index "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[])), "
            f"refs AS (INSERT INTO {p}development_refs (position, kind, ref) "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[])) "
            f"INSERT INTO {p}registry (kind, key, position) SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[])"
        )

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(_pg(sql), list(params))  # type: ignore[arg-type]
            return [dict(row) for row in curs.fetchall()]


@contextmanager
def _published(recent: RecentLinks) -> Iterator[None]:
    """Publish the links staged inside the block once it has committed; drop them if it failed."""
    try:
        yield
    except BaseException:
        recent.discard()
        raise
    recent.publish()


def _arrays(links: Sequence[Link], rows: Sequence[IndexRows]) -> list[list[Any]]:
    """The columns of the links and index rows, as the arrays ``_insert_rest`` unnests."""
    developments = [r.development for r in rows]
    refs = [ref for r in rows for ref in r.refs]
    registry = [r.registry for r in rows if r.registry]
    return [
        *_columns([(k.position, k.id, k.hash, k.prev_hash) for k in links], 4),
        *_columns(developments, 7),
        *_columns(refs, 3),
        *_columns(registry, 3),
    ]


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")
