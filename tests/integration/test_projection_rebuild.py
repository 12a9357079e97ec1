"""A rebuild (folded in memory, chunk by chunk) stores what a catch-up page by page stores.

``ProjectionStore.rebuild`` does not go through ``catch_up``: it folds each chunk
of the log in memory and writes in bulk.  These tests catch a log up page by page
(tiny pages, one page per transaction, catch-ups between appends), keep every
table, rebuild, and compare: the items and their record-time intervals, the live
versions, each scope's state, the current snapshots, and every answer as of
several dates and as known at every position.  Small chunks make later chunks
reach back into earlier ones (back-dated developments, corrections and
retractions of earlier chunks' developments).

Snapshots' ``valid_from`` is left out of the comparison: a catch-up makes a
snapshot valid from the end of its transaction, a rebuild from the last position
that changed what it folds; both are correct, which the as-known-at answers check.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.log.application import ConflictLog
from events.log.opening import open_log
from projections import tuning
from projections.database import Database, open_database
from projections.folds import FOLD_VERSION, answer_from_scratch
from projections.store import ProjectionStore
from tests.conftest import postgres_database
from tests.integration.test_projection_equality import CONFLICTS, SOURCES, START, histories, submit_history

Tables = dict[str, list[tuple[Any, ...]]]


def tables(db: Database) -> Tables:
    """Everything stored, in a fixed order (snapshots: the current ones, without ``valid_from``)."""
    with db.read() as sql:
        return {
            "items": sql.execute(
                "SELECT scope, key, latest, position, recorded, superseded, earliest, id, corrected_by, content"
                " FROM {p}proj_items ORDER BY scope, key, latest, position, recorded"
            ).fetchall(),
            "state": sql.execute(
                "SELECT scope, key, state, max_latest FROM {p}proj_state ORDER BY scope, key"
            ).fetchall(),
            "snapshots": sql.execute(
                "SELECT scope, key, latest, position, state FROM {p}proj_snapshots WHERE valid_to IS NULL"
                " ORDER BY scope, key, latest, position"
            ).fetchall(),
            "versions": sql.execute("SELECT id, item FROM {p}proj_versions ORDER BY id").fetchall(),
            "tracking": sql.execute("SELECT name, position FROM {p}proj_tracking ORDER BY name").fetchall(),
        }


def answers(store: ProjectionStore, head: int) -> list[Any]:
    """Every scope's state and uncertain items, as of several days, as known at every position."""
    scopes = [("conflict", c) for c in CONFLICTS] + [("agenda", k) for k in sorted(store.keys("agenda"))]
    days = [START - timedelta(days=1), START + timedelta(days=15), START + timedelta(days=45), date(2100, 1, 1)]
    found = []
    for scope in scopes:
        for as_of in days:
            for known_at in range(1, head + 1):
                got = store.fold(scope, as_of, known_at, uncertain_limit=10_000)
                found.append(None if got is None else (got.state, [i.id for i in got.uncertain]))
    return found


def assert_rebuild_equals_catch_up(database_url: str, steps: list[tuple[str, Any]], chunk: int) -> None:
    log = open_log(database_url)
    db = open_database(database_url)
    db.create_tables()
    store = ProjectionStore(log, db)
    try:
        submit(log, store, steps)
        head = store.catch_up()
        caught_up, answered = tables(db), answers(store, head)
        for developments in (chunk, 1_000_000):
            tuning.REBUILD_CHUNK = developments
            assert store.rebuild() == head
            assert tables(db) == caught_up, f"chunk of {developments}"
            assert answers(store, head) == answered, f"chunk of {developments}"
        everything = log.read(limit=10_000)
        for scope in [("conflict", c) for c in CONFLICTS]:
            for known_at in range(1, head + 1):
                expected = answer_from_scratch(everything, scope, date(2100, 1, 1), known_at)
                got = store.fold(scope, date(2100, 1, 1), known_at)
                assert (got.state if got else expected.state) == expected.state, (scope, known_at)
    finally:
        db.close()
        log.close()


