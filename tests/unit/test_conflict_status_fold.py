"""The conflict status fold, fed items directly: no log, no database."""

from __future__ import annotations

from datetime import date

from projections import conflict_status
from projections.items import Item
from tests.unit.builders import item


def folded(*items: Item) -> dict:
    state = conflict_status.initial("donbas")
    for each in items:
        state = conflict_status.apply(state, each)
    return state


def answer(*items: Item, as_of: str = "2030-01-01") -> dict:
    return conflict_status.render(folded(*items), date.fromisoformat(as_of))


def test_registration_names_the_conflict_and_its_parties() -> None:
    registered = item(
        "ConflictRegistered",
        "2014-04-06",
        {"conflict": "donbas", "name": "Eastern Ukraine", "region": "Europe", "parties": ["UKR", "RUS"],
         "external_ids": ["ucdp:13306"]},
    )  # fmt: skip
    got = answer(registered)
    assert (got["name"], got["region"], got["parties"], got["external_ids"]) == (
        "Eastern Ukraine",
        "Europe",
        ["UKR", "RUS"],
        ["ucdp:13306"],
    )


def test_a_summit_goes_from_proposed_to_scheduled_to_held_keeping_what_each_step_said() -> None:
    got = answer(
        item("SummitProposed", "2020-06-26", {"summit": "berlin", "proposed_by": ["FRA"], "location": "Berlin"}),
        item("SummitScheduled", "2020-08-01", {"summit": "berlin", "date": "2020-09-10"}),
        item("SummitHeld", "2020-09-10", {"summit": "berlin", "participants": ["FRA", "RUS"]}),
    )
    (summit,) = got["summits"]
    assert (summit["status"], summit["date"], summit["location"]) == ("held", "2020-09-10", "Berlin")
    assert summit["participants"] == ["FRA", "RUS"] and summit["evidence"]["total"] == 3


def test_a_summit_held_with_no_date_given_is_dated_by_when_it_was_held() -> None:
    (summit,) = answer(item("SummitHeld", "2019-12-09", {"summit": "paris"}))["summits"]
    assert summit["date"] == "2019-12-09"


def test_a_commitment_is_overdue_from_the_day_after_it_was_due_not_on_the_day() -> None:
    made = item(
        "CommitmentMade",
        "2019-12-09",
        {"commitment": "truce", "description": "d", "parties": ["UKR"], "due": "2019-12-31"},
    )
    (on_the_day,) = answer(made, as_of="2019-12-31")["commitments"]
    (day_after,) = answer(made, as_of="2020-01-01")["commitments"]
    assert (on_the_day["status"], on_the_day["overdue"]) == ("pending", False)
    assert (day_after["status"], day_after["overdue"]) == ("overdue", True)


def test_a_commitment_due_in_a_month_is_due_on_its_last_day() -> None:
    made = item(
        "CommitmentMade", "2019-11-01", {"commitment": "c", "description": "d", "parties": ["UKR"], "due": "2019-12"}
    )
    assert answer(made, as_of="2019-12-31")["commitments"][0]["overdue"] is False
    assert answer(made, as_of="2020-01-01")["commitments"][0]["overdue"] is True


def test_a_kept_or_broken_commitment_is_never_overdue() -> None:
    made = item(
        "CommitmentMade", "2019-12-09", {"commitment": "c", "description": "d", "parties": ["UKR"], "due": "2019-12-31"}
    )
    kept = item("CommitmentFulfilled", "2020-03-01", {"commitment": "c"})
    broken = item("CommitmentBroken", "2020-03-01", {"commitment": "c", "description": "the fighting continues"})
    assert answer(made, kept)["commitments"][0]["status"] == "fulfilled"
    (commitment,) = answer(made, broken)["commitments"]
    assert (commitment["status"], commitment["breach"], commitment["overdue"]) == (
        "broken",
        "the fighting continues",
        False,
    )


def test_urging_keeps_the_latest_ten_calls() -> None:
    calls = [item("ImplementationUrged", f"2020-01-{d:02d}", {"commitment": "c", "by": "FRA"}) for d in range(1, 13)]
    (commitment,) = answer(*calls)["commitments"]
    assert [u["on"] for u in commitment["urged"]] == [f"2020-01-{d:02d}" for d in range(3, 13)]


def test_resolutions_and_agreements_are_frameworks() -> None:
    got = answer(
        item("ResolutionAdopted", "2020-02-12", {"body": "UNSC", "number": "2510", "title": "Libya"}),
        item("AgreementSigned", "2015-02-12", {"agreement": "minsk-2", "name": "Minsk II", "parties": ["UKR", "RUS"]}),
    )
    kinds = {f["kind"]: f for f in got["frameworks"]}
    assert kinds["resolution"]["number"] == "2510" and kinds["resolution"]["adopted"] == "2020-02-12"
    assert kinds["agreement"]["name"] == "Minsk II" and got["parties"] == ["RUS", "UKR"]  # not registered: by code


