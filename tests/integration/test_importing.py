"""Importing data sets into the log (both backends), with small fixtures of our own."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest

from events.importers import ImportFailed, ImportOptions, MissingColumns, run_import
from events.importers.cameo_plover import read_cameo_table
from events.importers.decisions import key_id
from events.log.application import ConflictLog
from events.vocabulary.errors import IdConflict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

GED_HEADER = (
    "id,conflict_new_id,conflict_name,side_a,side_a_new_id,gwnoa,side_b,side_b_new_id,gwnob,"
    "date_start,date_end,best,low,high,where_description"
)


def ged(*rows: str) -> bytes:
    return "\n".join([GED_HEADER, *rows, ""]).encode()


def ged_row(ident: int, day: str, best: int = 2, conflict: int = 13306, where: str = "Donetsk") -> str:
    name = {13306: "Ukraine: Novorossiya", 13246: "Ukraine: Donetsk"}[conflict]
    return f"{ident},{conflict},{name},Government of Ukraine,61,369,DPR,6711,,{day},{day},{best},{best},{best},{where}"


def everything(log: ConflictLog) -> list[Any]:
    out, after = [], 0
    while page := log.read(after=after, limit=1000):
        out += page
        after = page[-1].position
    return out


def types(log: ConflictLog) -> collections.Counter[str]:
    return collections.Counter(d.type for d in everything(log))


def test_a_messy_ged_file_imports_its_good_rows_and_names_the_bad_ones_by_line_and_column(log: ConflictLog) -> None:
    summary = run_import(log, "ucdp-ged", (FIXTURES / "ged-messy.csv").read_bytes())
    assert (summary.rows_read, summary.added, summary.flagged, summary.rejected) == (6, 4, 1, 2)
    assert [(r.line, r.row_id, r.column, r.outcome) for r in summary.reports] == [
        (4, "1002", "low/best/high", "flagged"),
        (5, "1004", "best", "rejected"),
        (7, "1006", "date_end", "rejected"),
    ]
    assert summary.notes == ["1 line(s) were not UTF-8 and were read as cp1252 (line 2)"]
    fighting = {d.origin["row_id"]: d for d in everything(log) if d.type == "FightingReported"}
    assert fighting["1003"].occurred == "2014-08-12/2014-08-13"
    assert fighting["1003"].data["location"] == "Ilovaisk \u2013 town"  # an en dash, stored as the cp1252 byte 0x96
    assert fighting["1001"].occurred == "2014-01-22"
    assert fighting["1002"].occurred == "2014-05"
    assert fighting["1002"].data["deaths"] == {"best": 3, "low": 3, "high": 3}
    assert fighting["1002"].origin["flags"] == ["deaths-inconsistent"]
    assert "low 3, best 3, high 2" in fighting["1002"].data["description"]
    assert fighting["1005"].actors == ["UCDP-5837", "UCDP-5836"]
    assert fighting["1001"].actors == ["UKR", "UCDP-5817"]
    assert fighting["1001"].id == key_id("ucdp-ged:1001")


def test_reimporting_a_file_adds_nothing(log: ConflictLog) -> None:
    data = (FIXTURES / "ged-messy.csv").read_bytes()
    run_import(log, "ucdp-ged", data, ImportOptions(release="22.1"))
    head = log.head()
    again = run_import(log, "ucdp-ged", data, ImportOptions(release="22.1"))
    assert (again.added, again.registered, again.unchanged, again.corrected) == (0, 0, 4, 0)
    assert log.head() == head


def test_a_newer_release_adds_its_new_rows_and_corrects_the_changed_ones(log: ConflictLog) -> None:
    run_import(log, "ucdp-ged", ged(ged_row(1, "2016-01-01"), ged_row(2, "2016-01-02")), ImportOptions(release="22.1"))
    newer = ged(ged_row(1, "2016-01-01"), ged_row(2, "2016-01-02", best=5), ged_row(3, "2016-01-03"))
    summary = run_import(log, "ucdp-ged", newer, ImportOptions(release="23.1"))
    assert (summary.added, summary.unchanged, summary.corrected) == (1, 1, 1)
    correction = next(d for d in everything(log) if d.type == "DevelopmentCorrected")
    assert correction.data["target"] == key_id("ucdp-ged:2")
    assert correction.data["replacement"]["data"]["deaths"]["best"] == 5
    assert correction.data["replacement"]["origin"] == {
        "dataset": "ucdp-ged",
        "row_id": "2",
        "release": "23.1",
        "codes": {"conflict_new_id": 13306, "gwnoa": 369, "side_a_new_id": 61, "side_b_new_id": 6711},
    }
    assert log.get(key_id("ucdp-ged:1")).origin["release"] == "22.1"
    again = run_import(log, "ucdp-ged", newer, ImportOptions(release="23.1"))
    assert (again.added, again.unchanged, again.corrected) == (0, 3, 0)


def test_an_older_release_does_not_undo_a_newer_one(log: ConflictLog) -> None:
    run_import(log, "ucdp-ged", ged(ged_row(1, "2016-01-01", best=5)), ImportOptions(release="23.1"))
    summary = run_import(log, "ucdp-ged", ged(ged_row(1, "2016-01-01", best=2)), ImportOptions(release="22.1"))
    assert (summary.corrected, summary.rejected) == (0, 1)
    assert "older than release 23.1" in summary.reports[0].reason


def test_fighting_after_a_recorded_ceasefire_is_still_reported_as_fighting(log: ConflictLog) -> None:
    run_import(log, "ucdp-pa", (FIXTURES / "pa-sample.csv").read_bytes())  # Minsk Protocol, 2014-09-05, 13246
    rows = ged(ged_row(1, "2014-09-05", conflict=13246), ged_row(2, "2014-09-06", conflict=13246, best=4))
    run_import(log, "ucdp-ged", rows)
    after = log.get(key_id("ucdp-ged:2"))
    assert (log.get(key_id("ucdp-ged:1")).type, after.type) == ("FightingReported", "FightingReported")
    assert after.data["deaths"] == {"best": 4, "low": 4, "high": 4}
    assert "ceasefire" not in after.summary


def test_a_violation_the_old_importer_stored_is_retyped_as_fighting_on_reimport(log: ConflictLog) -> None:
    rows = ged(ged_row(2, "2014-09-06", conflict=13246))
    run_import(log, "ucdp-ged", rows)
    legacy = {
        "type": "CeasefireViolated",
        "occurred": "2014-09-06",
        "conflicts": ["ucdp-13246"],
        "sources": [{"name": "UCDP Georeferenced Event Dataset (GED), event 3"}],
        "summary": "Fighting, despite the ceasefire in place since 2014-09-05.",
        "data": {"description": "State-based armed conflict."},
        "origin": {"dataset": "ucdp-ged", "row_id": "3"},
    }
    log.submit(legacy, "ucdp-ged:3")
    summary = run_import(log, "ucdp-ged", ged(ged_row(2, "2014-09-06", conflict=13246), ged_row(3, "2014-09-07")))
    assert (summary.added, summary.corrected, summary.unchanged) == (0, 1, 1)
    counted = types(log)
    assert counted["DevelopmentRetracted"] == 1 and counted["FightingReported"] == 2
    assert log.get(key_id("ucdp-ged:3:as:FightingReported")).origin["row_id"] == "3"
    again = run_import(log, "ucdp-ged", ged(ged_row(3, "2014-09-07")))
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 1)


def test_a_peace_agreement_row_becomes_an_agreement_with_its_ceasefire_and_prisoner_provisions(
    log: ConflictLog,
) -> None:
    summary = run_import(log, "ucdp-pa", (FIXTURES / "pa-sample.csv").read_bytes())
    assert (summary.rows_read, summary.added, summary.rejected) == (3, 6, 0)
    assert types(log)["AgreementSigned"] == 3
    minsk = log.get(key_id("ucdp-pa:1536:agreement"))
    assert (minsk.conflicts, minsk.actors, minsk.occurred) == (["ucdp-13246"], ["UKR", "UCDP-5840"], "2014-09-05")
    assert minsk.origin == {"dataset": "ucdp-pa", "row_id": "1536", "release": "22.1"}
    assert minsk.data["third_parties"] == ["OSCE", "RUS"]  # "OSCE, Russia"
    assert minsk.data["provisions"] == ["ceasefire", "prisoner_release"]
    assert log.get(key_id("ucdp-pa:1536:ceasefire")).type == "CeasefireAgreed"
    assert log.get(key_id("ucdp-pa:1536:prisoner-release")).data["commitment"] == "ucdp-pa-1536-prisoner-release"
    washington = log.get(key_id("ucdp-pa:1570:agreement"))
    assert washington.conflicts == ["ucdp-389", "ucdp-398"]
    assert washington.actors == ["BIH", "HRV", "UCDP-1045"]
    registered = {d.data["actor"]: d.data["name"] for d in everything(log) if d.type == "ActorRegistered"}
    assert registered["UCDP-1045"] == "Military faction (forces of A, B & C)"
    assert registered["OSCE"] == "Organization for Security and Co-operation in Europe"
    assert washington.data["third_parties"] == ["USA"] and washington.data["provisions"] == []


def test_a_dropped_ceasefire_provision_is_retracted_by_the_newer_release(log: ConflictLog) -> None:
    older = (FIXTURES / "pa-sample.csv").read_bytes()
    run_import(log, "ucdp-pa", older)
    newer = older.replace(b"1990-12-01,,1,0,,2,0,0,22.1", b"1990-12-01,,0,0,,2,0,0,23.1")
    summary = run_import(log, "ucdp-pa", newer)
    # the ceasefire is retracted, and the agreement corrected: its provisions no longer hold a ceasefire
    assert (summary.unchanged, summary.corrected) == (4, 2)
    retraction = next(d for d in everything(log) if d.type == "DevelopmentRetracted")
    assert retraction.data["target"] == key_id("ucdp-pa:1058:ceasefire")
    assert run_import(log, "ucdp-pa", newer).corrected == 0


def test_a_conflict_is_found_by_its_external_id_before_one_is_registered(log: ConflictLog) -> None:
    log.submit(
        {
            "type": "ConflictRegistered",
            "occurred": "2014-04",
            "sources": [{"name": "analyst"}],
            "summary": "Eastern Ukraine is registered.",
            "data": {"conflict": "ukraine-east", "name": "Eastern Ukraine", "external_ids": ["ucdp:13306"]},
        }
    )
    summary = run_import(log, "ucdp-ged", ged(ged_row(1, "2016-01-01")))
    assert log.get(key_id("ucdp-ged:1")).conflicts == ["ukraine-east"]
    assert summary.registered == 1  # only the group DPR (UCDP-6711)


def test_two_different_rows_under_one_upstream_id_are_both_reported(log: ConflictLog) -> None:
    summary = run_import(log, "plover", (FIXTURES / "plover-sample.json").read_bytes())
    duplicates = [r for r in summary.reports if r.row_id == "T-DUP-1"]
    assert [(r.line, r.reason) for r in duplicates] == [
        (7, "upstream id T-DUP-1 is also used by record 8 with other content"),
        (8, "upstream id T-DUP-1 is also used by record 7 with other content"),
    ]


def test_plover_records_map_to_the_closest_type_and_the_rest_are_reported_by_id(log: ConflictLog) -> None:
    summary = run_import(log, "plover", (FIXTURES / "plover-sample.json").read_bytes())
    assert (summary.rows_read, summary.added, summary.rejected) == (7, 2, 5)
    assert types(log) == {"MeetingHeld": 1, "StatementIssued": 1}
    assert log.get(key_id("plover:T-CONSULT-1")).data == {"format": "phone_call"}
    assert log.get(key_id("plover:T-DEMAND-1")).actors == ["JPN"]  # CAMEO's JAP
    reasons = {r.row_id: r.reason for r in summary.reports}
    assert "needs a conflict" in reasons["T-FIGHT-1"]
    assert "no development type fits" in reasons["T-PROTEST-1"]
    assert "needs a state" in reasons["T-AGREE-1"]
    assert summary.notes == ["1 DOCUMENT record(s) are documentation, not events, and were skipped"]


def test_fighting_coded_in_plover_goes_to_the_conflict_given(log: ConflictLog) -> None:
    run_import(log, "ucdp-pa", (FIXTURES / "pa-sample.csv").read_bytes())
    summary = run_import(
        log, "plover", (FIXTURES / "plover-sample.json").read_bytes(), ImportOptions(conflict="ucdp-13246")
    )
    fight = log.get(key_id("plover:T-FIGHT-1"))
    assert (fight.type, fight.conflicts, fight.data["deaths"]["best"]) == ("FightingReported", ["ucdp-13246"], 3)
    assert summary.added == 3


def test_cameo_coded_rows_map_through_the_cameo_to_plover_table(log: ConflictLog) -> None:
    run_import(log, "ucdp-pa", (FIXTURES / "pa-sample.csv").read_bytes())
    table = read_cameo_table((FIXTURES / "cameo2plover-sample.txt").read_text())
    options = ImportOptions(cameo_table=table, conflict="ucdp-13246")
    summary = run_import(log, "plover", (FIXTURES / "cameo-sample.tsv").read_bytes(), options)
    assert (summary.rows_read, summary.added, summary.rejected) == (5, 3, 2)
    assert log.get(key_id("gdelt:900001")).type == "MeetingHeld"
    assert log.get(key_id("gdelt:900002")).data["by"] == "RUS"
    assert log.get(key_id("gdelt:900003")).type == "CeasefireViolated"
    assert log.get(key_id("gdelt:900003")).sources == [{"name": "news.example", "url": "https://news.example/3"}]
    assert "CAMEO 010 has no PLOVER category" in summary.reports[-1].reason


def test_cameo_rows_with_ids_and_days_written_as_floats_are_the_same_rows(log: ConflictLog) -> None:
    run_import(log, "ucdp-pa", (FIXTURES / "pa-sample.csv").read_bytes())
    options = ImportOptions(cameo_table=read_cameo_table((FIXTURES / "cameo2plover-sample.txt").read_text()))
    clean = (FIXTURES / "cameo-sample.tsv").read_bytes()
    floats = clean.replace(b"\t20200626\t", b"\t20200626.0\t").replace(b"900001\t", b"900001.0\t")
    first = run_import(log, "plover", floats, options)
    assert log.get(key_id("gdelt:900001")).origin["row_id"] == "900001"
    again = run_import(log, "plover", clean, options)
    assert (again.added, again.corrected, again.unchanged) == (0, 0, first.added)


def test_a_strict_import_of_a_file_with_a_bad_row_writes_nothing(log: ConflictLog) -> None:
    with pytest.raises(ImportFailed) as caught:
        run_import(log, "ucdp-ged", (FIXTURES / "ged-messy.csv").read_bytes(), ImportOptions(strict=True))
    assert caught.value.summary.rejected == 2
    assert log.head() == 0


def test_a_missing_required_column_fails_before_anything_is_written(log: ConflictLog) -> None:
    with pytest.raises(MissingColumns) as caught:
        run_import(log, "ucdp-ged", b"id,date_start,best\n1,2014-01-01,3\n")
    assert "conflict_new_id" in caught.value.missing
    assert log.head() == 0


def test_an_import_that_fails_part_way_resumes_where_it_stopped_when_run_again(
    log: ConflictLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = ged(*(ged_row(n, f"2016-01-{n:02d}") for n in range(1, 8)))
    real = log.append_many
    calls = []

    def failing_third_batch(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise IdConflict("a concurrent writer took an id")
        return real(*args, **kwargs)

    monkeypatch.setattr(log, "append_many", failing_third_batch)
    with pytest.raises(ImportFailed, match="writing stopped after 6 of 9 developments") as caught:
        run_import(log, "ucdp-ged", rows, ImportOptions(batch_size=3))  # 2 registrations and 7 rows
    assert caught.value.summary.added == 4
    monkeypatch.setattr(log, "append_many", real)
    again = run_import(log, "ucdp-ged", rows, ImportOptions(batch_size=3))
    assert (again.added, again.unchanged) == (3, 4)
    assert types(log)["FightingReported"] == 7
