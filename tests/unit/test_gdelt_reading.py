"""GDELT rows read, filtered and told as sentences, without a log: layouts, FIPS codes, rules, summaries."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pycountry
import pytest

from events.importers.gdelt_codes import cameo_descriptions, describe, fips_countries, shipped_cameo_table
from events.importers.gdelt_filters import ConflictScope, Filtered, check_actors, fits, place
from events.importers.gdelt_layouts import BY_WIDTH, LAYOUTS, Actor, layout_of, read_row
from events.importers.gdelt_summaries import past_tense, summary
from events.importers.plan import ImportProblem, RowProblem
from tests.gdelt_rows import gdelt_line

SHARED_LOOKUPS = Path(__file__).resolve().parents[3] / "shared" / "data" / "plover-gsr" / "lookups"
UKRAINE = ConflictScope("ukraine-east", frozenset({"UKR"}), frozenset({"UKR", "RUS"}))
SYRIA = ConflictScope("syria", frozenset({"SYR"}), frozenset({"SYR", "hts"}))


def row(layout: str = "GDELT 2.0", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
    line = gdelt_line(layout, *args, **kwargs)  # type: ignore[arg-type]
    return read_row(line.split("\t"), 1, layout)


def test_the_three_layouts_have_57_58_and_61_columns_as_gdelts_codebooks_give_them() -> None:
    assert {name: len(columns) for name, columns in LAYOUTS.items()} == {
        "GDELT 1.0 historical": 57,
        "GDELT 1.0 daily": 58,
        "GDELT 2.0": 61,
    }
    assert LAYOUTS["GDELT 1.0 daily"][:-1] == LAYOUTS["GDELT 1.0 historical"]
    assert LAYOUTS["GDELT 1.0 daily"][-2:] == ("DATEADDED", "SOURCEURL")
    two = LAYOUTS["GDELT 2.0"]
    assert two.index("ActionGeo_ADM2Code") == two.index("ActionGeo_ADM1Code") + 1
    assert two[25:35] == LAYOUTS["GDELT 1.0 daily"][25:35]  # IsRootEvent ... AvgTone in the same place
    assert sorted(BY_WIDTH) == [57, 58, 61]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_row_of_each_layout_is_read_into_the_same_fields(layout: str) -> None:
    url = "https://news.example.org/a" if layout != "GDELT 1.0 historical" else ""
    read = row(layout, 7, "20220302", "193", "RUSMIL", "UKRMIL", "donetsk", root=0, mentions=5, url=url)
    assert layout_of(gdelt_line(layout, 7, "20220302", "193", "RUSMIL")) == layout
    assert (read.event_id, read.day, read.code, read.root_code, read.is_root) == ("7", "2022-03-02", "193", "19", False)
    assert (read.mentions, read.sources, read.articles, read.quad_class, read.goldstein) == (5, 2, 6, 4, -10.0)
    assert (read.fips, read.place, read.geo_type, read.lat, read.lon) == (
        "UP",
        "Donetsk, Donets'ka Oblast', Ukraine",
        4,
        48.0,
        37.8,
    )
    assert read.actor1 == Actor("RUSMIL", "RUSSIA", "RUS", "", ("MIL",))
    assert read.url == url


def test_a_file_of_no_gdelt_layout_is_refused_naming_the_layouts() -> None:
    with pytest.raises(ImportProblem, match=r"has 9 tab-separated columns.*57 \(GDELT 1.0 historical\)"):
        layout_of("GLOBALEVENTID\tSQLDATE\ta\tb\tc\td\te\tf\tg")
    with pytest.raises(ImportProblem, match="a first cell 'GLOBALEVENTID'"):
        layout_of("\t".join(["GLOBALEVENTID", *LAYOUTS["GDELT 2.0"][1:]]))


def test_an_unreadable_date_or_event_code_is_a_row_problem_naming_the_column() -> None:
    with pytest.raises(RowProblem, match="SQLDATE '20220231' is no day") as bad_day:
        row("GDELT 2.0", 1, "20220231", "190", "RUSMIL")
    assert bad_day.value.column == "SQLDATE"
    cells = gdelt_line("GDELT 2.0", 1, "20220302", "190", "RUSMIL").split("\t")
    cells[26] = "19x"
    with pytest.raises(RowProblem, match="EventCode '19x' is not a CAMEO code") as bad_code:
        read_row(cells, 1, "GDELT 2.0")
    assert bad_code.value.column == "EventCode"


def test_every_fips_code_maps_to_a_real_country_or_is_unmapped_with_a_reason() -> None:
    table = fips_countries()
    assert len(table) > 250
    for code, entry in table.items():
        assert len(code) == 2 and code.isupper(), code
        if entry.iso3 is None:
            assert len(entry.note) > 20, f"{code} ({entry.name}) is unmapped without a reason"
        else:
            assert pycountry.countries.get(alpha_3=entry.iso3) is not None, f"{code} -> {entry.iso3}"
    # the codes where FIPS and ISO part ways, which GDELT users trip over
    mapped = {code: entry.iso3 for code, entry in table.items()}
    assert [mapped[c] for c in ("UP", "RS", "SY", "IZ", "GM", "SG", "AS", "AU", "CH", "UK", "US")] == [
        "UKR", "RUS", "SYR", "IRQ", "DEU", "SEN", "AUS", "AUT", "CHN", "GBR", "USA",
    ]  # fmt: skip
    assert {mapped[c] for c in ("GZ", "WE")} == {"PSE"}
    assert {c for c, iso in mapped.items() if iso is None} >= {"KV", "PG", "PF", "YI", "OS"}


def test_the_shipped_tables_are_read_whole_and_the_cameo_to_plover_one_is_plovers_own() -> None:
    table = shipped_cameo_table()
    assert len(table) > 250
    assert (table["190"].event, table["0871"].mode) == ("ASSAULT", "ceasefire")
    assert not {"01", "010", "02", "020"} & set(table)
    assert describe("190") == "Use conventional military force"
    assert describe("0182") == "Make empathetic comment"  # a code the file lacks falls back to its parent
    assert cameo_descriptions()["018"] == "Make empathetic comment"  # the file's correction wins
    shipped = resources.files("events.importers").joinpath("data/CAMEO2PLOVER-2021.txt").read_bytes()
    digest = "524512a777756e90f6721724d7c5cab4eac2c35178a50ad2ad09bdb3edefbe7e"
    assert hashlib.sha256(shipped).hexdigest() == digest
    licence = resources.files("events.importers").joinpath("data/SOURCES.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in licence and "MIT" in licence


def test_the_shipped_tables_are_those_of_the_shared_plover_data_set() -> None:
    if not SHARED_LOOKUPS.is_dir():
        pytest.skip(f"no shared PLOVER lookups at {SHARED_LOOKUPS}")
    for name in ("CAMEO2PLOVER-2021.txt", "CAMEO_codefile.txt"):
        shipped = resources.files("events.importers").joinpath(f"data/{name}").read_bytes()
        assert shipped == (SHARED_LOOKUPS / name).read_bytes(), name


def test_commercial_local_and_countryless_actors_and_lonely_meetings_are_filtered_by_their_rule() -> None:
    cases = {
        "commercial-or-local-actor": row("GDELT 2.0", 1, "20220302", "031", "NOR", "BUS", "oslo"),
        "actor-without-country-or-type": row("GDELT 2.0", 2, "20220302", "190", "RUSMIL", "AFR"),
        "single-actor-meeting": row("GDELT 2.0", 3, "20220302", "042", "UKRGOV", "", "kyiv"),
        "minor-mention": row("GDELT 2.0", 4, "20220302", "190", "RUSMIL", "UKRMIL", root=0, mentions=2),
        "no-actor": row("GDELT 2.0", 5, "20220302", "190", "", "", "donetsk"),
    }
    for rule, read in cases.items():
        with pytest.raises(Filtered) as filtered:
            check_actors(read, consult=read.root_code == "04")
        assert filtered.value.rule == rule
    check_actors(row("GDELT 2.0", 6, "20220302", "190", "RUSMIL", "UKRMIL", root=0, mentions=3), consult=False)
    check_actors(row("GDELT 2.0", 7, "20220302", "042", "RUSGOV", "UKRGOV", "kyiv"), consult=True)


def test_a_row_is_placed_by_the_territory_of_its_place_and_the_fit_of_its_actors() -> None:
    assert place(row("GDELT 2.0", 1, "20220302", "190", "RUSMIL", "UKRMIL"), [UKRAINE, SYRIA]) == ["ukraine-east"]
    assert place(row("GDELT 2.0", 2, "20220302", "190", "SYRMIL", "REB", "aleppo"), [UKRAINE, SYRIA]) == ["syria"]
    for rule, read, scopes in [
        ("place-outside-territory", row("GDELT 2.0", 3, "20220302", "190", "USAMIL", "USA", "texas"), [SYRIA]),
        ("place-outside-territory", row("GDELT 2.0", 4, "20220302", "190", "RUSMIL", "UKRMIL"), [SYRIA]),
        ("actors-do-not-fit", row("GDELT 2.0", 5, "20220302", "041", "UKRGOV", "FRAGOV", "kyiv"), [UKRAINE]),
        ("place-unknown", row("GDELT 2.0", 6, "20220302", "190", "CHN", "PHL", "spratly"), [UKRAINE]),
    ]:
        with pytest.raises(Filtered) as filtered:
            place(read, scopes)
        assert filtered.value.rule == rule


def test_an_actor_fits_by_its_country_a_known_group_among_the_parties_or_a_political_or_armed_type() -> None:
    assert fits(Actor("RUSMIL", "RUSSIA", "RUS", "", ("MIL",)), UKRAINE)  # a state party
    assert not fits(Actor("FRAGOV", "FRANCE", "FRA", "", ("GOV",)), UKRAINE)  # neither territory nor party
    assert fits(Actor("REB", "REBEL", "", "", ("REB",)), SYRIA)  # armed, of no stated country
    assert fits(Actor("HTS", "HAYAT TAHRIR AL-SHAM", "", "HTS", ()), SYRIA)  # a known group among the parties
    assert not fits(Actor("TAL", "TALIBAN", "", "TAL", ()), SYRIA)


def test_summaries_are_sentences_from_names_descriptions_and_places_never_codes() -> None:
    fighting = row("GDELT 2.0", 1, "20220302", "193", "RUSMIL", "UKRMIL", "donetsk")
    assert summary(fighting, 3) == (
        "Russia's military fought with small arms and light weapons against Ukraine's military "
        "near Donetsk, Donets'ka Oblast', Ukraine (GDELT, 3 articles)."
    )
    accusation = row("GDELT 2.0", 2, "20220302", "1124", "UKRGOV", "RUSGOV", "kyiv")
    assert summary(accusation, 1) == (
        "Ukraine's government accused Russia's government of war crimes near Kiev, Kyyiv, Misto, Ukraine "
        "(GDELT, 1 article)."
    )
    rebels = row("GDELT 2.0", 3, "20220302", "190", "REB", "SYRMIL", "aleppo")
    assert summary(rebels, 2).startswith("Rebels used conventional military force against Syria's military near")
    country = row("GDELT 2.0", 4, "20220302", "0871", "RUS", "UKR", "ukraine")
    assert " in Ukraine (GDELT" in summary(country, 6)
    for code in cameo_descriptions():
        text = summary(row("GDELT 2.0", 5, "20220302", code, "USAMIL", "UKRGOV", "kyiv"), 2)
        assert code not in text and "USAMIL" not in text and "UKRGOV" not in text, text
        assert text[0].isupper() and text.endswith(".") and "  " not in text, text


@pytest.mark.parametrize(
    ("description", "past"),
    [
        ("Criticize or denounce", "criticized or denounced"),
        ("Arrest, detain, or charge with legal action", "arrested, detained, or charged with legal action"),
        ("Expel or withdraw peacekeepers", "expelled or withdrew peacekeepers"),
        ("Fight with artillery and tanks", "fought with artillery and tanks"),
        ("Occupy territory", "occupied territory"),
        ("Physically assault", "physically assaulted"),
        ("Demonstrate military or police power", "demonstrated military or police power"),
    ],
)
def test_cameo_descriptions_are_put_in_the_past_tense(description: str, past: str) -> None:
    assert past_tense(description) == past
