"""Every reach past the eventsourcing library's public API, in one place.

The log reaches past the library's public API where its own tables must be
written in the library's transaction (index rows and chain links commit with the
events, or not at all), and where the library's general path costs too much on
every append.  Each reach is a function here that says what it relies on;
``tests/integration/test_library_reaches.py`` checks each against the installed
library and fails loudly when an upgrade changes it.  Nothing else in the code
touches the library's private names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import CanMutateAggregate, DomainEventProtocol
from eventsourcing.persistence import Recording, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Composable

#: the library's name for the method ``SQLiteApplicationRecorder.insert_events`` runs inside its transaction
SQLITE_INSERT_HOOK = "_insert_events"


class SQLiteInsertHook(SQLiteApplicationRecorder):
    """The library's SQLite recorder, calling ``inserted`` inside the transaction that inserts events.

    Relies on ``insert_events`` opening the transaction and calling
    ``_insert_events(cursor, stored_events)``, which answers the new positions.
    """

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        self.inserted(c, stored_events, positions)
        return positions

    def inserted(self, cursor: SQLiteCursor, stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> None:
        """Write what must commit with these events (the write lock is held)."""


def sqlite_lock_path(datastore: Any) -> str | None:
    """The file beside an SQLite log that its writers queue on (None for an in-memory database).

    Relies on ``datastore.pool.db_name`` and ``datastore.pool.is_sqlite_memory_mode``.
    """
    pool = datastore.pool
    return None if pool.is_sqlite_memory_mode else f"{pool.db_name}-writer.lock"


def sqlite_rowcount(cursor: SQLiteCursor) -> int:
    """Rows the last statement changed (relies on ``SQLiteCursor.sqlite_cursor``)."""
    return int(cursor.sqlite_cursor.rowcount)


@contextmanager
def transaction(recorder: Any, *, commit: bool) -> Iterator[Any]:
    """A cursor in a transaction of the recorder's datastore (relies on ``datastore.transaction(commit=)``)."""
    with recorder.datastore.transaction(commit=commit) as cursor:
        yield cursor


def postgres_schema(recorder: Any) -> str:
    """The PostgreSQL schema the recorder's tables are in (relies on ``datastore.schema``)."""
    return str(recorder.datastore.schema)


def postgres_connection(recorder: Any) -> Any:
    """A pooled connection of the recorder's datastore, as a context manager (relies on ``get_connection``)."""
    return recorder.datastore.get_connection()


def postgres_add_tables(recorder: Any, statements: Sequence[str]) -> None:
    """Have the recorder create these tables with its own (relies on ``sql_create_statements``)."""
    recorder.sql_create_statements += [SQL(statement).format() for statement in statements]


def sqlite_ids_are_uuids(recorder: Any) -> bool:
    """Whether the SQLite recorder stores originator ids as ``UUID.hex`` (relies on ``originator_id_type``)."""
    return bool(recorder.datastore.originator_id_type == "uuid")


def postgres_insert(
    recorder: PostgresAggregateRecorder, cursor: Any, stored_events: Sequence[StoredEvent]
) -> list[int]:
    """Insert events with the library's statement on an open cursor, in the caller's transaction; their positions.

    Relies on ``PostgresAggregateRecorder._insert_stored_events`` running the
    recorder's insert statement, which answers one ``notification_id`` an event.
    """
    PostgresAggregateRecorder._insert_stored_events(recorder, cursor, stored_events)
    return [row["notification_id"] for row in cursor.fetchall()]


def postgres_lock_sql(recorder: Any) -> str:
    """The statements that take the events table's lock, as SQL text (relies on ``lock_table_statements``)."""
    return "; ".join(
        statement.as_string() if isinstance(statement, Composable) else str(statement)
        for statement in recorder.lock_table_statements
    )


def notify_channel(recorder: Any) -> str:
    """The channel the PostgreSQL recorder NOTIFYs on each insert (relies on ``channel_name``)."""
    return str(recorder.channel_name)


def store_events(
    app: Application[UUID], events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
) -> list[Recording[UUID]]:
    """Store events in one transaction, as ``Application.save`` would for aggregates without snapshots.

    ``Application.save`` tells events from aggregates with runtime ``Protocol``
    checks, a tenth of a batch's time.  Relies on ``Application.events.put`` and
    the ``_notify`` hook ``save`` calls after storing.
    """
    recordings = app.events.put(events, **kwargs) if events else []
    app._notify(recordings)
    return recordings


def new_event(
    event_class: type[CanMutateAggregate[UUID]], originator_id: UUID, version: int, topic: str, **fields: Any
) -> Any:
    """The creation event ``Aggregate._create`` would make, without creating the aggregate (a third of the cost).

    Relies on ``create_timestamp`` and on the fields of creation events
    (``originator_id``, ``originator_version``, ``timestamp``, ``originator_topic``).
    """
    return event_class(  # type: ignore[call-arg]
        originator_id=originator_id,
        originator_version=version,
        timestamp=event_class.create_timestamp(),  # type: ignore[attr-defined]
        originator_topic=topic,
        **fields,
    )


def add_event_field(event: Any, name: str, value: Any) -> None:
    """Give a made event a field its class does not declare, stored with it and read back with it.

    Relies on ``Mapper.to_stored_event`` encoding ``vars(event)`` whole and
    ``to_domain_event`` setting every stored field on the event it makes, so
    that an optional field appears in the stored bytes only when given (the
    events stored without it keep their bytes, and their chain hashes).
    """
    object.__setattr__(event, name, value)  # the library's events are frozen dataclasses
