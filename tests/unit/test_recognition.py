"""Recognising a file's format by its header or shape, in the layouts files really come in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from events.importers import FORMATS
from events.importers.plan import ImportProblem
from events.importers.recognition import RECOGNISERS, Unrecognised, recognise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
GED_HEADER = (
    "id,relid,year,active_year,type_of_violence,conflict_new_id,conflict_name,side_a_new_id,side_a,side_b_new_id,"
    "side_b,gwnoa,gwnob,date_start,date_end,best,high,low,where_description"
)
GED_ROW = (
    "1,UKR-1,2014,1,1,13306,Ukraine: Novorossiya,61,Government of Ukraine,6711,DPR,369,,2014-05-02,2014-05-02,3,3,3,X"
)


def told(data: bytes) -> str:
    found = recognise(data)
    return f"{found.format} {found.how}"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("acd-sample.csv", "ucdp-acd by its header"),
        ("acled-sample.csv", "acled by its header"),
        ("acled-other-layout.csv", "acled by its header"),
        ("ged-messy.csv", "ucdp-ged by its header"),
        ("pa-sample.csv", "ucdp-pa by its header"),
        ("plover-sample.json", "plover by its fields (PLOVER records)"),
        ("cameo-sample.tsv", "plover by its header"),
    ],
)
def test_each_fixture_is_recognised_as_its_format(fixture: str, expected: str) -> None:
    assert told((FIXTURES / fixture).read_bytes()) == expected


def test_ndjson_developments_are_recognised_by_their_shape() -> None:
    line = json.dumps({"type": "StatementIssued", "occurred": "2020-06-27", "data": {}})
    assert told(f"{line}\n{line}\n".encode()) == "ndjson by its shape (a development on each line)"


def test_an_hdx_style_ged_with_an_index_column_and_an_hxl_row_is_still_ged() -> None:
    hxl = ",".join(["#meta+index", "#event+id", *["#x"] * 17])
    data = f",{GED_HEADER}\n{hxl}\n0,{GED_ROW}\n".encode()
    assert told(data) == "ucdp-ged by its header"


def test_a_byte_order_mark_semicolons_and_odd_header_case_do_not_fool_recognition() -> None:
    acd = (FIXTURES / "acd-sample.csv").read_text().replace(",", ";").replace("conflict_id", "Conflict ID")
    assert told(b"\xef\xbb\xbf" + acd.encode()) == "ucdp-acd by its header"


def test_a_broken_ndjson_line_is_still_ndjson_so_that_its_import_names_the_line() -> None:
    assert told(b'{"type": "MeetingHeld"}\n') == "ndjson by its shape (a development on each line)"
    assert told(b'{"type": "MeetingHeld",\n') == "ndjson by its shape (a JSON object opens its first line)"


def test_a_pretty_printed_ucdp_api_page_is_not_taken_for_ndjson() -> None:
    header = GED_HEADER.split(",")
    page = {"TotalCount": 1, "Result": [dict(zip(header, GED_ROW.split(","), strict=True))]}
    assert told(json.dumps(page, indent=1).encode()) == "ucdp-ged by its fields"


def test_a_ucdp_api_page_is_recognised_by_its_fields() -> None:
    header = GED_HEADER.split(",")
    page = {"TotalCount": 1, "Result": [dict(zip(header, GED_ROW.split(","), strict=True))]}
    assert told(json.dumps(page).encode()) == "ucdp-ged by its fields"


def test_gdelt_rows_are_recognised_by_their_shape_only_with_a_numeric_id_and_a_day() -> None:
    row = "\t".join(["1057275640", "20220701", *["x"] * 55])
    assert told(f"{row}\n{row}\n".encode()) == "gdelt by its shape (tab-separated, no header, 57 columns)"
    with pytest.raises(Unrecognised):
        recognise("\t".join(["1057275640", "2022-07-01", *["x"] * 55]).encode())
    with pytest.raises(Unrecognised):
        recognise("\t".join(["1057275640", "20220701", *["x"] * 50]).encode())


def test_an_unrecognised_file_is_told_every_format_and_what_it_expects() -> None:
    with pytest.raises(Unrecognised) as caught:
        recognise(b"name,date\nx,2020-01-01\n")
    named = [error["message"].split(":", 1)[0] for error in caught.value.errors]
    assert named == ["ndjson", "ucdp-acd", "acled", "ucdp-pa", "ucdp-ged", "gdelt", "plover", "plover"]
    assert set(named) == {r.format for r in RECOGNISERS}
    assert "acled: ACLED's CSV export, a header with event_id_cnty, event_date, event_type" in [
        e["message"] for e in caught.value.errors
    ]
    assert caught.value.detail.startswith("the file's format was not recognised; the formats are ndjson, ucdp-acd")


def test_a_format_recognised_but_not_imported_here_says_so() -> None:
    row = "\t".join(["1057275640", "20220701", *["x"] * 55])
    with pytest.raises(
        ImportProblem,
        match=r"recognised as gdelt by its shape \(tab-separated, no header, 57 columns\), which is not imported here",
    ):
        recognise(row.encode(), ["ucdp-ged"])


def test_every_importable_format_but_backup_has_a_recogniser() -> None:
    assert set(FORMATS) <= {r.format for r in RECOGNISERS}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("ucdp-ged-ukraine/ucdp-ged-ukraine-2014-2021.csv", "ucdp-ged"),
        ("ucdp-peace-agreements/ucdp-peace-agreements-221.csv", "ucdp-pa"),
        ("plover-gsr/PLOVER_GSR_CAMEO.json", "plover"),
    ],
)
def test_the_shared_data_sets_are_recognised(path: str, expected: str) -> None:
    if not (SHARED / path).exists():
        pytest.skip(f"{SHARED / path} is absent (the shared data sets sit beside the project)")
    assert recognise((SHARED / path).read_bytes()).format == expected