def test_the_latest_assessment_is_the_one_shown() -> None:
    got = answer(
        item("StatusAssessed", "2020-05-31", {"trend": "deteriorated", "period": "2020-05"}),
        item(
            "StatusAssessed",
            "2020-06-30",
            {"trend": "improved", "alert": "resolution_opportunity", "period": "2020-06"},
        ),
    )
    assert (got["assessment"]["trend"], got["assessment"]["alert"]) == ("improved", "resolution_opportunity")


def test_evidence_shows_the_newest_twenty_and_counts_them_all() -> None:
    urged = [item("ImplementationUrged", f"2020-01-{d:02d}", {"commitment": "c", "by": "FRA"}) for d in range(1, 26)]
    (commitment,) = answer(*urged)["commitments"]
    evidence = commitment["evidence"]
    assert len(evidence["ids"]) == 20 and evidence["total"] == 25 and evidence["capped"] is True
    assert evidence["ids"][0] == urged[-1].id


def test_evidence_of_twenty_is_shown_whole_and_not_capped() -> None:
    urged = [item("ImplementationUrged", f"2020-01-{d:02d}", {"commitment": "c", "by": "FRA"}) for d in range(1, 21)]
    evidence = answer(*urged)["commitments"][0]["evidence"]
    assert len(evidence["ids"]) == 20 and evidence["total"] == 20 and evidence["capped"] is False


def test_every_development_counts_and_the_last_in_world_order_is_named() -> None:
    got = answer(item("StatementIssued", "2020-06-26", {"by": "FRA", "text": "t"}, summary="the last"))
    assert got["developments"] == 1 and got["last_development"]["summary"] == "the last"


def test_the_answer_has_every_fact_of_the_contract_and_nothing_of_the_folds_bookkeeping() -> None:
    got = answer(item("StatementIssued", "2020-06-26", {"by": "FRA", "text": "t"}))
    assert list(got) == [
        "conflict",
        "name",
        "region",
        "parties",
        "external_ids",
        "territory",
        "began",
        "ceasefire",
        "summits",
        "commitments",
        "frameworks",
        "assessment",
        "intensity",
        "episode",
        "fighting",
        "last_development",
        "developments",
    ]
    assert got["conflict"] == "donbas" and got["territory"] == [] and got["began"] is None


def test_registration_gives_territory_and_when_it_began() -> None:
    registered = item(
        "ConflictRegistered",
        "2014-04-06",
        {"conflict": "donbas", "name": "Donbas", "territory": ["UKR"], "began": "2014-04"},
    )
    got = answer(registered)
    assert (got["territory"], got["began"]) == (["UKR"], "2014-04")


def test_the_list_line_says_the_ceasefire_what_is_overdue_the_talks_the_trend_and_an_end() -> None:
    def line(*items: Item, as_of: str = "2030-01-01") -> str:
        return conflict_status.summary_line(folded(*items), date.fromisoformat(as_of))

    assert line() == "no ceasefire"
    due = [
        item(
            "CommitmentMade",
            "2019-12-01",
            {"commitment": f"c{n}", "description": "d", "parties": ["UKR"], "due": "2019-12-31"},
        )
        for n in range(2)
    ]
    summits = [item("SummitProposed", "2020-01-02", {"summit": f"s{n}", "proposed_by": ["FRA"]}) for n in range(2)]
    assessed = item("StatusAssessed", "2020-01-31", {"trend": "improved", "period": "2020-01"})
    ended = item("ConflictEnded", "2020-02-01", {})
    agreed = item("CeasefireAgreed", "2019-12-09", {"parties": ["UKR", "RUS"]})
    assert line(agreed, due[0], summits[0]) == "ceasefire agreed; 1 commitment overdue; 1 summit proposed"
    assert line(agreed, *due, *summits, assessed, ended) == (
        "ceasefire agreed; 2 commitments overdue; 2 summits proposed; trend improved; ended 2020-02-01"
    )


def test_a_ceasefire_keeps_who_agreed_it_and_the_conflict_counts_them_as_parties() -> None:
    got = answer(item("CeasefireAgreed", "2019-12-09", {"parties": ["UKR", "RUS"], "effective": "2019-12-31"}))
    assert got["ceasefire"]["parties"] == ["UKR", "RUS"] and got["parties"] == ["RUS", "UKR"]


def test_the_fold_keeps_only_the_fighting_a_later_date_can_still_count() -> None:
    from datetime import timedelta

    days = [date(2020, 1, 1) + timedelta(days=n) for n in range(100)]
    state = folded(*(item("FightingReported", d.isoformat(), {"description": "c"}) for d in days))
    kept = [r["date"] for r in state["fighting"]]
    assert kept == [d.isoformat() for d in days[-30:]]
