"""Helpers of the audit tests: developments to append, copies of a database, tampering by SQL.

Tampering goes straight to the tables, as someone with write access to the
database would, and never through the log.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.database_url import libpq_url, postgres_schema, sqlite_path
from tests.conftest import new_postgres_schema, postgres_url

SOURCE = [{"name": "Kremlin statement"}]
REGISTRATION = {
    "type": "ConflictRegistered",
    "occurred": "2014-05",
    "sources": SOURCE,
    "summary": "Libya registered",
    "data": {"conflict": "libya", "name": "Libya"},
}


def statement(n: int) -> dict[str, Any]:
    return {
        "type": "StatementIssued",
        "occurred": "2020-06-26",
        "conflicts": ["libya"],
        "actors": ["FRA"],
        "sources": SOURCE,
        "summary": f"Statement number {n}.",
        "data": {"by": "FRA", "text": f"France calls for a ceasefire ({n}).", "topics": ["libya"]},
    }


def fill(log: ConflictLog, count: int) -> None:
    """The registration, then ``count - 1`` statements (positions 1 to ``count`` on a fresh log)."""
    log.submit_many([Submission(REGISTRATION), *(Submission(statement(n)) for n in range(1, count))])


class Database:
    """Raw SQL on a log's database, whichever the backend."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite:")
        self.position = "rowid" if self.sqlite else "notification_id"
        self.prefix = "" if self.sqlite else f'"{postgres_schema(url)}".'
        # SQLite's table names are fixed; on PostgreSQL the library names it after the application
        self.events = "stored_events" if self.sqlite else "conflictlog_events"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        if self.sqlite:
            conn = sqlite3.connect(sqlite_path(self.url))
            try:
                with conn:
                    yield conn
            finally:
                conn.close()
        else:
            import psycopg

            with psycopg.connect(libpq_url(self.url)) as conn:
                yield conn

    def run(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with self.connect() as conn:
            for sql, params in statements:
                conn.execute(self.sql(sql), params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self.connect() as conn:
            return conn.execute(self.sql(sql), params).fetchone()

    def sql(self, sql: str) -> str:
        sql = sql.replace("{events}", f"{self.prefix}{self.events}").replace("{pos}", self.position)
        sql = sql.replace("{chain}", f"{self.prefix}event_chain").replace(
            "{checkpoints}", f"{self.prefix}signed_checkpoints"
        )
        sql = sql.replace("{leaves}", f"{self.prefix}merkle_leaves").replace("{nodes}", f"{self.prefix}merkle_nodes")
        sql = sql.replace("{notes}", f"{self.prefix}signed_notes")
        return sql if self.sqlite else sql.replace("?", "%s")

    # -- tampering ----------------------------------------------------------------------

    def state(self, position: int) -> bytes:
        return bytes(self.one("SELECT state FROM {events} WHERE {pos} = ?", (position,))[0])

    def alter(self, position: int, old: bytes, new: bytes) -> None:
        """Overwrite ``old`` with ``new`` (as long) in the stored state at ``position``."""
        assert len(old) == len(new)
        state = self.state(position)
        assert old in state
        self.run(("UPDATE {events} SET state = ? WHERE {pos} = ?", (state.replace(old, new, 1), position)))

    def delete(self, position: int) -> None:
        self.run(("DELETE FROM {events} WHERE {pos} = ?", (position,)))

    def swap(self, a: int, b: int) -> None:
        """Exchange the positions of two stored events."""
        self.run(
            ("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (-1, a)),
            ("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (a, b)),
            ("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (b, -1)),
        )

    def insert_after(self, position: int, like: int) -> str:
        """Make room after ``position`` and store a forged copy of event ``like`` there; its id."""
        head = self.one("SELECT MAX({pos}) FROM {events}")[0]
        forged = uuid.uuid4()
        stored_id: Any = forged.hex if self.sqlite else forged
        statements = [("UPDATE {events} SET {pos} = -{pos} WHERE {pos} > ?", (position,))]
        statements.append(("UPDATE {events} SET {pos} = 1 - {pos} WHERE {pos} < 0", ()))
        statements.append(
            (
                "INSERT INTO {events} (originator_id, originator_version, topic, state, {pos}) "
                "SELECT ?, originator_version, topic, state, ? FROM {events} WHERE {pos} = ?",
                (stored_id, position + 1, like),
            )
        )
        self.run(*statements)
        assert self.one("SELECT MAX({pos}) FROM {events}")[0] == head + 1
        return str(forged)

    def append_forged(self, like: int) -> str:
        """Store a forged copy of event ``like`` after the head, with no link."""
        head = self.one("SELECT MAX({pos}) FROM {events}")[0]
        forged = uuid.uuid4()
        self.run(
            (
                "INSERT INTO {events} (originator_id, originator_version, topic, state, {pos}) "
                "SELECT ?, originator_version, topic, state, ? FROM {events} WHERE {pos} = ?",
                (forged.hex if self.sqlite else forged, head + 1, like),
            )
        )
        return str(forged)


def copy_database(url: str, tmp_path: Any) -> str:
    """A copy of the log's database: another file, or another PostgreSQL schema (dropped by the caller)."""
    if url.startswith("sqlite:"):
        target = tmp_path / f"copy-{uuid.uuid4().hex[:8]}.db"
        source = sqlite3.connect(sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        return f"sqlite:///{target}"
    import psycopg

    schema = new_postgres_schema()
    source = postgres_schema(url)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
                (source,),
            )
        ]
        for table in tables:
            conn.execute(f'CREATE TABLE "{schema}"."{table}" (LIKE "{source}"."{table}" INCLUDING ALL)')
            conn.execute(f'INSERT INTO "{schema}"."{table}" SELECT * FROM "{source}"."{table}"')
    return postgres_url(schema)


def drop_copy(url: str) -> None:
    if url.startswith("sqlite:"):
        return  # a file under the test's tmp_path
    from tests.conftest import drop_postgres_schema

    drop_postgres_schema(postgres_schema(url))
