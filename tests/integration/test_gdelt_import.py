"""conflict-status import --format gdelt: GDELT 1.0 and 2.0 exports into the log (both backends), signal only."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from events.importers import ImportOptions, ImportProblem, run_import
from events.importers.ndjson import import_ndjson
from events.log.application import ConflictLog
from service.cli import main
from tests.gdelt_rows import gdelt_line

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_2 = FIXTURES / "gdelt-2.0-sample.tsv"
ARTICLE_A = "https://news.example.org/2022/03/02/donetsk-shelling"


def conflict(slug: str, territory: list[str], parties: list[str]) -> dict[str, Any]:
    return {
        "type": "ConflictRegistered",
        "occurred": "2011-03-15",
        "sources": [{"name": "test"}],
        "summary": f"{slug} is registered.",
        "data": {"conflict": slug, "name": slug.title(), "territory": territory, "parties": parties},
    }


def register(log: ConflictLog, *raws: dict[str, Any]) -> None:
    import_ndjson(log, io.StringIO("".join(json.dumps(r) + "\n" for r in raws)), 100, None)


@pytest.fixture
def conflicts(log: ConflictLog) -> ConflictLog:
    register(log, conflict("ukraine-east", ["UKR"], ["UKR", "RUS"]), conflict("syria", ["SYR"], ["SYR"]))
    return log


def imported(log: ConflictLog) -> list[Any]:
    out, after = [], 0
    while page := log.read(after=after, limit=1000):
        out += [d for d in page if d.origin]
        after = page[-1].position
    return out


def test_a_gdelt_2_export_imports_its_signal_and_counts_each_rule_apart(conflicts: ConflictLog) -> None:
    summary = run_import(conflicts, "gdelt", SAMPLE_2.read_bytes())
    assert (summary.rows_read, summary.added, summary.rejected, summary.flagged) == (15, 4, 1, 0)
    assert summary.notes[0] == "read as GDELT 2.0 (61 columns)"
    counted = {note.split(":")[0]: int(note.split(": ")[1].split(" ")[0]) for note in summary.notes[1:]}
    assert counted == {
        "dropped by PLOVER": 1,
        "filtered out (no-development-type)": 1,
        "filtered out (minor-mention)": 1,
        "filtered out (commercial-or-local-actor)": 1,
        "filtered out (actor-without-country-or-type)": 1,
        "filtered out (single-actor-meeting)": 1,
        "filtered out (place-unknown)": 1,
        "filtered out (place-outside-territory)": 1,
        "filtered out (actors-do-not-fit)": 1,
    }
    assert summary.rows_read == summary.rejected + sum(counted.values()) + 5  # 5 rows make the 4 developments
    assert [(r.line, r.row_id, r.column) for r in summary.reports] == [(12, "1030000012", "SQLDATE")]
    placed = {(d.type, tuple(d.conflicts)) for d in imported(conflicts)}
    assert placed == {
        ("FightingReported", ("ukraine-east",)),
        ("StatementIssued", ("ukraine-east",)),
        ("CeasefireAgreed", ("ukraine-east",)),
        ("FightingReported", ("syria",)),
    }


def test_rows_of_one_article_and_root_are_one_development_keeping_every_mention(conflicts: ConflictLog) -> None:
    run_import(conflicts, "gdelt", SAMPLE_2.read_bytes())
    fighting = next(d for d in imported(conflicts) if d.sources[0].get("url") == ARTICLE_A)
    assert fighting.summary == (
        "Russia's military used conventional military force against Ukraine's military "
        "near Donetsk, Donets'ka Oblast', Ukraine (GDELT, 3 articles)."
    )
    assert fighting.actors == ["RUS", "UKR"]
    assert fighting.data["place"] == {
        "country": "UKR",
        "name": "Donetsk, Donets'ka Oblast', Ukraine",
        "lat": 48.0,
        "lon": 37.8,
    }
    assert fighting.origin["row_id"] == "1030000001"
    assert fighting.origin["codes"] == {
        "EventCode": "190",
        "EventRootCode": "19",
        "ActionGeo_CountryCode": "UP",
        "IsRootEvent": True,
        "QuadClass": 4,
        "GoldsteinScale": -10.0,
        "Actor1Code": "RUSMIL",
        "Actor2Code": "UKRMIL",
    }
    assert fighting.origin["mentions"] == [
        {"id": "1030000001", "date": "2022-03-02", "event_code": "190", "root": True, "mentions": 9,
         "sources": 2, "articles": 3, "tone": -5.25, "goldstein": -10.0, "quad_class": 4},
        {"id": "1030000002", "date": "2022-03-02", "event_code": "193", "root": False, "mentions": 5,
         "sources": 2, "articles": 2, "tone": -5.25, "goldstein": -10.0, "quad_class": 4},
    ]  # fmt: skip


def test_importing_the_same_export_again_adds_nothing(conflicts: ConflictLog) -> None:
    run_import(conflicts, "gdelt", SAMPLE_2.read_bytes())
    head = conflicts.head()
    again = run_import(conflicts, "gdelt", SAMPLE_2.read_bytes())
    assert (again.added, again.unchanged, again.corrected) == (0, 4, 0)
    assert conflicts.head() == head


def test_a_later_mention_of_the_same_article_corrects_its_development_with_every_mention(
    conflicts: ConflictLog,
) -> None:
    first = gdelt_line("GDELT 2.0", 1, "20220302", "190", "RUSMIL", "UKRMIL", url=ARTICLE_A)
    later = gdelt_line("GDELT 2.0", 2, "20220303", "194", "RUSMIL", "UKRMIL", root=0, url=ARTICLE_A)
    run_import(conflicts, "gdelt", (first + "\n").encode())
    summary = run_import(conflicts, "gdelt", (first + "\n" + later + "\n").encode())
    assert (summary.added, summary.corrected) == (0, 1)
    correction = next(d for d in imported(conflicts) if d.type == "DevelopmentCorrected")
    replacement = correction.data["replacement"]
    assert [m["id"] for m in replacement["origin"]["mentions"]] == ["1", "2"]
    assert replacement["occurred"] == "2022-03-02/2022-03-03"


@pytest.mark.parametrize(
    ("fixture", "layout", "added", "dropped"),
    [
        ("gdelt-1.0-daily-sample.tsv", "GDELT 1.0 daily (58 columns)", 2, 1),
        ("gdelt-1.0-historical-sample.tsv", "GDELT 1.0 historical (57 columns)", 3, 0),
    ],
)
def test_gdelt_1_exports_of_either_layout_are_read(
    conflicts: ConflictLog, fixture: str, layout: str, added: int, dropped: int
) -> None:
    summary = run_import(conflicts, "gdelt", (FIXTURES / fixture).read_bytes())
    assert summary.notes[0] == f"read as {layout}"
    assert (summary.added, summary.rejected) == (added, 0)
    assert any(f"dropped by PLOVER: {dropped} row" in n for n in summary.notes) == bool(dropped)


def test_rows_without_a_url_are_each_their_own_article(conflicts: ConflictLog) -> None:
    run_import(conflicts, "gdelt", (FIXTURES / "gdelt-1.0-historical-sample.tsv").read_bytes())
    fighting = [d for d in imported(conflicts) if d.type == "FightingReported"]
    assert sorted(d.origin["row_id"] for d in fighting) == ["250000001", "250000002"]
    assert {d.sources[0]["name"] for d in fighting} == {"GDELT event record"}


def test_a_conflict_given_takes_only_rows_placed_in_its_own_territory(conflicts: ConflictLog) -> None:
    summary = run_import(conflicts, "gdelt", SAMPLE_2.read_bytes(), ImportOptions(conflict="syria"))
    assert summary.added == 1
    assert [d.conflicts for d in imported(conflicts)] == [["syria"]]
    assert "filtered out (place-outside-territory): 6 rows" in "\n".join(summary.notes)


def test_a_conflict_without_territory_or_a_log_without_any_is_refused_before_reading_rows(log: ConflictLog) -> None:
    register(log, conflict("syria", ["SYR"], ["SYR"]))
    register(log, {**conflict("libya", [], []), "data": {"conflict": "libya", "name": "Libya"}})
    with pytest.raises(ImportProblem, match="conflict 'libya' has no territory"):
        run_import(log, "gdelt", SAMPLE_2.read_bytes(), ImportOptions(conflict="libya"))
    with pytest.raises(ImportProblem, match="unknown conflict 'lybia'"):
        run_import(log, "gdelt", SAMPLE_2.read_bytes(), ImportOptions(conflict="lybia"))


def test_a_log_with_no_conflict_territory_is_told_to_register_one(log: ConflictLog) -> None:
    with pytest.raises(ImportProblem, match="no registered conflict has a territory"):
        run_import(log, "gdelt", SAMPLE_2.read_bytes())
    assert log.head() == 0


def test_the_import_command_takes_format_gdelt_and_prints_the_counts_of_each_rule(
    sqlite_url: str, tmp_path: Path
) -> None:
    events = tmp_path / "conflicts.ndjson"
    events.write_text(json.dumps(conflict("ukraine-east", ["UKR"], ["UKR", "RUS"])) + "\n")
    env = {"DATABASE_URL": sqlite_url}
    assert CliRunner().invoke(main, ["import", str(events)], env=env).exit_code == 0
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["import", "--format", "gdelt", "--report", str(report), str(SAMPLE_2)], env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "rows read: 15, developments added: 3, unchanged: 0, corrected: 0, flagged: 0, rejected: 1"
    )
    assert "note: filtered out (place-outside-territory): 2 rows" in result.stderr
    assert "note: dropped by PLOVER: 1 row" in result.stderr
    assert json.loads(report.read_text())["notes"][0] == "read as GDELT 2.0 (61 columns)"
