"""A development that fails to fold stays in its scope, on both backends.

A handler of the conflict-status fold is made to raise for one development (as
a date out of range once did).  That conflict's answer leaves the development out
and names it under ``unfolded``, every other read answers as before, ``/healthz``
lists it (still 200), and retracting it repairs the conflict.  The same holds
while the development is in the log's unprojected tail (folded by the reader),
once a writer has caught up, after a rebuild, and for as-of and known-at answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.opening import open_log
from projections import conflict_status
from projections.database import open_database
from projections.folds import FoldFailed, apply, fold, initial
from projections.store import ProjectionStore
from tests.conftest import seed_lines
from tests.unit.builders import item

POISON = "This report breaks the conflict-status fold."
CONFLICT = "ukraine-east"


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> None:
    """``StatusAssessed``'s handler raises, half-way, for the development whose summary is ``POISON``."""
    handler = conflict_status.HANDLERS["StatusAssessed"]

    def failing(state: dict[str, Any], item: Any, data: dict[str, Any]) -> None:
        handler(state, item, data)
        if item.content["summary"] == POISON:
            raise OverflowError("date value out of range")

    monkeypatch.setitem(conflict_status.HANDLERS, "StatusAssessed", failing)


@pytest.fixture
def writer(database_url: str) -> Iterator[tuple[ConflictLog, ProjectionStore]]:
    """The log and a projection store of their own: appends here wake no projector, so a tail stays unprojected."""
    log = open_log(database_url)
    db = open_database(database_url)
    db.create_tables()
    try:
        yield log, ProjectionStore(log, db)
    finally:
        db.close()
        log.close()


def poison() -> dict[str, Any]:
    return {
        "type": "StatusAssessed",
        "occurred": "2020-06-27",
        "conflicts": [CONFLICT],
        "actors": ["UKR"],
        "sources": [{"name": "a monthly assessment"}],
        "summary": POISON,
        "data": {"trend": "deteriorated", "alert": "conflict_risk", "period": "2020-06"},
    }


def retraction(target: str) -> dict[str, Any]:
    return {
        "type": "DevelopmentRetracted",
        "occurred": "2020-06-28",
        "sources": [{"name": "an editor"}],
        "summary": "The report was wrong.",
        "data": {"target": target, "reason": "it breaks the fold"},
    }


def every_other_read_answers(client: Any) -> None:
    for path in (
        "/v1/conflicts",
        "/v1/conflicts/libya",
        "/v1/agendas/RUS/FRA",
        "/v1/agendas",
        f"/v1/conflicts/{CONFLICT}/timeline",
        f"/v1/audit/replay?conflict={CONFLICT}",
        f"/v1/audit/diff?conflict={CONFLICT}&from=2020-06-01&to=2020-07-01",
        "/",
        f"/conflicts/{CONFLICT}",
        f"/audit/{CONFLICT}",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
        if path.startswith("/v1/conflicts/libya") or path.startswith("/v1/agendas/"):
            assert "unfolded" not in answer.json


def test_a_development_that_fails_to_fold_is_left_out_of_its_conflict_alone_until_retracted(
    app: Flask, poisoned: None, writer: tuple[ConflictLog, ProjectionStore]
) -> None:
    log, store = writer
    client = app.test_client()
    log.submit_many([Submission(json.loads(line)) for line in seed_lines()])
    store.catch_up()
    before = client.get(f"/v1/conflicts/{CONFLICT}").json
    bad = log.submit(poison()).development

    def answer(query: str = "") -> dict[str, Any]:
        response = client.get(f"/v1/conflicts/{CONFLICT}{query}")
        assert response.status_code == 200, response.json
        return dict(response.json)

    def assert_left_out(found: dict[str, Any]) -> None:
        assert [(u["id"], u["type"], u["error"]) for u in found["unfolded"]] == [
            (bad.id, "StatusAssessed", "OverflowError")
        ]
        assert found["assessment"] == before["assessment"]  # its half-made change was undone
        assert found["developments"] == before["developments"]

    # the development is in the log's tail: the reader folds it, and leaves it out
    assert store.tracked() < bad.position
    assert_left_out(answer())
    every_other_read_answers(client)

    # a writer catches up: the stored state leaves it out, and the health check lists it
    store.catch_up()
    assert_left_out(answer())
    assert_left_out(answer("?as_of=2020-07-01"))
    assert "unfolded" not in answer("?as_of=2020-06-26")  # before it happened
    assert "unfolded" not in answer(f"?known_at={bad.position - 1}")  # before it was recorded
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded"
    assert [(u["scope"], u["key"], u["id"]) for u in health.json["unfolded"]] == [("conflict", CONFLICT, bad.id)]
    every_other_read_answers(client)

    # a rebuild folds the whole log again, with the same outcome
    store.rebuild()
    assert_left_out(answer())
    assert [u["id"] for u in client.get("/healthz").json["unfolded"]] == [bad.id]

    # retracting it repairs the conflict: first in the tail, then stored
    retracted = log.submit(retraction(bad.id)).development
    assert "unfolded" not in answer()
    assert answer()["developments"] == before["developments"]
    store.catch_up()
    assert "unfolded" not in answer()
    assert client.get("/healthz").json == {**client.get("/healthz").json, "status": "ok", "unfolded": []}
    assert_left_out(answer(f"?known_at={retracted.position - 1}"))  # as known before the retraction
    store.rebuild()
    assert "unfolded" not in answer()
    assert client.get("/healthz").json["unfolded"] == []


def test_a_fold_leaves_out_only_the_development_that_raised() -> None:
    """Pure folds: the failing development's half-made change is undone, and it is named in ``unfolded``."""
    scope = ("conflict", "north")
    good = item("CeasefireCalled", "2020-01-01", {"called_by": ["FRA", "RUS"]}, position=1)
    # the handler adds the commitment, then raises on the missing description: a half-made change
    broken = item("CommitmentMade", "2020-01-02", {"commitment": "c-one", "parties": ["FRA"]}, position=2)
    later = item("CeasefireViolated", "2020-01-03", {"description": "x"}, position=3)
    with pytest.raises(FoldFailed):
        apply(scope, apply(scope, initial(scope), good), broken)
    state = fold(scope, lambda: initial(scope), [good, broken, later])
    expected = fold(scope, lambda: initial(scope), [good, later])
    assert state.pop("unfolded") == [{"id": broken.id, "type": "CommitmentMade", "recorded": 2, "error": "KeyError"}]
    assert state == expected
    assert state["commitments"] == {}
