"""Each reach past the eventsourcing library's public API (``events.log.library``) checked against the library.

When an upgrade of the library changes what one of them relies on, a test here
fails and names it, rather than appends silently losing their index rows or
chain links.
"""

from __future__ import annotations

import inspect
import json
import uuid
from pathlib import Path

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from events.log import library
from events.log.application import ConflictLog
from events.log.development import KEY_FIELD, Development, event_fields, key_digest
from events.log.opening import open_log
from events.log.postgres import PostgresLogStore
from events.log.sqlite import SQLiteLogStore
from events.vocabulary.validation import check_development
from tests.conftest import postgres_database
from tests.integration.test_log import ceasefire_call, registration


def test_the_sqlite_recorder_still_inserts_through_the_hook_the_log_overrides() -> None:
    hook = getattr(SQLiteApplicationRecorder, library.SQLITE_INSERT_HOOK, None)
    assert callable(hook), f"SQLiteApplicationRecorder.{library.SQLITE_INSERT_HOOK} is gone"
    assert list(inspect.signature(hook).parameters)[:3] == ["self", "c", "stored_events"]
    assert library.SQLITE_INSERT_HOOK in inspect.getsource(SQLiteApplicationRecorder.insert_events)


def test_the_hook_runs_inside_the_inserting_transaction_so_a_failure_stores_nothing(tmp_path: Path) -> None:
    log = open_log(f"sqlite:///{tmp_path / 'log.db'}")
    try:
        log.submit(registration())
        seen: list[list[int]] = []
        inserted = SQLiteLogStore.inserted

        def failing(self: SQLiteLogStore, cursor: object, stored: object, positions: list[int]) -> None:
            seen.append(list(positions))
            raise RuntimeError("the hook failed")

        SQLiteLogStore.inserted = failing  # type: ignore[method-assign,assignment]
        try:
            with pytest.raises(RuntimeError):
                log.submit(ceasefire_call())
        finally:
            SQLiteLogStore.inserted = inserted  # type: ignore[method-assign]
        assert seen == [[2]]
        assert log.head() == 1 and log.store.count_developments() == 1
    finally:
        log.close()


def test_the_sqlite_datastore_still_names_its_file_and_memory_mode(tmp_path: Path) -> None:
    log = open_log(f"sqlite:///{tmp_path / 'log.db'}")
    try:
        assert library.sqlite_lock_path(log.recorder.datastore) == f"{tmp_path / 'log.db'}-writer.lock"  # type: ignore[attr-defined]
        assert library.sqlite_ids_are_uuids(log.recorder) is True
    finally:
        log.close()


@pytest.mark.postgres
def test_the_postgres_recorder_still_has_the_insert_and_lock_the_log_uses() -> None:
    assert callable(getattr(PostgresAggregateRecorder, "_insert_stored_events", None))
    with postgres_database() as url:
        _check_postgres_reaches(url)


def _check_postgres_reaches(url: str) -> None:
    log = open_log(url)
    try:
        recorder = log.recorder
        assert isinstance(recorder, PostgresLogStore)
        assert "LOCK TABLE" in library.postgres_lock_sql(recorder).upper()
        assert library.notify_channel(recorder)
        assert library.postgres_schema(recorder).startswith("t_")
        first = log.submit(registration()).development.position
        second = log.submit(ceasefire_call()).development.position
        assert second > first and log.head() == second  # postgres_insert read the positions back
    finally:
        log.close()


def test_store_events_still_has_the_application_hooks_it_relies_on() -> None:
    assert callable(getattr(Application, "_notify", None))
    assert "_notify" in inspect.getsource(Application.save)


def test_the_event_an_append_makes_is_the_one_the_aggregate_would_make() -> None:
    draft = check_development(ceasefire_call())
    ident = uuid.uuid4()
    (made,) = Development._create(Development.Recorded, id=ident, **event_fields(draft)).collect_events()
    direct = Development.recorded(draft, ident)
    assert type(direct) is type(made)
    assert {**vars(direct), "timestamp": None} == {**vars(made), "timestamp": None}
    assert direct.originator_version == Aggregate.INITIAL_VERSION
    registered = Development.recorded(check_development(registration()), ident)
    assert type(registered) is Development.Registered


def test_stored_topics_stay_those_of_the_first_stored_events(log: ConflictLog) -> None:
    log.submit(registration())
    stored = log.recorder.select_notifications(0, 10)
    assert [n.topic for n in stored] == ["events.development:Development.Registered"]
    assert Development.TOPIC == "events.development:Development"


def test_a_field_added_to_a_made_event_is_stored_and_read_back_only_when_given(log: ConflictLog) -> None:
    log.submit(registration())
    keyed = log.submit(ceasefire_call(), key="k-1").development.position
    plain = log.submit(ceasefire_call(summary="Without a key.")).development.position
    keyed_stored, plain_stored = log.store.select_stored([keyed, plain])
    assert json.loads(keyed_stored.state)[KEY_FIELD] == key_digest("k-1")
    assert KEY_FIELD not in json.loads(plain_stored.state)
    decoded = log.mapper.to_domain_event(keyed_stored)
    assert getattr(decoded, KEY_FIELD) == key_digest("k-1")
    assert getattr(log.mapper.to_domain_event(plain_stored), KEY_FIELD, None) is None
