"""GED files in the layouts they are published in import alike, and import order does not change any answer.

The fixtures are made-up rows in GED's shape: ``ged-clean.csv`` as UCDP exports
it, ``ged-hdx.csv`` the same rows as the Humanitarian Data Exchange publishes
them (an index column, an HXL hashtag row, whole numbers written as floats),
``ged-other-order.csv`` in another release's column order and names, and
``ged-minimal.csv`` with only the required columns.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from events.importers import run_import
from events.importers.decisions import key_id
from events.log.application import ConflictLog
from projections import conflict_status
from projections.folds import answer_from_scratch
from tests.conftest import SHARED_DATA
from tests.integration.test_importing import everything

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GED_CLEAN = (FIXTURES / "ged-clean.csv").read_bytes()
GED_HDX = (FIXTURES / "ged-hdx.csv").read_bytes()
PA_SAMPLE = (FIXTURES / "pa-sample.csv").read_bytes()


def contents(log: ConflictLog) -> dict[str, dict[str, Any]]:
    """Every development's content by id: what two imports must agree on."""
    return {d.id: d.content() for d in everything(log)}


def fighting(log: ConflictLog) -> dict[str, Any]:
    return {d.origin["row_id"]: d for d in everything(log) if d.type == "FightingReported"}


def test_a_clean_ged_row_records_its_violence_place_and_codes(log: ConflictLog) -> None:
    run_import(log, "ucdp-ged", GED_CLEAN)
    row = fighting(log)["15960"]
    assert row.id == key_id("ucdp-ged:15960")
    assert row.data["violence"] == "state-based"
    assert row.data["place"] == {
        "country": "UKR",
        "admin1": "Donetsk oblast",
        "admin2": "Khartsyzk raion",
        "name": "Ilovaisk town",
        "lat": 47.92,
        "lon": 38.19,
        "precision": 1,
    }
    assert row.origin["codes"] == {
        "type_of_violence": 1,
        "where_prec": 1,
        "date_prec": 1,
        "country_id": 369,
        "gwnoa": 369,
        "dyad_new_id": 14124,
        "side_a_new_id": 61,
        "side_b_new_id": 5840,
        "conflict_new_id": 13246,
    }
    kinds = {row_id: d.data["violence"] for row_id, d in fighting(log).items()}
    assert (kinds["15962"], kinds["15964"]) == ("one-sided", "non-state")
    assert fighting(log)["15962"].actors == ["UCDP-5840"]  # side B of one-sided violence is civilians, not an actor


def test_an_hdx_export_with_float_ids_and_an_hxl_row_imports_exactly_like_the_clean_export(
    log: ConflictLog, database_url: str
) -> None:
    hdx = run_import(log, "ucdp-ged", GED_HDX)
    assert (hdx.rows_read, hdx.added, hdx.rejected) == (6, 6, 0)
    assert hdx.notes == ["line 2 holds HXL hashtags (#event+id, #date+year, #event+type ...), not data: skipped"]
    assert sorted(fighting(log)) == ["15960", "15961", "15962", "15963", "15964", "15965"]
    registered = [d.data["name"] for d in everything(log) if d.type == "ActorRegistered"]
    assert "Civilians" not in registered
    again = run_import(log, "ucdp-ged", GED_CLEAN)  # the same rows with their ids written as integers
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 6)


@pytest.mark.parametrize("layout", ["ged-hdx.csv", "ged-other-order.csv"])
def test_a_layout_of_another_publisher_or_release_gives_the_developments_of_the_clean_export(
    tmp_path: Path, layout: str
) -> None:
    from events.log.opening import open_log

    clean, other = open_log(f"sqlite:///{tmp_path / 'clean.db'}"), open_log(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        run_import(clean, "ucdp-ged", GED_CLEAN)
        run_import(other, "ucdp-ged", (FIXTURES / layout).read_bytes())
        assert contents(other) == contents(clean)
    finally:
        clean.close()
        other.close()


def test_a_file_without_the_optional_columns_imports_without_violence_or_place(log: ConflictLog) -> None:
    summary = run_import(log, "ucdp-ged", (FIXTURES / "ged-minimal.csv").read_bytes())
    assert (summary.added, summary.rejected) == (6, 0)
    row = fighting(log)["15960"]
    assert "violence" not in row.data and "place" not in row.data
    assert row.origin["codes"] == {"gwnoa": 369, "side_a_new_id": 61, "side_b_new_id": 5840, "conflict_new_id": 13246}
    assert row.sources == [{"name": "UCDP Georeferenced Event Dataset (GED), event 15960"}]


def test_a_violence_type_ucdp_does_not_have_is_rejected_naming_the_column(log: ConflictLog) -> None:
    summary = run_import(log, "ucdp-ged", GED_CLEAN.replace(b"UKR-2014-1-1,2014,1,", b"UKR-2014-1-1,2014,7,"))
    assert [(r.row_id, r.column, r.reason) for r in summary.reports if r.outcome == "rejected"] == [
        ("15960", "type_of_violence", "expected 1 (state-based), 2 (non-state) or 3 (one-sided), got '7'")
    ]


def test_a_row_an_old_import_stored_under_its_float_id_is_corrected_not_doubled(log: ConflictLog) -> None:
    run_import(log, "ucdp-ged", GED_CLEAN)
    stored = fighting(log)["15963"].content()
    legacy = {**stored, "origin": {"dataset": "ucdp-ged", "row_id": "17000.0"}}
    log.submit(legacy, "ucdp-ged:17000.0")  # what the old importer made of an HDX row '17000.0'
    newer = GED_CLEAN.replace(b"\n15963,", b"\n17000,")
    summary = run_import(log, "ucdp-ged", newer)
    assert (summary.added, summary.corrected, summary.unchanged) == (0, 1, 5)
    correction = next(d for d in everything(log) if d.type == "DevelopmentCorrected")
    assert correction.data["target"] == key_id("ucdp-ged:17000.0")
    assert correction.data["replacement"]["origin"]["row_id"] == "17000"
    again = run_import(log, "ucdp-ged", newer)
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 6)


