"""The materialised projections equal a fold from scratch, whatever the arrival order.

Hypothesis makes random logs: developments of many types with exact, monthly and
interval dates, arriving out of world order, with corrections and retractions,
and catch-ups at random moments (so in-order application, back-dated refolds and
snapshots are all exercised).  Every conflict and agenda is then asked for its
current state, as of several dates and as known at several positions, and each
answer must equal ``answer_from_scratch`` over the same log: first by a reader
while the developments after the last random catch-up are not projected yet
(the reader folds that tail in memory, corrections and retractions of projected
developments included), then again once a writer has caught up.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.opening import open_log
from projections import tuning
from projections.database import open_database
from projections.folds import answer_from_scratch, counted
from projections.items import all_items
from projections.store import ProjectionReader, ProjectionStore
from tests.conftest import postgres_database

CONFLICTS = ["north", "south"]
ACTORS = ["FRA", "RUS", "DEU", "UKR"]
START = date(2020, 1, 1)
SOURCES = [{"name": "test source"}]


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


occurred = st.one_of(
    st.integers(0, 90).map(day),
    st.sampled_from(["2020-01", "2020-02", "2020-03"]),
    st.tuples(st.integers(0, 60), st.integers(1, 40)).map(lambda t: f"{day(t[0])}/{day(t[0] + t[1])}"),
)
pair = st.lists(st.sampled_from(ACTORS), min_size=2, max_size=2, unique=True)
commitments = st.sampled_from(["c-one", "c-two"])
summits = st.sampled_from(["s-one", "s-two"])


@st.composite
def development(draw: Any) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "CeasefireCalled",
                "CeasefireAgreed",
                "CeasefireViolated",
                "FightingReported",
                "StatusAssessed",
                "SummitProposed",
                "SummitHeld",
                "CommitmentMade",
                "CommitmentFulfilled",
                "CommitmentBroken",
                "MeetingHeld",
                "AgendaItemsRaised",
            ]
        )
    )
    actors = draw(pair)
    conflicts = draw(st.lists(st.sampled_from(CONFLICTS), min_size=1, max_size=2, unique=True))
    data: dict[str, Any]
    if kind == "CeasefireCalled":
        data = {"called_by": actors, "basis": ["a basis"]}
    elif kind == "CeasefireAgreed":
        data = {"parties": actors}
    elif kind == "CeasefireViolated":
        data = {"description": "fighting goes on"}
    elif kind == "FightingReported":
        best = draw(st.integers(0, 20))
        data = {"description": "clashes", "deaths": {"best": best, "low": best, "high": best + 3}}
    elif kind == "StatusAssessed":
        data = {"trend": draw(st.sampled_from(["improved", "deteriorated"])), "period": "2020-02"}
    elif kind == "SummitProposed":
        data = {"summit": draw(summits), "proposed_by": actors, "participants": actors}
    elif kind == "SummitHeld":
        data = {"summit": draw(summits), "participants": actors}
    elif kind == "CommitmentMade":
        data = {
            "commitment": draw(commitments),
            "description": "do it",
            "parties": actors,
            "due": day(draw(st.integers(0, 60))),
        }
    elif kind == "CommitmentFulfilled":
        data = {"commitment": draw(commitments)}
    elif kind == "CommitmentBroken":
        data = {"commitment": draw(commitments), "description": "not done"}
    elif kind == "MeetingHeld":
        data = {"format": "phone_call", "topics": ["libya"]}
        conflicts = draw(st.lists(st.sampled_from(CONFLICTS), max_size=1))
    else:
        data = {
            "parties": actors,
            "raised_by": actors[0],
            "topics": draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, unique=True)),
            "horizon": "current",
        }
        conflicts = []
    return {
        "type": kind,
        "occurred": draw(occurred),
        "conflicts": conflicts,
        "actors": actors,
        "sources": SOURCES,
        "summary": f"a {kind}",
        "data": data,
    }


@st.composite
def histories(draw: Any) -> list[tuple[str, Any]]:
    """Steps: ('add', development) | ('correct', (n, development)) | ('retract', n) | ('catch_up', None)."""
    steps: list[tuple[str, Any]] = []
    originals = 0
    for _ in range(draw(st.integers(1, 22))):
        choice = draw(st.integers(0, 9))
        if choice <= 5 or originals == 0:
            steps.append(("add", draw(development())))
            originals += 1
        elif choice == 6:
            steps.append(("correct", (draw(st.integers(0, originals - 1)), draw(development()))))
        elif choice == 7:
            steps.append(("retract", draw(st.integers(0, originals - 1))))
        else:
            steps.append(("catch_up", None))
    return steps


def registrations() -> list[dict[str, Any]]:
    return [
        {
            "type": "ConflictRegistered",
            "occurred": "2019-01",
            "sources": SOURCES,
            "summary": f"{c} registered",
            "data": {"conflict": c, "name": c.title()},
        }
        for c in CONFLICTS
    ]


def submit_history(
    log: ConflictLog, store: ProjectionStore, steps: list[tuple[str, Any]], *, catch_up_after_corrections: bool = False
) -> None:
    """Append a history's developments; catch up where it says so (and after each correction, if asked)."""
    log.submit_many([Submission(r) for r in registrations()])
    originals: list[str] = []
    for action, value in steps:
        if action == "add":
            originals.append(log.submit(value).development.id)
        elif action == "correct":
            target, other = value
            original = log.get(originals[target])
            # the same development, moved in world time (and maybe to other conflicts)
            replacement = {**original.content(), "occurred": other["occurred"], "summary": "corrected"}
            if original.conflicts and other["conflicts"]:
                replacement["conflicts"] = other["conflicts"]
            log.submit(_record_keeping("DevelopmentCorrected", {"target": original.id, "replacement": replacement}))
            if catch_up_after_corrections:
                store.catch_up()
        elif action == "retract":
            log.submit(_record_keeping("DevelopmentRetracted", {"target": originals[value], "reason": "wrong"}))
        else:
            store.catch_up()


