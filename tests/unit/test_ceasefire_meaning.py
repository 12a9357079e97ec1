"""What ceasefires and fighting mean, computed by the conflict fold as of the asked date (no log, no database)."""

from __future__ import annotations

from datetime import date

from projections import conflict_status
from projections.items import Item
from tests.unit.builders import item


def answer(*items: Item, as_of: str = "2030-01-01") -> dict:
    """The answer as of a day: the items that had certainly happened by then, folded in world order."""
    day = date.fromisoformat(as_of)
    state = conflict_status.initial("donbas")
    for each in sorted(items, key=lambda i: i.world_key):
        if each.latest <= day:
            state = conflict_status.apply(state, each)
    return conflict_status.render(state, day)


def agreed(day: str, parties: tuple[str, ...] = ("UKR", "RUS"), effective: str | None = None) -> Item:
    data: dict = {"parties": list(parties)}
    if effective:
        data["effective"] = effective
    return item("CeasefireAgreed", day, data)


def called(day: str) -> Item:
    return item("CeasefireCalled", day, {"called_by": ["FRA", "DEU"], "basis": ["Minsk"]})


def fight(day: str, best: int = 0, low: int | None = None, high: int | None = None) -> Item:
    deaths = {"best": best, "low": best if low is None else low, "high": best if high is None else high}
    return item("FightingReported", day, {"description": "clashes", "deaths": deaths})


def test_fighting_after_the_day_a_ceasefire_was_agreed_violates_it_with_its_deaths() -> None:
    ceasefire = answer(agreed("2019-12-09"), fight("2019-12-10", 2), fight("2020-01-15", 3, 1, 4))["ceasefire"]
    assert (ceasefire["status"], ceasefire["since"], ceasefire["violations"]) == ("violated", "2019-12-09", 2)
    assert ceasefire["last_violation"] == "2020-01-15"
    assert ceasefire["deaths"] == {"best": 5, "low": 3, "high": 6}


def test_fighting_on_the_day_of_the_agreement_is_not_a_violation_whatever_was_recorded_first() -> None:
    truce, same_day = agreed("2019-12-09"), fight("2019-12-09", 4)
    for first, second in ((truce, same_day), (same_day, truce)):
        ceasefire = answer(*renumbered(first, second))["ceasefire"]
        assert (ceasefire["status"], ceasefire["violations"]) == ("agreed", 0)


def test_fighting_before_any_ceasefire_is_no_violation() -> None:
    got = answer(fight("2019-01-01", 5), agreed("2019-12-09"))
    assert got["ceasefire"]["violations"] == 0 and got["ceasefire"]["history"] == []


def test_violations_count_only_up_to_the_asked_date() -> None:
    items = (agreed("2019-12-09"), fight("2019-12-20", 1), fight("2020-02-01", 1))
    assert answer(*items, as_of="2020-01-15")["ceasefire"]["violations"] == 1


def test_a_ceasefire_in_force_is_since_its_agreement_not_since_it_was_to_take_effect() -> None:
    got = answer(agreed("2019-12-09", effective="2019-12-31"), fight("2019-12-20", 1))["ceasefire"]
    assert (got["since"], got["effective"], got["violations"]) == ("2019-12-09", "2019-12-31", 1)


def test_a_new_ceasefire_replaces_the_one_in_force_which_keeps_its_own_count_in_the_history() -> None:
    got = answer(
        called("2014-09-01"),
        agreed("2014-09-05"),
        fight("2014-10-01", 10),
        fight("2015-01-20", 7),
        agreed("2015-02-12"),
        fight("2015-03-01", 2),
    )
    ceasefire = got["ceasefire"]
    assert (ceasefire["since"], ceasefire["violations"], ceasefire["deaths"]["best"]) == ("2015-02-12", 1, 2)
    first, minsk = ceasefire["history"]
    assert (first["kind"], first["since"], first["until"], first["violations"]) == (
        "called",
        "2014-09-01",
        "2014-09-05",
        0,
    )
    assert (minsk["kind"], minsk["since"], minsk["until"]) == ("agreed", "2014-09-05", "2015-02-12")
    assert (minsk["status"], minsk["violations"], minsk["deaths"]["best"]) == ("violated", 2, 17)


