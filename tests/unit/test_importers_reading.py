"""Reading real files: columns by name and alias, odd bytes, dates as exporters write them."""

from __future__ import annotations

import uuid

import pytest

from events.importers import third_parties
from events.importers.backup import BackupProblem, read_backup
from events.importers.dates import read_date, span
from events.importers.decisions import key_id
from events.importers.gleditsch_ward import state
from events.importers.plan import MissingColumns
from events.importers.tables import (
    MAX_JSON_DEPTH,
    Column,
    MalformedJson,
    hxl_tags,
    load_json,
    normalise_header,
    read_table,
    whole_numbers,
)
from events.importers.ucdp import split_names
from events.log.development import KEY_NAMESPACE


def test_header_names_match_whatever_their_case_spaces_and_trailing_blanks() -> None:
    assert normalise_header("\ufeff Date Start ") == "date_start"
    assert normalise_header("ref ") == "ref"
    assert normalise_header("conflict-new.id") == "conflict_new_id"


def test_columns_are_read_by_name_or_alias_in_any_order() -> None:
    table = read_table(b"b,Start Date,extra\n2,2014-01-22,x\n")
    rows = list(table.resolve([Column("date_start", ("start_date",)), Column("b"), Column("c", required=False)]))
    assert rows[0].cells == {"date_start": "2014-01-22", "b": "2"}
    assert rows[0].line == 2


def test_a_missing_required_column_is_named_with_its_aliases() -> None:
    table = read_table(b"id,best\n1,2\n")
    with pytest.raises(MissingColumns) as caught:
        list(table.resolve([Column("id"), Column("date_start", ("start_date",))]))
    assert caught.value.missing == ["date_start"]
    assert "'date_start'" in caught.value.detail and "id, best" in caught.value.detail
    assert caught.value.errors[0]["message"] == "the file has no column 'date_start' (also accepted: start_date)"


def test_a_byte_order_mark_and_cp1252_bytes_are_read_and_noted() -> None:
    table = read_table(b"\xef\xbb\xbfid,name\n1,Caf\xe9\n2,na\xc3\xafve\n")
    rows = list(table.resolve([Column("id"), Column("name")]))
    assert [r.get("name") for r in rows] == ["Café", "naïve"]
    assert table.notes == ["1 line(s) were not UTF-8 and were read as cp1252 (line 2)"]


def test_a_row_remembers_the_line_it_starts_on_past_quoted_newlines() -> None:
    table = read_table(b'id,comment\n1,"two\nlines"\n2,one\n')
    assert [r.line for r in table.resolve([Column("id")])] == [2, 4]


def test_semicolon_and_tab_separated_files_are_recognised() -> None:
    assert read_table(b"id;name\n1;a\n").header == ["id", "name"]
    assert read_table(b"id\tname\n1\ta\n").header == ["id", "name"]


def test_json_rows_and_ucdp_api_pages_read_as_tables_numbered_by_record() -> None:
    table = read_table(b'{"Result": [{"id": 7, "best": 3}, {"id": 8, "best": null}]}')
    rows = list(table.resolve([Column("id"), Column("best")]))
    assert [(r.line, r.get("id"), r.get("best")) for r in rows] == [(1, "7", "3"), (2, "8", "")]
    assert table.unit == "record"


def test_uploaded_json_may_nest_to_its_depth_limit_and_no_deeper() -> None:
    def nested(depth: int) -> str:
        return "[" * (depth - 1) + '{"a": 1}' + "]" * (depth - 1)

    assert load_json(nested(MAX_JSON_DEPTH)) is not None
    for depth in (MAX_JSON_DEPTH + 1, 990, 100_000):  # under orjson's limit, near Python's, far past both
        with pytest.raises(MalformedJson, match="nested too deeply"):
            load_json(nested(depth))
    with pytest.raises(MalformedJson, match="line 1, column 2"):
        load_json("[}")
    with pytest.raises(BackupProblem, match="line 2: JSON nested too deeply"):
        list(read_backup(["{}", "[" * 100_000 + "]" * 100_000]))


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("2014-01-22T00:00:00", "2014-01-22"),
        ("2014-01-22 00:00:00", "2014-01-22"),
        ("2014/01/22", "2014-01-22"),
        ("20140122", "2014-01-22"),
        ("22.01.2014", "2014-01-22"),
        ("1/22/2014", "2014-01-22"),
        ("22/1/2014", "2014-01-22"),
        ("1/22/2014 0:00", "2014-01-22"),
        ("2014-05", "2014-05"),
        ("2014", "2014"),
    ],
)
def test_dates_are_read_in_the_formats_exporters_write(cell: str, text: str) -> None:
    assert read_date(cell).text == text


