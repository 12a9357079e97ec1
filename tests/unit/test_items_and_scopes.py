"""Items (the versions of developments over record time) and the scopes they belong to, with no database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from events.log.development import RecordedDevelopment
from projections.evidence import cite, empty, shown
from projections.folds import answer_from_scratch, counted
from projections.items import all_items, pair_key, scopes


def recorded(position: int, kind: str, occurred: str, data: dict[str, Any], **content: Any) -> RecordedDevelopment:
    day = date.fromisoformat(occurred)
    return RecordedDevelopment(
        id=content.pop("ident", str(uuid.uuid5(uuid.NAMESPACE_URL, f"d{position}"))),
        position=position,
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        digest="x",
        type=kind,
        occurred=occurred,
        earliest=day,
        latest=day,
        conflicts=content.pop("conflicts", ["donbas"]),
        actors=content.pop("actors", []),
        persons=content.pop("persons", []),
        sources=[{"name": "s"}],
        summary=content.pop("summary", f"development {position}"),
        data=data,
    )


def statement(position: int, occurred: str = "2020-01-01", text: str = "said") -> RecordedDevelopment:
    return recorded(position, "StatementIssued", occurred, {"by": "FRA", "text": text})


def correction(position: int, target: RecordedDevelopment, occurred: str, text: str) -> RecordedDevelopment:
    replacement = {**target.content(), "occurred": occurred, "data": {"by": "FRA", "text": text}}
    return recorded(position, "DevelopmentCorrected", occurred, {"target": target.id, "replacement": replacement})


def retraction(position: int, target: RecordedDevelopment) -> RecordedDevelopment:
    return recorded(position, "DevelopmentRetracted", "2020-01-01", {"target": target.id, "reason": "wrong"})


def test_a_correction_ends_the_live_version_and_starts_one_counting_from_its_own_position() -> None:
    original = statement(1, "2020-01-01", "first")
    fixed = correction(2, original, "2020-01-05", "second")
    versions = sorted(all_items([original, fixed]), key=lambda i: i.recorded)
    assert [(v.recorded, v.superseded, v.latest.isoformat()) for v in versions] == [
        (1, 2, "2020-01-01"),
        (2, None, "2020-01-05"),
    ]
    assert versions[1].id == original.id and versions[1].position == 1 and versions[1].corrected_by == fixed.id
    assert versions[1].evidence == [original.id, fixed.id] and versions[0].evidence == [original.id]


def test_a_version_counts_from_the_position_it_was_recorded_up_to_but_not_at_the_one_that_ended_it() -> None:
    original = statement(1)
    (first, second) = sorted(
        all_items([original, correction(3, original, "2020-01-02", "x")]), key=lambda i: i.recorded
    )
    assert [first.counts_at(p) for p in (0, 1, 2, 3)] == [False, True, True, False]
    assert [second.counts_at(p) for p in (2, 3, 4)] == [False, True, True]


def test_a_retraction_ends_a_development_for_good_and_a_later_correction_of_it_changes_nothing() -> None:
    original = statement(1)
    items = all_items([original, retraction(2, original), correction(3, original, "2020-01-09", "late")])
    assert [(i.recorded, i.superseded) for i in items] == [(1, 2)]


def test_correcting_or_retracting_an_unknown_development_changes_nothing() -> None:
    stranger = statement(9)
    assert all_items([statement(1), retraction(2, stranger)]) == all_items([statement(1)])


def test_only_the_versions_of_the_asked_scope_that_count_at_the_position_are_folded() -> None:
    mine, other = (
        statement(1),
        recorded(2, "StatementIssued", "2020-01-01", {"by": "FRA", "text": "t"}, conflicts=["x"]),
    )
    items = all_items([mine, other, retraction(3, mine)])
    assert [i.id for i in counted(items, ("conflict", "donbas"), 2)] == [mine.id]
    assert counted(items, ("conflict", "donbas"), 3) == []


def test_a_fold_from_scratch_applies_what_had_certainly_happened_and_lists_what_straddles() -> None:
    from dataclasses import replace

    early, late = statement(1, "2020-01-01"), statement(2, "2020-01-10")
    vague = replace(statement(3, "2020-01-01"), occurred="2020-01", latest=date(2020, 1, 31))
    answer = answer_from_scratch([early, late, vague], ("conflict", "donbas"), date(2020, 1, 5), 3)
    assert answer.state["developments"] == 1
    assert [i.id for i in answer.uncertain] == [vague.id]
    assert answer_from_scratch([early, late, vague], ("conflict", "donbas"), date(2020, 1, 5), 1).uncertain == []


def test_scopes_are_the_conflicts_and_the_pairs_a_development_speaks_to() -> None:
    def of(kind: str, data: dict[str, Any], **content: Any) -> set[tuple[str, str]]:
        return scopes(recorded(1, kind, "2020-01-01", data, **content).content())

    assert of("StatementIssued", {"by": "FRA", "text": "t"}) == {("conflict", "donbas")}
    raised = {"parties": ["RUS", "FRA"], "raised_by": "RUS", "topics": ["libya"], "horizon": "current"}
    assert of("AgendaItemsRaised", raised, conflicts=[]) == {("agenda", "FRA-RUS")}
    persons = [{"name": "Olaf Scholz", "represents": "DEU"}]
    assert of("MeetingHeld", {"format": "in_person"}, conflicts=[], actors=["FRA"], persons=persons) == {
        ("agenda", "DEU-FRA")
    }
    briefing = {"by": "RUS", "to": ["FRA", "RUS", "DEU"], "subject": "Idlib"}
    assert of("BriefingGiven", briefing, conflicts=[]) == {("agenda", "FRA-RUS"), ("agenda", "DEU-RUS")}
    assert of("CeasefireCalled", {"called_by": ["FRA", "RUS", "DEU"]}) == {
        ("conflict", "donbas"),
        ("agenda", "FRA-RUS"),
        ("agenda", "DEU-RUS"),
        ("agenda", "DEU-FRA"),
    }
    proposal = {"summit": "s", "proposed_by": ["FRA", "RUS"], "participants": ["DEU", "UKR"]}
    assert of("SummitProposed", proposal) == {("conflict", "donbas"), ("agenda", "FRA-RUS")}
    assert of("SummitProposed", {"summit": "s", "proposed_by": ["FRA"]}) == {("conflict", "donbas")}
    assert pair_key("RUS", "FRA") == pair_key("FRA", "RUS") == "FRA-RUS"


def test_citing_a_development_again_moves_it_to_its_new_day_and_counts_it_once() -> None:
    evidence = empty()
    cite(evidence, ["a", "b"], "2020-01-01")
    cite(evidence, ["a"], "2020-01-02")
    assert evidence == {"ids": ["a", "b"], "days": ["2020-01-02", "2020-01-01"], "total": 2}
    assert shown(evidence) == {"ids": ["a", "b"], "total": 2, "capped": False}


def test_evidence_is_newest_by_day_then_id_whatever_order_it_was_cited_in() -> None:
    cited = [(f"id-{n:02d}", f"2020-01-{1 + n % 3:02d}") for n in range(60)]
    kept = []
    for order in (cited, cited[::-1], sorted(cited, key=lambda c: c[0][-1])):
        evidence = empty()
        for ident, day in order:
            cite(evidence, [ident], day)
        kept.append(shown(evidence))
    assert kept[0] == kept[1] == kept[2]
    newest = sorted(cited, key=lambda c: (c[1], c[0]), reverse=True)
    assert kept[0] == {"ids": [ident for ident, _ in newest[:20]], "total": 60, "capped": True}