def test_of_two_ceasefires_of_one_day_the_agreed_one_is_in_force_whatever_the_record_order() -> None:
    call, agreement = called("2020-06-26"), agreed("2020-06-26")
    for order in ((call, agreement), (agreement, call)):
        got = answer(*renumbered(*order), fight("2020-07-01", 1))["ceasefire"]
        assert (got["kind"], got["violations"]) == ("agreed", 1)
        assert [(c["kind"], c["until"], c["violations"]) for c in got["history"]] == [("called", "2020-06-26", 0)]


def test_a_ceasefire_said_broken_counts_as_a_violation_of_the_one_in_force() -> None:
    broken = item("CeasefireViolated", "2020-06-26", {"description": "the fighting continues"})
    ceasefire = answer(agreed("2019-12-09"), broken)["ceasefire"]
    assert (ceasefire["status"], ceasefire["violations"], ceasefire["last_violation"]) == ("violated", 1, "2020-06-26")


def test_a_ceasefire_said_broken_with_none_recorded_is_violated_with_no_known_start() -> None:
    broken = item("CeasefireViolated", "2020-06-26", {"description": "the truce collapsed"})
    ceasefire = answer(broken)["ceasefire"]
    assert (ceasefire["status"], ceasefire["since"], ceasefire["violations"]) == ("violated", None, 1)


def test_ged_fighting_an_older_importer_recorded_as_a_violation_is_read_as_fighting() -> None:
    legacy = item(
        "CeasefireViolated", "2019-01-01", {"description": "clashes", "deaths": {"best": 3, "low": 3, "high": 3}}
    )
    legacy.content["origin"] = {"dataset": "ucdp-ged", "row_id": "155425"}
    got = answer(legacy, agreed("2019-12-09"), as_of="2019-01-10")
    assert got["ceasefire"]["status"] == "none" and got["ceasefire"]["violations"] == 0
    assert got["fighting"]["reports"] == 1 and got["fighting"]["deaths"]["best"] == 3


def test_the_fighting_window_is_the_thirty_days_up_to_the_asked_date_with_their_deaths() -> None:
    items = (fight("2020-01-01", 100), fight("2020-01-02", 2, 1, 3), fight("2020-01-31", 5), fight("2020-02-01", 9))
    window = answer(*items, as_of="2020-01-31")["fighting"]
    assert (window["from"], window["to"], window["reports"]) == ("2020-01-02", "2020-01-31", 2)
    assert window["deaths"] == {"best": 7, "low": 6, "high": 8}
    assert window["evidence"]["total"] == 2


def test_the_last_fighting_report_is_dated_even_when_the_window_is_quiet() -> None:
    window = answer(fight("2015-03-01", 2), as_of="2021-01-01")["fighting"]
    assert (window["reports"], window["last_report"]) == (0, "2015-03-01")
    assert answer(fight("2015-03-01", 2), as_of="2015-02-01")["fighting"]["last_report"] is None


def test_the_latest_intensity_period_is_shown() -> None:
    got = answer(
        item("IntensityAssessed", "2015-12-31", {"period": "2015", "level": "war"}),
        item("IntensityAssessed", "2016-12-31", {"period": "2016", "level": "minor", "source": "UCDP/PRIO"}),
    )
    assert (got["intensity"]["period"], got["intensity"]["level"]) == ("2016", "minor")


def test_an_ended_episode_shows_until_fighting_starts_a_new_one() -> None:
    ended = item("ConflictEnded", "2018-12-31", {"reason": "no battle deaths"})
    assert answer(fight("2018-06-01"), ended)["episode"]["status"] == "ended"
    again = answer(fight("2018-06-01"), ended, fight("2020-03-01"))["episode"]
    assert (again["status"], again["since"], again["ended"]) == ("active", "2020-03-01", None)


def test_the_list_summary_says_overdue_from_the_day_after_the_due_day() -> None:
    state = conflict_status.initial("donbas")
    made = item(
        "CommitmentMade", "2019-12-09", {"commitment": "c", "description": "d", "parties": ["UKR"], "due": "2019-12-31"}
    )
    state = conflict_status.apply(state, made)
    assert "overdue" not in conflict_status.summary_line(state, date(2019, 12, 31))
    assert "1 commitment overdue" in conflict_status.summary_line(state, date(2020, 1, 1))


def renumbered(*items: Item) -> list[Item]:
    """The same developments recorded in the order given (positions follow it)."""
    from dataclasses import replace

    base = min(i.position for i in items)
    return [replace(i, position=base + n, recorded=base + n) for n, i in enumerate(items)]