def assert_answers_equal_folds_from_scratch(reader: ProjectionReader, log: ConflictLog) -> None:
    """Every scope's answer, as of several days and as known at several positions, equals a fold from scratch."""
    head = log.head()
    assert reader.head() == head
    everything = log.read(limit=10_000)
    scopes = [("conflict", c) for c in CONFLICTS] + [("agenda", k) for k in reader.keys("agenda")]
    days = [
        None,
        START - timedelta(days=1),
        START + timedelta(days=15),
        START + timedelta(days=45),
        START + timedelta(days=200),
    ]
    positions = sorted({head, max(1, head // 2), 3, head - 1})
    for scope in scopes:
        for known_at in positions:
            for as_of in days:
                asked = as_of or date(2100, 1, 1)
                expected = answer_from_scratch(everything, scope, asked, known_at)
                got = reader.fold(scope, asked, known_at, uncertain_limit=10_000)
                if got is None:
                    assert expected.state["developments"] == 0 and not expected.uncertain, (scope, as_of, known_at)
                    continue
                assert got.state == expected.state, (scope, as_of, known_at)
                assert [i.id for i in got.uncertain] == [i.id for i in expected.uncertain]
            counting = counted(all_items(d for d in everything if d.position <= known_at), scope, known_at)
            items, _, _ = reader.timeline(scope, after=None, limit=10_000, as_of=None, known_at=known_at)
            assert [(i.id, i.recorded) for i in items] == [(i.id, i.recorded) for i in counting], (scope, known_at)


def current_states(reader: ProjectionReader) -> dict[str, Any]:
    return {k: s for kind in ("conflict", "agenda") for k, s in reader.states(kind)}


def run_history(database_url: str, steps: list[tuple[str, Any]]) -> None:
    log = open_log(database_url)
    db = open_database(database_url)
    db.create_tables()
    store = ProjectionStore(log, db)
    try:
        submit_history(log, store, steps)
        # a reader of its own (as a standby's process would have) answers before the last developments are projected
        tracked = store.tracked()
        assert_answers_equal_folds_from_scratch(ProjectionReader(log, db), log)
        with_tail = current_states(ProjectionReader(log, db))
        assert store.tracked() == tracked  # reading wrote nothing
        store.catch_up()
        assert_answers_equal_folds_from_scratch(store, log)
        # the lists answered with the tail are those stored once caught up, and a rebuild stores them again
        before = current_states(store)
        assert before == with_tail
        store.rebuild()
        after = current_states(store)
        assert before == after
    finally:
        db.close()
        log.close()


def _record_keeping(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "occurred": "2020-07-01", "sources": SOURCES, "summary": kind, "data": data}


@pytest.fixture
def small_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tuning, "SNAPSHOT_EVERY", 3)
    monkeypatch.setattr(tuning, "PAGE", 4)
    monkeypatch.setattr(tuning, "PAGES_PER_TRANSACTION", 2)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=histories())
def test_materialised_answers_equal_a_fold_from_scratch_on_sqlite(
    small_snapshots: None, steps: list[tuple[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run_history(f"sqlite:///{Path(folder) / 'log.db'}", steps)


@pytest.mark.postgres
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=histories())
def test_materialised_answers_equal_a_fold_from_scratch_on_postgres(
    small_snapshots: None, steps: list[tuple[str, Any]]
) -> None:
    with postgres_database() as url:
        run_history(url, steps)


def test_a_back_dated_development_gives_the_answer_it_would_have_given_in_order(sqlite_url: str) -> None:
    """In order, and with the earliest development arriving last: the same state."""
    base = {
        "conflicts": ["north"],
        "actors": ["FRA", "RUS"],
        "sources": SOURCES,
        "summary": "s",
    }
    late = {**base, "type": "CeasefireAgreed", "occurred": "2020-01-05", "data": {"parties": ["FRA", "RUS"]}}
    early = {**base, "type": "CeasefireCalled", "occurred": "2020-01-01", "data": {"called_by": ["FRA", "RUS"]}}
    violated = {**base, "type": "CeasefireViolated", "occurred": "2020-01-09", "data": {"description": "x"}}
    states = []
    for order in ([early, late, violated], [late, violated, early]):
        folder = Path(tempfile.mkdtemp())
        url = f"sqlite:///{folder / 'log.db'}"
        log = open_log(url)
        db = open_database(url)
        db.create_tables()
        store = ProjectionStore(log, db)
        log.submit_many([Submission(r) for r in registrations()])
        for raw in order:
            log.submit(raw)
            store.catch_up()
        folded = store.fold(("conflict", "north"), date(2020, 1, 7))
        assert folded is not None
        states.append((folded.state["ceasefire"]["status"], folded.state["developments"]))
        db.close()
        log.close()
    assert states[0] == states[1] == ("agreed", 3)
