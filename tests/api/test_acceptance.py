"""The acceptance scenario of product.md, through the REST API, on both backends.

The seed article's developments are submitted as one batch; every statement of
the scenario is then asked of the API.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import seed_lines


def submit_seed(client: Any, auth: Any) -> None:
    response = client.post(
        "/v1/events/batch",
        data="\n".join(seed_lines()),
        headers={**auth("submitter"), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.json
    assert response.json["created"] == 21


@pytest.fixture
def seeded(client: Any, auth: Any) -> Any:
    submit_seed(client, auth)
    return client


def by(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(item for item in items if item[key] == value)


def test_libyas_ceasefire_is_called_by_france_and_russia_with_its_basis(seeded: Any) -> None:
    libya = seeded.get("/v1/conflicts/libya").json
    ceasefire = libya["ceasefire"]
    assert ceasefire["status"] == "called"
    assert sorted(ceasefire["called_by"]) == ["FRA", "RUS"]
    assert ceasefire["since"] == "2020-06-26"
    assert ceasefire["basis"] == ["Berlin Conference", "UN Security Council Resolution 2510"]
    assert ceasefire["dialogue_resumption"] is True
    assert ceasefire["evidence"]["total"] == 1
    assert [f["number"] for f in libya["frameworks"]] == ["2510"]


def test_eastern_ukraine_has_a_proposed_berlin_summit_with_no_date(seeded: Any) -> None:
    summits = seeded.get("/v1/conflicts/ukraine-east").json["summits"]
    berlin = by(summits, "summit", "normandy-berlin-2020")
    assert berlin["status"] == "proposed"
    assert berlin["date"] is None
    assert berlin["location"] == "Berlin"
    assert berlin["in_principle"] is True
    assert sorted(berlin["participants"]) == ["DEU", "FRA", "RUS", "UKR"]


def test_eastern_ukraine_has_a_fulfilled_exchange_a_broken_ceasefire_commitment_and_a_violated_ceasefire(
    seeded: Any,
) -> None:
    ukraine = seeded.get("/v1/conflicts/ukraine-east").json
    commitments = ukraine["commitments"]
    assert by(commitments, "commitment", "paris-2019-prisoner-exchange")["status"] == "fulfilled"
    broken = by(commitments, "commitment", "paris-2019-ceasefire")
    assert broken["status"] == "broken"
    assert broken["urged"] == [{"by": "FRA", "on": "2020-06-26"}]
    assert ukraine["ceasefire"]["status"] == "violated"
    assert ukraine["uncertain"] == []


def test_the_ceasefire_commitment_was_overdue_on_15_january_2020(seeded: Any) -> None:
    ukraine = seeded.get("/v1/conflicts/ukraine-east?as_of=2020-01-15").json
    commitment = by(ukraine["commitments"], "commitment", "paris-2019-ceasefire")
    assert commitment["status"] == "overdue"
    assert commitment["overdue"] is True
    assert ukraine["ceasefire"]["status"] == "agreed"  # no breach recorded yet
    assert ukraine["computed_for"]["as_of"] == "2020-01-15"


def test_on_15_december_2019_the_paris_summit_was_held_and_both_commitments_pending(seeded: Any) -> None:
    ukraine = seeded.get("/v1/conflicts/ukraine-east?as_of=2019-12-15").json
    assert by(ukraine["summits"], "summit", "normandy-paris-2019")["status"] == "held"
    assert [s["summit"] for s in ukraine["summits"]] == ["normandy-paris-2019"]
    assert {c["commitment"]: c["status"] for c in ukraine["commitments"]} == {
        "paris-2019-ceasefire": "pending",
        "paris-2019-prisoner-exchange": "pending",
    }
    assert [u["type"] for u in ukraine["uncertain"]] == ["CommitmentFulfilled"]
    assert ukraine["uncertain"][0]["occurred"] == "2019-12-09/2020-06-26"


def test_the_france_russia_agenda_holds_ten_topics_one_contact_and_the_joint_libya_position(seeded: Any) -> None:
    for path in ("/v1/agendas/FRA/RUS", "/v1/agendas/RUS/FRA"):
        agenda = seeded.get(path).json
        topics = {t["topic"]: sorted(t["raised_by"]) for t in agenda["topics"]}
        assert topics == {
            "terrorism": ["RUS"],
            "immigration": ["RUS"],
            "coronavirus": ["RUS"],
            "syria": ["FRA", "RUS"],
            "libya": ["FRA", "RUS"],
            "balkans": ["RUS"],
            "ukraine": ["FRA", "RUS"],
            "health": ["FRA"],
            "economy": ["FRA"],
            "environment": ["FRA"],
        }
        assert {t["topic"] for t in agenda["topics"] if t["horizon"] == "future"} == {
            "health",
            "economy",
            "environment",
        }
        assert [(c["on"], c["format"]) for c in agenda["contacts"]] == [("2020-06-26", "video_call")]
        assert agenda["last_contact"] == "2020-06-26"
        libya = [p for p in agenda["joint_positions"] if p["kind"] == "ceasefire_called"]
        assert [p["conflicts"] for p in libya] == [["libya"]]


def test_every_fact_carries_evidence_that_names_a_development(seeded: Any) -> None:
    ukraine = seeded.get("/v1/conflicts/ukraine-east").json
    evidence = [ukraine["ceasefire"]["evidence"]]
    evidence += [s["evidence"] for s in ukraine["summits"]] + [c["evidence"] for c in ukraine["commitments"]]
    for item in evidence:
        assert item["ids"], item
        for ident in item["ids"]:
            assert seeded.get(f"/v1/events/{ident}").status_code == 200


def test_an_answer_known_at_an_earlier_position_ignores_what_came_later(seeded: Any) -> None:
    full = seeded.get("/v1/conflicts/ukraine-east").json
    position = full["computed_for"]["known_at"] - 3  # before the exchange, the violation and the breach arrived
    earlier = seeded.get(f"/v1/conflicts/ukraine-east?known_at={position}").json
    assert earlier["computed_for"]["known_at"] == position
    assert earlier["ceasefire"]["status"] == "agreed"
    assert earlier["developments"] == full["developments"] - 3


def test_the_timeline_lists_developments_in_world_order_a_page_at_a_time(seeded: Any) -> None:
    first = seeded.get("/v1/conflicts/ukraine-east/timeline?limit=5").json
    second = seeded.get(f"/v1/conflicts/ukraine-east/timeline?limit=20&after={first['next_after']}").json
    items = first["items"] + second["items"]
    assert second["next_after"] is None
    keys = [(i["occurred_latest"], i["position"]) for i in items]
    assert keys == sorted(keys) and len(items) == 12


def test_an_unknown_conflict_answers_404_with_the_closest_id(seeded: Any) -> None:
    response = seeded.get("/v1/conflicts/lybia")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert "did you mean 'libya'?" in response.json["detail"]


def test_lists_of_conflicts_and_agendas_summarise_each(seeded: Any) -> None:
    conflicts = {c["conflict"]: c for c in seeded.get("/v1/conflicts").json["items"]}
    assert set(conflicts) == {"libya", "syria", "ukraine-east"}
    assert conflicts["libya"]["summary"] == "ceasefire called"
    agendas = [a["agenda"] for a in seeded.get("/v1/agendas").json["items"]]
    assert "FRA-RUS" in agendas


def test_a_bad_known_at_is_a_problem_naming_the_field(seeded: Any) -> None:
    response = seeded.get("/v1/conflicts/libya?known_at=yesterday")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "known_at"