def test_a_row_an_old_import_stored_twice_as_float_and_integer_ids_is_left_counted_once(log: ConflictLog) -> None:
    run_import(log, "ucdp-ged", GED_CLEAN)
    stored = fighting(log)["15963"]
    log.submit({**stored.content(), "origin": {"dataset": "ucdp-ged", "row_id": "15963.0"}}, "ucdp-ged:15963.0")
    summary = run_import(log, "ucdp-ged", GED_CLEAN)
    assert (summary.added, summary.corrected, summary.unchanged) == (0, 1, 6)
    retraction = next(d for d in everything(log) if d.type == "DevelopmentRetracted")
    assert retraction.data["target"] == key_id("ucdp-ged:15963.0")
    assert "the same row as ucdp-ged:15963" in retraction.data["reason"]
    again = run_import(log, "ucdp-ged", GED_CLEAN)
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 6)


# -- import order -------------------------------------------------------------------------------------------------

DATES = (date(2014, 9, 4), date(2014, 9, 30), date(2015, 3, 15), date(2016, 6, 1), date(2020, 1, 15))


def answers(log: ConflictLog, dates: tuple[date, ...] = DATES) -> dict[tuple[str, str], Any]:
    """Every conflict's answer as of each date, folded from scratch; evidence compared as sets."""
    developments = everything(log)
    head = max(d.position for d in developments)
    conflicts = sorted({c for d in developments for c in d.conflicts})
    out = {}
    for conflict in conflicts:
        for day in dates:
            folded = answer_from_scratch(developments, ("conflict", conflict), day, head)
            rendered = conflict_status.render(folded.state, day)
            rendered.pop("last_development")  # the last of a day is the one recorded last
            rendered["uncertain"] = sorted(i.id for i in folded.uncertain)
            out[(conflict, day.isoformat())] = _as_sets(rendered)
    return out


def _as_sets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (sorted(v) if k == "ids" else _as_sets(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_sets(v) for v in value]
    return value


def imported(tmp_path: Path, name: str, *files: tuple[str, bytes]) -> dict[tuple[str, str], Any]:
    from events.log.opening import open_log

    log = open_log(f"sqlite:///{tmp_path / name}.db")
    try:
        for fmt, data in files:
            summary = run_import(log, fmt, data)
            assert summary.rejected == 0, summary.reports
        return answers(log)
    finally:
        log.close()


def test_agreements_then_fighting_and_fighting_then_agreements_give_the_same_answers(tmp_path: Path) -> None:
    pa_first = imported(tmp_path, "pa-first", ("ucdp-pa", PA_SAMPLE), ("ucdp-ged", GED_CLEAN))
    ged_first = imported(tmp_path, "ged-first", ("ucdp-ged", GED_CLEAN), ("ucdp-pa", PA_SAMPLE))
    assert pa_first.keys() == ged_first.keys()
    for key in pa_first:
        assert pa_first[key] == ged_first[key], key
    donetsk = pa_first[("ucdp-13246", "2014-09-30")]["ceasefire"]
    assert (donetsk["since"], donetsk["violations"]) == ("2014-09-05", 1)  # 15961, after Minsk; 15960 was before


def test_importing_the_same_fighting_twice_adds_nothing_and_corrects_nothing(log: ConflictLog) -> None:
    run_import(log, "ucdp-pa", PA_SAMPLE)
    run_import(log, "ucdp-ged", GED_CLEAN)
    before = answers(log)
    again = run_import(log, "ucdp-ged", GED_CLEAN)
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 6)
    assert answers(log) == before


SHARED_GED = SHARED_DATA / "ucdp-ged-ukraine" / "ucdp-ged-ukraine-2014-2021.csv"
SHARED_PA = SHARED_DATA / "ucdp-peace-agreements" / "ucdp-peace-agreements-221.csv"


@pytest.mark.skipif(
    not (SHARED_GED.is_file() and SHARED_PA.is_file()),
    reason=f"the shared UCDP samples are not at {SHARED_DATA} (they live beside the repository, in shared/data)",
)
def test_the_shared_ged_and_pa_samples_give_the_same_answers_in_either_order(tmp_path: Path) -> None:
    ged, pa = SHARED_GED.read_bytes(), SHARED_PA.read_bytes()
    pa_first = imported(tmp_path, "pa-first", ("ucdp-pa", pa), ("ucdp-ged", ged))
    ged_first = imported(tmp_path, "ged-first", ("ucdp-ged", ged), ("ucdp-pa", pa))
    ukraine = [key for key in pa_first if key[0] in ("ucdp-13246", "ucdp-13247", "ucdp-13306")]
    assert len(ukraine) == 3 * len(DATES)
    for key in pa_first:
        assert pa_first[key] == ged_first[key], key
