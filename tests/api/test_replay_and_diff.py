"""Audits over projections: replay step by step, and diff two points, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_acceptance import submit_seed


@pytest.fixture
def seeded(client: Any, auth: Any) -> Any:
    submit_seed(client, auth)
    return client


def changes_of(step: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {c["field"]: (c["before"], c["after"]) for c in step["changes"]}


def test_a_replay_shows_each_development_with_its_sources_and_what_it_changed(seeded: Any) -> None:
    replay = seeded.get("/v1/audit/replay?conflict=ukraine-east&limit=100").json
    assert replay["scope"] == {"kind": "conflict", "id": "ukraine-east"}
    steps = {s["development"]["type"]: s for s in replay["steps"]}
    violated = steps["CeasefireViolated"]
    assert changes_of(violated)["ceasefire.status"] == ("agreed", "violated")
    assert violated["development"]["sources"][0]["name"] == "Official Elysee statement"
    fulfilled = changes_of(steps["CommitmentFulfilled"])
    assert fulfilled["commitments[paris-2019-prisoner-exchange].status"] == ("pending", "fulfilled")
    positions = [s["position"] for s in replay["steps"]]
    assert positions == sorted(positions) and len(positions) == 12
    assert replay["next_after"] is None


def test_a_replay_pages_by_position(seeded: Any) -> None:
    first = seeded.get("/v1/audit/replay?conflict=ukraine-east&limit=5").json
    rest = seeded.get(f"/v1/audit/replay?conflict=ukraine-east&after={first['next_after']}&limit=100").json
    assert len(first["steps"]) == 5 and len(rest["steps"]) == 7


def test_corrections_and_retractions_are_steps_like_any_other(seeded: Any, auth: Any) -> None:
    violation = seeded.get("/v1/events?conflict=ukraine-east&type=CeasefireViolated").json["items"][0]
    replacement = {k: violation[k] for k in ("type", "conflicts", "actors", "persons", "sources", "summary", "data")}
    correction = {
        "type": "DevelopmentCorrected",
        "occurred": "2020-06-27",
        "sources": [{"name": "Elysee correction"}],
        "summary": "The fighting was reported a year later.",
        "data": {"target": violation["id"], "replacement": {**replacement, "occurred": "2021-06-26"}},
    }
    assert seeded.post("/v1/events", json=correction, headers=auth()).status_code == 201
    retraction = {
        "type": "DevelopmentRetracted",
        "occurred": "2020-06-28",
        "sources": [{"name": "Elysee"}],
        "summary": "The report of continued fighting is withdrawn.",
        "data": {"target": violation["id"], "reason": "unconfirmed"},
    }
    assert seeded.post("/v1/events", json=retraction, headers=auth()).status_code == 201
    steps = seeded.get("/v1/audit/replay?conflict=ukraine-east&after=21&as_of=2020-12-31").json["steps"]
    assert [s["development"]["type"] for s in steps] == ["DevelopmentCorrected", "DevelopmentRetracted"]
    assert changes_of(steps[0])["ceasefire.status"] == ("violated", "agreed")  # moved out of 2020
    assert "ceasefire.status" not in changes_of(steps[1])  # already not counted in 2020
    later = seeded.get("/v1/audit/replay?conflict=ukraine-east&after=21&as_of=2021-12-31").json["steps"]
    assert changes_of(later[1])["ceasefire.status"] == ("violated", "agreed")


def test_a_diff_between_two_dates_names_each_difference_with_its_evidence(seeded: Any) -> None:
    diff = seeded.get("/v1/audit/diff?conflict=ukraine-east&from=2019-12-15&to=2020-07-01").json
    found = {d["field"]: d for d in diff["differences"]}
    assert (found["ceasefire.status"]["before"], found["ceasefire.status"]["after"]) == ("agreed", "violated")
    assert found["summits[normandy-berlin-2020].status"]["after"] == "proposed"
    assert found["ceasefire.status"]["evidence"]
    assert diff["from"]["as_of"] == "2019-12-15" and diff["to"]["as_of"] == "2020-07-01"


def test_a_diff_between_two_positions_shows_what_was_learnt_in_between(seeded: Any) -> None:
    diff = seeded.get("/v1/audit/diff?conflict=ukraine-east&from=18&to=21").json
    fields = {d["field"] for d in diff["differences"]}
    assert "ceasefire.status" in fields and "commitments[paris-2019-prisoner-exchange].status" in fields
    assert (diff["from"]["known_at"], diff["to"]["known_at"]) == (18, 21)


def test_an_agenda_replays_too(seeded: Any) -> None:
    steps = seeded.get("/v1/audit/replay?agenda=RUS,FRA").json["steps"]
    assert any("topics[terrorism].raised_by" in changes_of(s) for s in steps)


def test_bad_audit_questions_are_problems(seeded: Any) -> None:
    assert seeded.get("/v1/audit/replay").status_code == 422
    assert seeded.get("/v1/audit/replay?conflict=lybia").status_code == 404
    bad = seeded.get("/v1/audit/diff?conflict=libya&from=someday&to=12")
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