def submit(log: ConflictLog, store: ProjectionStore, steps: list[tuple[str, Any]]) -> None:
    """Append the history's developments; catch up where it says so (and after each correction)."""
    submit_history(log, store, steps, catch_up_after_corrections=True)


@pytest.fixture
def page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tuning, "SNAPSHOT_EVERY", 3)
    monkeypatch.setattr(tuning, "PAGE", 2)
    monkeypatch.setattr(tuning, "PAGES_PER_TRANSACTION", 1)
    monkeypatch.setattr(tuning, "REBUILD_CHUNK", tuning.REBUILD_CHUNK)


def development(kind: str, occurred: str, conflicts: list[str], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "occurred": occurred,
        "conflicts": conflicts,
        "actors": ["FRA", "RUS"],
        "sources": SOURCES,
        "summary": f"a {kind}",
        "data": data,
    }


def fighting(day: str, conflicts: list[str]) -> dict[str, Any]:
    deaths = {"best": 1, "low": 1, "high": 2}
    return development("FightingReported", day, conflicts, {"description": "x", "deaths": deaths})


STEPS: list[tuple[str, Any]] = [
    ("add", fighting("2020-01-03", ["north"])),
    ("add", development("CeasefireCalled", "2020-01-05", ["north"], {"called_by": ["FRA", "RUS"]})),
    ("add", fighting("2020-01-08", ["north", "south"])),
    ("catch_up", None),
    ("add", fighting("2020-01-01", ["south"])),  # back-dated
    ("add", development("CeasefireAgreed", "2020-01", ["north"], {"parties": ["FRA", "RUS"]})),
    ("add", fighting("2020-01-10/2020-02-10", ["north"])),
    ("correct", (0, fighting("2020-02-01", ["south"]))),  # moves to the other conflict, later
    ("add", fighting("2020-01-12", ["north"])),
    ("retract", 2),
    ("add", development("MeetingHeld", "2020-01-02", [], {"format": "phone_call", "topics": ["libya"]})),
    ("add", fighting("2020-01-15", ["south"])),
    ("correct", (0, fighting("2020-01-04", ["north"]))),  # corrected again
    ("add", fighting("2020-01-16", ["north"])),
    ("retract", 0),
    ("add", fighting("2019-12-30", ["north"])),  # back-dated before everything
    ("correct", (4, fighting("2020-01-20", ["north"]))),
]


@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_a_rebuild_equals_a_catch_up_done_page_by_page(database_url: str, page_by_page: None, chunk: int) -> None:
    assert_rebuild_equals_catch_up(database_url, STEPS, chunk)


def test_a_rebuild_of_an_empty_log_stores_nothing(database_url: str) -> None:
    log = open_log(database_url)
    db = open_database(database_url)
    db.create_tables()
    try:
        assert ProjectionStore(log, db).rebuild() == 0
        empty: Tables = {"items": [], "state": [], "snapshots": [], "versions": []}
        assert tables(db) == {**empty, "tracking": [("fold-version", FOLD_VERSION), ("projections", 0)]}
    finally:
        db.close()
        log.close()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=histories(), chunk=st.integers(1, 12))
def test_random_rebuilds_equal_catch_ups_on_sqlite(
    page_by_page: None, steps: list[tuple[str, Any]], chunk: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert_rebuild_equals_catch_up(f"sqlite:///{Path(folder) / 'log.db'}", steps, chunk)


@pytest.mark.postgres
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=histories(), chunk=st.integers(1, 12))
def test_random_rebuilds_equal_catch_ups_on_postgres(
    page_by_page: None, steps: list[tuple[str, Any]], chunk: int
) -> None:
    with postgres_database() as url:
        assert_rebuild_equals_catch_up(url, steps, chunk)
