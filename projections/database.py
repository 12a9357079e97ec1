"""Where projections keep their tables: an SQLite file beside the log, or the log's PostgreSQL schema.

On SQLite the projections live in their own file (``log.db`` → ``log.projections.db``)
so that catching up never holds the log's write lock.  ``write()`` opens a
transaction that holds the projections' write lock from its first statement
(SQLite ``BEGIN IMMEDIATE``; PostgreSQL a ``FOR UPDATE`` on the tracking row),
so concurrent processes catch up one at a time and never interleave.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from events.log.database_access import create_schema
from events.log.database_url import is_sqlite, libpq_url, postgres_schema, sqlite_path


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Sql:
    """A cursor that takes ``?`` placeholders and ``{p}`` table prefixes on both backends."""

    def __init__(self, cursor: Any, prefix: str, numbered: bool) -> None:
        self.cursor = cursor
        self.prefix = prefix
        self.numbered = numbered

    def _sql(self, sql: str) -> str:
        sql = sql.replace("{p}", self.prefix)
        return sql.replace("?", "%s") if self.numbered else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Sql:
        self.cursor.execute(self._sql(sql), list(params))
        return self

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        if params:
            self.cursor.executemany(self._sql(sql), [list(p) for p in params])

    def copy_rows(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows into ``{p}table``: PostgreSQL ``COPY``, else one ``executemany``."""
        if not rows:
            return
        if self.numbered:
            with self.cursor.copy(f"COPY {self.prefix}{table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ",".join("?" * (columns.count(",") + 1))
        self.cursor.executemany(f"INSERT INTO {self.prefix}{table} ({columns}) VALUES ({marks})", rows)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.cursor.fetchall())


#: dropped during a rebuild and made again after it (one sort instead of one insertion per row)
ITEMS_BY_ID = "CREATE INDEX IF NOT EXISTS proj_items_by_id ON {p}proj_items (id)"
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS {p}proj_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {p}proj_items ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, latest TEXT NOT NULL, position BIGINT NOT NULL,"
    " recorded BIGINT NOT NULL, superseded BIGINT, earliest TEXT NOT NULL, id TEXT NOT NULL,"
    " corrected_by TEXT, content TEXT NOT NULL,"
    " PRIMARY KEY (scope, key, latest, position, recorded))",
    ITEMS_BY_ID,
    # items whose date is vague (they may straddle an asked date); most are one day, so it stays small
    "CREATE INDEX IF NOT EXISTS proj_items_vague ON {p}proj_items (scope, key, latest) WHERE earliest < latest",
    "CREATE TABLE IF NOT EXISTS {p}proj_state ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, max_latest TEXT NOT NULL,"
    " PRIMARY KEY (scope, key))",
    "CREATE TABLE IF NOT EXISTS {p}proj_snapshots ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, latest TEXT NOT NULL, position BIGINT NOT NULL,"
    " valid_from BIGINT NOT NULL, valid_to BIGINT, state TEXT NOT NULL,"
    " PRIMARY KEY (scope, key, latest, position, valid_from))",
    "CREATE TABLE IF NOT EXISTS {p}proj_versions (id TEXT PRIMARY KEY, item TEXT)",
    # versions of developments whose fold failed and that the scope's current state leaves out
    "CREATE TABLE IF NOT EXISTS {p}proj_unfolded ("
    " scope TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, recorded BIGINT NOT NULL,"
    " type TEXT NOT NULL, error TEXT NOT NULL, PRIMARY KEY (scope, key, id, recorded))",
]
TRACKING_NAME = "projections"
#: the tracking row that holds the version of the folds the stored states were made by (0: unknown, older)
FOLDS_NAME = "fold-version"


class Database:
    """Transactions on the projections' tables."""

    prefix = ""
    numbered = False

    def create_tables(self) -> None:
        with self.write(lock=False) as sql:
            for statement in SCHEMA:
                sql.execute(statement)
            for name in (TRACKING_NAME, FOLDS_NAME):
                sql.execute(
                    "INSERT INTO {p}proj_tracking (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING", [name]
                )

    @contextmanager
    def write(self, lock: bool = True) -> Iterator[Sql]:
        """A transaction that holds the projections' write lock (``lock=False``: only for creating tables)."""
        raise NotImplementedError
        yield

    @contextmanager
    def bulk(self) -> Iterator[Sql]:
        """A ``write()`` transaction for rewriting every projection (``ProjectionStore.rebuild``)."""
        with self.write() as sql:
            yield sql

    @contextmanager
    def read(self) -> Iterator[Sql]:
        raise NotImplementedError
        yield

    def close(self) -> None:
        """Release connections."""


class SQLiteDatabase(Database):
    """Projections in their own SQLite file (WAL), one connection per thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self, lock: bool = True) -> Iterator[Sql]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Sql(conn.cursor(), "", False)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def bulk(self) -> Iterator[Sql]:
        """A write transaction with ``synchronous=OFF`` (restored to ``NORMAL`` after).

        Only a rebuild uses it: the projections file holds nothing that the log does
        not, so should the machine lose power during or just after a rebuild, the
        remedy is another rebuild.  (A crash of the process alone loses nothing
        committed, whatever this setting.)
        """
        conn = self._connection()
        conn.execute("PRAGMA synchronous=OFF")
        try:
            with self.write() as sql:
                yield sql
        finally:
            conn.execute("PRAGMA synchronous=NORMAL")

    @contextmanager
    def read(self) -> Iterator[Sql]:
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield Sql(conn.cursor(), "", False)
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class PostgresDatabase(Database):
    """Projections in the log's PostgreSQL schema, through a small connection pool."""

    numbered = True

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        self.prefix = f'"{postgres_schema(url)}".'
        self.pool = ConnectionPool(libpq_url(url), min_size=1, max_size=4, kwargs={"autocommit": True}, open=True)

    def create_tables(self) -> None:
        create_schema(self.url)  # the schema named by ?schema= may not exist yet
        super().create_tables()

    @contextmanager
    def write(self, lock: bool = True) -> Iterator[Sql]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            sql = Sql(cursor, self.prefix, True)
            if lock:  # serialise catch-ups across processes; plain readers are not blocked
                sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ? FOR UPDATE", [TRACKING_NAME])
            yield sql

    @contextmanager
    def read(self) -> Iterator[Sql]:
        """A read-only snapshot (REPEATABLE READ READ ONLY, which a hot standby serves), begun in one round trip."""
        with self.pool.connection() as conn, conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield Sql(cursor, self.prefix, True)
            finally:
                cursor.execute("ROLLBACK")  # it wrote nothing: ending it either way is the same, also after an error

    def close(self) -> None:
        self.pool.close()


def open_database(database_url: str) -> Database:
    """The projections' database for the log at ``database_url``."""
    if is_sqlite(database_url):
        log_file = Path(sqlite_path(database_url))
        return SQLiteDatabase(str(log_file.with_name(log_file.stem + ".projections" + log_file.suffix)))
    return PostgresDatabase(database_url)
