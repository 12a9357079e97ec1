"""The log on PostgreSQL: events, index rows and chain links under one table lock, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row

from events.log.chain import Link
from events.log.chain import table_statements as chain_table_statements
from events.log.index import IndexRows, index_rows, table_statements
from events.log.library import (
    notify_channel,
    postgres_add_tables,
    postgres_connection,
    postgres_insert,
    postgres_lock_sql,
    postgres_schema,
    transaction,
)
from events.log.recent_links import RecentLinks, published
from events.log.store import LogStore
from events.log.tree import TreeRows
from events.log.tree import table_statements as tree_table_statements


class PostgresLogStore(LogStore, PostgresApplicationRecorder):
    """PostgreSQL: index rows and chain links written under the same table lock and transaction."""

    position_column = "notification_id"

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.prefix = f'"{postgres_schema(self)}".'
        self.events_table = events_table_name
        postgres_add_tables(
            self,
            [
                *table_statements(self.prefix, "BIGINT"),
                *chain_table_statements(self.prefix, "BIGINT"),
                *tree_table_statements(self.prefix, "BIGINT", "BYTEA"),
            ],
        )
        self.recent_links = RecentLinks()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Insert events, chain links, tree rows and index rows in one transaction of four round trips.

        Each round trip inside the table lock is time every other writer waits,
        so: (1) begin, take the lock, notify and read the chain's head and the
        tree's size in one message; (2) insert the events; (3) insert links,
        tree rows and index rows in one statement of arrays; (4) commit.  The
        tree's frontier is this process's own when it appended last, else one
        more round trip reads it (``TreeStore._frontier``).
        (The library's pipeline-mode insert hung for good under load with
        batches of thousands, so none is used.)
        """
        if not stored_events:
            return []
        with published(self.recent_links), postgres_connection(self) as conn, conn.cursor() as curs:
            try:
                curs.execute(self._begin_locked)
                while curs.nextset():
                    pass
                head = curs.fetchone()
                positions = postgres_insert(self, curs, stored_events)
                if len(positions) != len(stored_events):
                    raise ProgrammingError(f"{len(positions)} positions for {len(stored_events)} events")
                links, tree = self.chained(curs, head, stored_events, positions)
                self.recent_links.stage(links, tree.frontier)
                curs.execute(self._insert_rest, _arrays(links, tree, index_rows(stored_events, positions)))
                curs.execute("COMMIT")
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.rollback()
                raise
            return positions

    @cached_property
    def _begin_locked(self) -> str:
        """BEGIN, the library's lock statements, NOTIFY, and the chain's and the tree's heads: one message."""
        lock = postgres_lock_sql(self)
        notify = f'NOTIFY "{notify_channel(self)}"'
        return f"BEGIN; {lock}; {notify}; {self.head_sql()}"

    @cached_property
    def _insert_rest(self) -> str:
        p = self.prefix
        return (
            f"WITH links AS (INSERT INTO {p}event_chain (position, id, hash, prev_hash) "
            "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[])), "
            f"leaves AS (INSERT INTO {p}merkle_leaves (leaf, position, hash) "
            "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])), "
            f"nodes AS (INSERT INTO {p}merkle_nodes (level, idx, hash) "
            "SELECT * FROM unnest(%b::integer[], %b::bigint[], %b::bytea[])), "
            f"developments AS (INSERT INTO {p}development_index "
            "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[], "
            "%b::text[])), "
            f"refs AS (INSERT INTO {p}development_refs (position, kind, ref) "
            "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::text[])), "
            f"registry AS (INSERT INTO {p}registry (kind, key, position) "
            "SELECT * FROM unnest(%b::text[], %b::text[], %b::bigint[])) "
            f"INSERT INTO {p}development_keys (key, id, position) "
            "SELECT * FROM unnest(%b::text[], %b::text[], %b::bigint[])"
        )

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with postgres_connection(self) as conn, conn.cursor() as curs:
            curs.execute(_pg(sql), list(params))  # type: ignore[arg-type]
            return [dict(row) for row in curs.fetchall()]

    param = "%s"

    def _id_text(self, column: str) -> str:
        return f"{column}::text"

    def _tuples(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with postgres_connection(self) as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._sql(sql), list(params), binary=True)  # bytea as bytes: half the transfer of hex
            return list(curs.fetchall())

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        with transaction(self, commit=True) as curs:
            curs.execute(self._sql(sql), list(params))
            return int(curs.rowcount)

    @contextmanager
    def signing_turn(self) -> Iterator[Any]:
        """A transaction holding the signed notes' lock: one signer at a time; appends go on meanwhile."""
        with transaction(self, commit=True) as curs:
            curs.execute(f"LOCK TABLE {self._table('signed_notes')} IN SHARE ROW EXCLUSIVE MODE")
            yield curs

    @contextmanager
    def append_turn(self) -> Iterator[Any]:
        """A transaction holding the events' lock, as an insert does: no append runs meanwhile."""
        with transaction(self, commit=True) as curs:
            curs.execute(postgres_lock_sql(self))
            yield curs

    def _rowcount(self, cursor: Any) -> int:
        return int(cursor.rowcount)

    def has_chain(self) -> bool:
        rows = self._tuples("SELECT to_regclass(?)", [f"{self._table('event_chain')}"])
        return rows[0][0] is not None


def _arrays(links: Sequence[Link], tree: TreeRows, rows: Sequence[IndexRows]) -> list[list[Any]]:
    """The columns of the links, tree rows and index rows, as the arrays ``_insert_rest`` unnests."""
    developments = [r.development for r in rows]
    refs = [ref for r in rows for ref in r.refs]
    registry = [r.registry for r in rows if r.registry]
    keys = [r.key for r in rows if r.key]
    return [
        *_columns([(k.position, k.id, k.hash, k.prev_hash) for k in links], 4),
        *_columns(tree.leaves, 3),
        *_columns(tree.nodes, 3),
        *_columns(developments, 7),
        *_columns(refs, 3),
        *_columns(registry, 3),
        *_columns(keys, 3),
    ]


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")
