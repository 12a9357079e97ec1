"""conflict-status import --format ucdp-ged|ucdp-pa|plover: a summary at the end, reported rows on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from service.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(sqlite_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["import", *args], env={"DATABASE_URL": sqlite_url})
    return result.exit_code, result.stdout, result.stderr


def test_the_import_command_ends_with_a_summary_and_lists_reported_rows(sqlite_url: str) -> None:
    code, out, err = run(sqlite_url, "--format", "ucdp-ged", "--release", "22.1", str(FIXTURES / "ged-messy.csv"))
    assert code == 0, err
    assert out.strip().splitlines()[-1] == (
        "rows read: 6, developments added: 4 (and 7 conflicts or actors registered), "
        "unchanged: 0, corrected: 0, flagged: 1, rejected: 2"
    )
    assert "line 5, id 1004, column best: rejected: expected a whole number, got 'many'" in err
    assert "note: 1 line(s) were not UTF-8 and were read as cp1252 (line 2)" in err
    code, out, _ = run(sqlite_url, "--format", "ucdp-ged", "--release", "22.1", str(FIXTURES / "ged-messy.csv"))
    assert "developments added: 0, unchanged: 4" in out


def test_the_import_command_writes_every_report_as_json_when_asked(sqlite_url: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, _, _ = run(sqlite_url, "--format", "plover", "--report", str(report), str(FIXTURES / "plover-sample.json"))
    assert code == 0
    assert [r["row_id"] for r in json.loads(report.read_text())["reports"]][:2] == ["T-FIGHT-1", "T-PROTEST-1"]


def test_cameo_coded_rows_need_the_cameo_to_plover_table(sqlite_url: str) -> None:
    code, _, err = run(sqlite_url, "--format", "plover", str(FIXTURES / "cameo-sample.tsv"))
    assert code == 1
    assert "CAMEO-coded rows need the CAMEO-to-PLOVER table" in err
    table = str(FIXTURES / "cameo2plover-sample.txt")
    code, out, err = run(sqlite_url, "--format", "plover", "--cameo-table", table, str(FIXTURES / "cameo-sample.tsv"))
    assert code == 0, err
    assert "rows read: 5, developments added: 2" in out  # the ceasefire violation needs --conflict


def test_a_missing_column_fails_with_a_message_naming_it(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("paid,pa_name\n1,Accord\n")
    code, _, err = run(sqlite_url, "--format", "ucdp-pa", str(bad))
    assert code == 1
    assert "pa_date: the file has no column 'pa_date' (also accepted: date, signed)" in err


def test_ndjson_import_works_as_before(sqlite_url: str) -> None:
    code, out, err = run(sqlite_url, "--example", "seed-article")
    assert code == 0, err
    assert out.startswith("rows read: 21, developments added: 21")
