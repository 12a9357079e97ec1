"""Readers never write, and fold at most ``tuning.TAIL_LIMIT`` positions of the log past the projections."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.opening import open_log
from projections import tuning
from projections.database import open_database
from projections.folds import answer_from_scratch
from projections.store import NotYetReflected, ProjectionReader, ProjectionStore
from tests.conftest import postgres_database
from tests.integration.test_projection_equality import SOURCES, registrations

DAY = date(2020, 2, 1)


def statement(n: int) -> dict[str, object]:
    return {
        "type": "CeasefireViolated",
        "occurred": f"2020-01-{n + 1:02d}",
        "conflicts": ["north"],
        "actors": ["FRA", "RUS"],
        "sources": SOURCES,
        "summary": f"report {n}",
        "data": {"description": "shelling"},
    }


@pytest.fixture
def log(database_url: str) -> Iterator[ConflictLog]:
    opened = open_log(database_url)
    try:
        opened.submit_many([Submission(r) for r in registrations()])
        yield opened
    finally:
        opened.close()


def test_a_tail_longer_than_the_limit_is_answered_up_to_the_limit_and_says_so(
    database_url: str, log: ConflictLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tuning, "TAIL_LIMIT", 5)
    db = open_database(database_url)
    db.create_tables()
    store = ProjectionStore(log, db)
    try:
        store.catch_up()
        tracked = store.tracked()
        for n in range(8):
            log.submit(statement(n))
        reader = ProjectionReader(log, db)
        assert reader.head() == tracked + 5 < log.head()
        folded = reader.fold(("conflict", "north"), DAY)
        assert folded is not None and folded.head == tracked + 5
        expected = answer_from_scratch(log.read(limit=100), ("conflict", "north"), DAY, tracked + 5)
        assert folded.state == expected.state and folded.state["developments"] == 1 + 5  # its registration, 5 reports
        with pytest.raises(NotYetReflected) as refused:
            reader.await_position(log.head(), 0.05)
        assert refused.value.reached == tracked + 5
        store.catch_up()  # a writer catches up: the rest is reflected
        assert reader.await_position(log.head(), 0.05) == log.head()
        assert reader.fold(("conflict", "north"), DAY).state["developments"] == 1 + 8  # type: ignore[union-attr]
    finally:
        db.close()


@pytest.mark.postgres
def test_reading_on_a_read_only_connection_answers_everything() -> None:
    """On a PostgreSQL connection that refuses writes (as a standby does), every read answers, tail included."""
    with postgres_database() as url:
        log = open_log(url)
        db = open_database(url)
        db.create_tables()
        store = ProjectionStore(log, db)
        log.submit_many([Submission(r) for r in registrations()])
        first = log.submit(statement(0)).development
        store.catch_up()
        log.submit(statement(1))
        log.submit(
            {
                "type": "DevelopmentRetracted",
                "occurred": "2020-02-01",
                "sources": SOURCES,
                "summary": "wrong",
                "data": {"target": first.id, "reason": "wrong"},
            }
        )
        read_only = open_database(url + "&options=-c%20default_transaction_read_only%3Don")
        read_log = open_log(url + "&options=-c%20default_transaction_read_only%3Don", create_tables=False)
        try:
            reader = ProjectionReader(read_log, read_only)
            scope = ("conflict", "north")
            folded = reader.fold(scope, DAY)
            assert folded is not None and folded.head == log.head() > store.tracked()
            assert folded.state["developments"] == 2  # its registration and one report: the tail retracted the other
            assert reader.fold(scope, DAY, known_at=first.position) is not None
            assert [k for k, _ in reader.states("conflict")] == ["north", "south"]
            assert len(reader.timeline(scope, after=None, limit=10, as_of=None, known_at=None)[0]) == 2
            assert reader.positions(scope, after=0, until=log.head(), limit=10)[-1] == log.head()
            assert reader.unfolded() == []
            with pytest.raises(Exception, match="read-only transaction"):
                ProjectionStore(read_log, read_only).catch_up()  # the connection really refuses writes
        finally:
            read_only.close()
            read_log.close()
            db.close()
            log.close()