def test_an_unreadable_date_says_which_formats_are_read() -> None:
    with pytest.raises(ValueError, match="is not a date this importer reads"):
        read_date("22 January 2014")


def test_a_multi_day_event_becomes_an_interval_and_a_backwards_one_is_refused() -> None:
    assert span(read_date("2014-08-12"), read_date("2014-08-13")).text == "2014-08-12/2014-08-13"
    assert span(read_date("2014-08-12"), read_date("2014-08-12")).text == "2014-08-12"
    with pytest.raises(ValueError, match="before it starts"):
        span(read_date("2014-08-12"), read_date("2014-08-11"))


def test_gleditsch_ward_numbers_become_iso_codes_or_registrable_historical_states() -> None:
    assert state(369) == ("UKR", None)
    assert state(365) == ("RUS", None)
    assert state(680) == ("YMD", "Yemen, People's Democratic Republic (South Yemen)")
    with pytest.raises(KeyError):
        state(999)


def test_names_holding_commas_are_split_back_into_as_many_names_as_ids() -> None:
    assert split_names("Government of X, Junta for Peace, Justice and Order", 2) == [
        "Government of X",
        "Junta for Peace, Justice and Order",
    ]
    assert split_names("Government of X, Faction (forces of A, B & C)", 2) == [
        "Government of X",
        "Faction (forces of A, B & C)",
    ]
    assert split_names("A", 2) is None


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("15960.0", "15960"),
        ("3.00", "3"),
        ("-2.0", "-2"),
        ("369.0, 365.0", "369, 365"),
        ("15960", "15960"),
        ("2.5", "2.5"),
        ("47.920", "47.920"),
        ("22.1", "22.1"),
        ("", ""),
    ],
)
def test_whole_numbers_written_as_floats_are_read_as_integers_and_others_are_left_alone(cell: str, read: str) -> None:
    assert whole_numbers(cell) == read


def test_only_the_columns_a_data_set_means_as_integers_are_read_as_integers() -> None:
    table = read_table(b"id,version,lat\n15960.0,23.0,48.0\n")
    columns = [Column("id", integer=True), Column("version"), Column("lat")]
    assert next(table.resolve(columns)).cells == {"id": "15960", "version": "23.0", "lat": "48.0"}


def test_a_row_of_hxl_hashtags_under_the_header_is_skipped_with_a_note() -> None:
    table = read_table(b",id,date_start\n,#event+id,#date +start\n0,15960.0,2014-01-22\n")
    assert [line for line, _ in table.rows] == [3]
    assert table.notes == ["line 2 holds HXL hashtags (#event+id, #date +start), not data: skipped"]
    assert hxl_tags(["#adm1+name", "", "#geo+lat"]) and not hxl_tags(["#1 in the list", "x"]) and not hxl_tags(["", ""])


def test_a_hashtag_row_further_down_is_data_not_tags() -> None:
    table = read_table(b"id,name\n1,a\n#event+id,#x\n")
    assert [line for line, _ in table.rows] == [2, 3]


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("OSCE, Russia", ["OSCE", "RUS"]),
        ("the USA and the UN", ["USA", "UN"]),
        ("United Nations (UN); African Union", ["UN", "AU"]),
        ("Trinidad and Tobago", ["TTO"]),
        ("AU", ["AU"]),  # the African Union, not Australia's alpha-2 code
        ("H.E. Joaquim Chissano; mediated the negotiations", []),
        ("", []),
    ],
)
def test_third_parties_are_the_states_and_organisations_a_pa_cell_names(cell: str, codes: list[str]) -> None:
    assert third_parties.actor_codes(cell) == codes


@pytest.mark.parametrize("key", ["ucdp-ged:15960", "ucdp-pa:1536:ceasefire", "plover:Ünïcode-😀", ""])
def test_an_import_derives_the_id_the_log_gives_a_key(key: str) -> None:
    assert key_id(key) == str(uuid.uuid5(KEY_NAMESPACE, key))
