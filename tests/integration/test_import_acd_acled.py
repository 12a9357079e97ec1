"""The UCDP/PRIO Armed Conflict Dataset and ACLED importers, on both backends, with fixtures of our own."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest

from events.importers import ImportOptions, ImportProblem, run_import
from events.importers.decisions import key_id
from events.log.application import ConflictLog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACD = (FIXTURES / "acd-sample.csv").read_bytes()
ACLED = (FIXTURES / "acled-sample.csv").read_bytes()
ACLED_OTHER = (FIXTURES / "acled-other-layout.csv").read_bytes()
DELETIONS = (FIXTURES / "acled-deletions.csv").read_bytes()
ACLED_HEADER = ACLED.decode().split("\n", 1)[0]


def everything(log: ConflictLog) -> list[Any]:
    out, after = [], 0
    while page := log.read(after=after, limit=1000):
        out += page
        after = page[-1].position
    return out


def of_type(log: ConflictLog, kind: str) -> list[Any]:
    return [d for d in everything(log) if d.type == kind]


def acd_with(old: str, new: str) -> bytes:
    return ACD.decode().replace(old, new, 1).encode()


def register(log: ConflictLog, slug: str, territory: list[str]) -> None:
    log.submit(
        {
            "type": "ConflictRegistered",
            "occurred": "2014",
            "sources": [{"name": "test"}],
            "summary": f"{slug} is registered.",
            "data": {"conflict": slug, "name": slug, "territory": territory},
        }
    )


def test_acd_rows_register_each_conflict_with_its_parties_territory_and_beginning(log: ConflictLog) -> None:
    summary = run_import(log, "ucdp-acd", ACD)
    assert (summary.rows_read, summary.rejected) == (6, 0)
    registered = {d.data["conflict"]: d for d in of_type(log, "ConflictRegistered")}
    assert sorted(registered) == ["ucdp-13306", "ucdp-13692", "ucdp-289"]
    ukraine = registered["ucdp-13306"].data
    assert ukraine["name"] == "Ukraine: DPR, LPR (Novorossiya)"
    assert ukraine["external_ids"] == ["ucdp:13306"]
    assert ukraine["parties"] == ["UKR", "UCDP-6711", "UCDP-6712"]
    assert ukraine["territory"] == ["UKR"]
    assert ukraine["began"] == "2014-04-14"
    assert ukraine["region"] == "Europe"
    assert registered["ucdp-13692"].data["parties"] == ["IND", "PAK"]
    assert registered["ucdp-13692"].data["territory"] == ["IND", "PAK"]
    assert registered["ucdp-13692"].data["region"] == "Asia"
    assert registered["ucdp-13306"].id == key_id("ucdp:conflict:13306")


def test_acd_years_become_intensity_assessments_and_ep_end_a_dated_conflict_end(log: ConflictLog) -> None:
    run_import(log, "ucdp-acd", ACD)
    levels = {(d.conflicts[0], d.data["period"]): d.data["level"] for d in of_type(log, "IntensityAssessed")}
    assert levels == {
        ("ucdp-13306", "2014"): "war",
        ("ucdp-13306", "2015"): "war",
        ("ucdp-13306", "2016"): "minor",  # written 2016.0 and 1.0 in the file
        ("ucdp-289", "2015"): "minor",
        ("ucdp-289", "2016"): "minor",
        ("ucdp-13692", "2019"): "minor",
    }
    ended = {d.conflicts[0]: d for d in of_type(log, "ConflictEnded")}
    assert sorted(ended) == ["ucdp-13692", "ucdp-289"]
    assert ended["ucdp-289"].occurred == "2016-08-29"
    assert ended["ucdp-289"].origin == {"dataset": "ucdp-acd", "release": "23.1", "row_id": "289-2016"}
    assert next(d for d in of_type(log, "IntensityAssessed") if d.data["period"] == "2016").origin["row_id"] in (
        "13306-2016",
        "289-2016",
    )


def test_importing_the_acd_again_adds_nothing(log: ConflictLog) -> None:
    run_import(log, "ucdp-acd", ACD)
    head = log.head()
    again = run_import(log, "ucdp-acd", ACD)
    assert (again.added, again.registered, again.corrected) == (0, 0, 0)
    assert log.head() == head


def test_a_changed_acd_row_in_a_later_release_is_a_correction_and_an_episode_no_longer_ended_is_retracted(
    log: ConflictLog,
) -> None:
    run_import(log, "ucdp-acd", ACD)
    later = acd_with("2015,1,1,3,1964-07-24", "2015,2,1,3,1964-07-24").decode()
    later = later.replace(",1,2016-08-29,1,", ",0,,,").replace(",23.1", ",24.1").encode()
    summary = run_import(log, "ucdp-acd", later)
    assert summary.corrected == 2
    corrected = of_type(log, "DevelopmentCorrected")
    assert [c.data["replacement"]["data"]["level"] for c in corrected] == ["war"]
    retracted = of_type(log, "DevelopmentRetracted")
    assert [r.data["target"] for r in retracted] == [key_id("ucdp-acd:289:2016:ended")]


def test_ged_rows_after_the_acd_find_its_conflict_instead_of_registering_a_bare_one(log: ConflictLog) -> None:
    run_import(log, "ucdp-acd", ACD)
    ged = (
        b"id,conflict_new_id,conflict_name,side_a,side_a_new_id,gwnoa,side_b,side_b_new_id,gwnob,"
        b"date_start,date_end,best,low,high\n"
        b"1,13306.0,Ukraine: Novorossiya,Government of Ukraine,61,369,DPR,6711,,2016-01-01,2016-01-01,2,2,2\n"
    )
    summary = run_import(log, "ucdp-ged", ged)
    assert (summary.added, summary.registered) == (1, 0)
    assert len(of_type(log, "ConflictRegistered")) == 3
    assert of_type(log, "FightingReported")[0].conflicts == ["ucdp-13306"]


def test_a_conflict_a_ged_import_registered_bare_is_corrected_into_the_acd_registration(log: ConflictLog) -> None:
    ged = (
        b"id,conflict_new_id,conflict_name,side_a,side_a_new_id,gwnoa,side_b,side_b_new_id,gwnob,"
        b"date_start,date_end,best,low,high\n"
        b"1,289,Colombia: Government,Government of Colombia,78,100,FARC,541,,2015-01-01,2015-01-01,2,2,2\n"
    )
    run_import(log, "ucdp-ged", ged)
    summary = run_import(log, "ucdp-acd", ACD)
    assert summary.rejected == 0
    corrections = [c for c in of_type(log, "DevelopmentCorrected") if c.data["target"] == key_id("ucdp:conflict:289")]
    assert len(corrections) == 1
    assert corrections[0].data["replacement"]["data"]["territory"] == ["COL"]
    assert corrections[0].data["replacement"]["data"]["name"] == "Colombia: FARC"


def test_a_conflict_registered_by_hand_with_the_ucdp_id_keeps_its_registration_and_gets_the_years(
    log: ConflictLog,
) -> None:
    log.submit(
        {
            "type": "ConflictRegistered",
            "occurred": "2014",
            "sources": [{"name": "test"}],
            "summary": "Eastern Ukraine is registered.",
            "data": {"conflict": "ukraine-east", "name": "Eastern Ukraine", "external_ids": ["ucdp:13306"]},
        }
    )
    summary = run_import(log, "ucdp-acd", ACD)
    assert any("registered as 'ukraine-east'" in note for note in summary.notes)
    assert {d.conflicts[0] for d in of_type(log, "IntensityAssessed") if d.origin["row_id"].startswith("13306")} == {
        "ukraine-east"
    }


def test_acled_fighting_becomes_fighting_reported_with_place_violence_and_deaths(log: ConflictLog) -> None:
    register(log, "ukraine", ["UKR"])
    summary = run_import(log, "acled", ACLED)
    assert (summary.rows_read, summary.added, summary.rejected) == (7, 5, 0)
    assert summary.notes == [
        "2 row(s) skipped, not fighting or agreements (or deleted): Protests/Peaceful protest 1, "
        "Strategic developments/Arrests 1"
    ]
    fighting = {d.origin["row_id"]: d for d in of_type(log, "FightingReported")}
    battle = fighting["UKR1001"]
    assert battle.conflicts == ["ukraine"]
    assert battle.actors == ["RUS", "UKR"]
    assert battle.data["deaths"] == {"best": 4, "low": 4, "high": 4}
    assert battle.data["violence"] == "state-based"
    assert battle.data["place"] == {
        "country": "UKR",
        "admin1": "Donetsk",
        "admin2": "Bakhmutskyi",
        "name": "Bakhmut",
        "lat": 48.5953,
        "lon": 38.0003,
        "precision": 1,
    }
    assert battle.origin == {"dataset": "acled", "release": "1652116015", "row_id": "UKR1001"}
    assert [s["name"] for s in battle.sources] == ["ACLED, event UKR1001", "Ukrinform", "Kyiv Independent"]
    assert fighting["UKR1002"].data["violence"] == "one-sided"
    assert fighting["UKR1002"].occurred == "2022-05-04~"
    assert fighting["UKR1003"].occurred == "2022-05"
    assert [d.data["parties"] for d in of_type(log, "CeasefireAgreed")] == [["RUS", "UKR"]]
    assert [d.data["agreement"] for d in of_type(log, "AgreementSigned")] == ["acled-ukr1006"]


def test_acled_in_another_layout_reads_the_same_columns_by_name(log: ConflictLog) -> None:
    register(log, "ukraine", ["UKR"])
    summary = run_import(log, "acled", ACLED_OTHER)
    assert (summary.added, summary.rejected) == (2, 0)
    fighting = {d.origin["row_id"]: d for d in of_type(log, "FightingReported")}
    assert fighting["UKR2001"].occurred == "2023-11-03"
    assert fighting["UKR2001"].data["violence"] == "state-based"
    assert fighting["UKR2001"].data["deaths"]["best"] == 7
    assert fighting["UKR2002"].data["violence"] == "non-state"
    assert fighting["UKR2002"].actors == []


def test_an_acled_row_with_a_newer_timestamp_corrects_and_an_older_one_is_not_applied(log: ConflictLog) -> None:
    register(log, "ukraine", ["UKR"])
    run_import(log, "acled", ACLED)
    head = log.head()
    assert run_import(log, "acled", ACLED).added == 0
    assert log.head() == head
    newer = ACLED.decode().replace(",4,,1652116015", ",6,,1652200000").encode()
    summary = run_import(log, "acled", newer)
    assert (summary.corrected, summary.unchanged) == (1, 4)
    [correction] = of_type(log, "DevelopmentCorrected")
    assert correction.data["replacement"]["data"]["deaths"]["best"] == 6
    older = ACLED.decode().replace(",4,,1652116015", ",9,,1652000000").encode()
    stale = run_import(log, "acled", older)
    assert stale.corrected == 0
    assert "older than release 1652200000" in stale.reports[0].reason


def test_acled_deletions_retract_the_deleted_events_once(log: ConflictLog) -> None:
    register(log, "ukraine", ["UKR"])
    run_import(log, "acled", ACLED)
    options = ImportOptions(deletions=DELETIONS)
    summary = run_import(log, "acled", ACLED, options)
    assert summary.corrected == 1
    [retraction] = of_type(log, "DevelopmentRetracted")
    assert retraction.data == {"target": key_id("acled:UKR1003"), "reason": "ACLED deleted event UKR1003 on 2022-08-08"}
    assert run_import(log, "acled", ACLED, options).corrected == 0


def test_acled_rows_are_placed_by_territory_and_refused_by_name_when_no_or_several_conflicts_fit(
    log: ConflictLog,
) -> None:
    one_row = f"{ACLED_HEADER}\n{ACLED.decode().splitlines()[1]}\n".encode()
    nowhere = run_import(log, "acled", one_row)
    assert nowhere.rejected == 1
    assert nowhere.reports[0].reason == (
        "no registered conflict is fought in UKR: register one "
        "(conflict-status conflict register SLUG --name NAME --territory UKR) or give --conflict"
    )
    register(log, "ukraine", ["UKR"])
    register(log, "black-sea", ["UKR", "RUS"])
    several = run_import(log, "acled", one_row)
    assert "the conflicts black-sea, ukraine are all fought in UKR" in several.reports[0].reason
    chosen = run_import(log, "acled", one_row, ImportOptions(conflict="black-sea"))
    assert chosen.added == 1
    assert of_type(log, "FightingReported")[0].conflicts == ["black-sea"]


def test_an_unknown_acled_conflict_is_refused_naming_the_command_that_registers_it(log: ConflictLog) -> None:
    with pytest.raises(ImportProblem, match=r"conflict-status conflict register donbas --name NAME"):
        run_import(log, "acled", ACLED, ImportOptions(conflict="donbas"))


def test_acled_types_count_as_the_file_says(log: ConflictLog) -> None:
    register(log, "ukraine", ["UKR"])
    run_import(log, "acled", ACLED)
    assert collections.Counter(d.type for d in everything(log) if d.origin) == {
        "FightingReported": 3,
        "CeasefireAgreed": 1,
        "AgreementSigned": 1,
    }


def test_an_acled_row_with_a_bad_date_or_count_is_rejected_by_line_and_column(log: ConflictLog) -> None:
    register(log, "ukraine", ["UKR"])
    rows = ACLED.decode().splitlines()
    bad_date = rows[1].replace("2022-05-03", "3rd of May", 1)
    bad_count = rows[2].replace(",2,,1652116016", ",two,,1652116016")
    summary = run_import(log, "acled", "\n".join([rows[0], bad_date, bad_count, ""]).encode())
    assert [(r.line, r.column, r.reason) for r in summary.reports] == [
        (2, "event_date", "'3rd of May' is not a date ACLED writes (such as 2023-03-15 or 15 March 2023)"),
        (3, "fatalities", "expected a whole number, got 'two'"),
    ]
    assert summary.added == 0
