"""conflict register, actor register, and import without --format, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from events.log.opening import open_log
from service.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(sqlite_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": sqlite_url})
    return result.exit_code, result.stdout, result.stderr


def registered(sqlite_url: str) -> list[dict[str, object]]:
    log = open_log(sqlite_url)
    try:
        return [d.data for d in log.read(after=0, limit=100, types=["ConflictRegistered", "ActorRegistered"])]
    finally:
        log.close()


def test_conflict_register_submits_the_registration_the_api_would_and_again_changes_nothing(sqlite_url: str) -> None:
    args = ["conflict", "register", "ukraine-east", "--name", "Eastern Ukraine", "--territory", "ukr"]
    args += ["--party", "UKR", "--party", "RUS", "--external-id", "ucdp:13306", "--region", "Europe"]
    args += ["--began", "2014-04"]
    code, out, err = run(sqlite_url, *args)
    assert code == 0, err
    assert out.startswith("registered conflict ukraine-east (development ")
    assert registered(sqlite_url) == [
        {
            "conflict": "ukraine-east",
            "name": "Eastern Ukraine",
            "region": "Europe",
            "parties": ["UKR", "RUS"],
            "external_ids": ["ucdp:13306"],
            "territory": ["UKR"],
            "began": "2014-04",
        }
    ]
    code, out, _ = run(sqlite_url, *args)
    assert code == 0
    assert "was already registered so" in out
    assert len(registered(sqlite_url)) == 1


def test_a_bad_registration_is_refused_naming_the_option_at_fault(sqlite_url: str) -> None:
    code, _, err = run(sqlite_url, "conflict", "register", "libya", "--name", "Libya", "--territory", "LBX")
    assert code == 1
    assert "--territory[0]: 'LBX' is not an ISO 3166-1 alpha-3 country code; did you mean 'LBN'?" in err
    code, _, err = run(sqlite_url, "conflict", "register", "libya", "--name", "Libya", "--party", "HAFTAR")
    assert code == 1
    assert "--party[0]: unknown actor 'HAFTAR'" in err
    assert registered(sqlite_url) == []


def test_registering_a_taken_conflict_with_other_content_is_refused(sqlite_url: str) -> None:
    assert run(sqlite_url, "conflict", "register", "libya", "--name", "Libya")[0] == 0
    code, _, err = run(sqlite_url, "conflict", "register", "libya", "--name", "Libya (2014-)")
    assert code == 1
    assert "conflict libya" in err


def test_actor_register_registers_an_organisation_that_developments_can_then_name(sqlite_url: str) -> None:
    code, out, err = run(sqlite_url, "actor", "register", "UNSC", "--name", "UN Security Council")
    assert code == 0, err
    assert out.startswith("registered actor UNSC")
    code, _, err = run(sqlite_url, "conflict", "register", "libya", "--name", "Libya", "--party", "UNSC")
    assert code == 0, err
    assert registered(sqlite_url)[0] == {"actor": "UNSC", "name": "UN Security Council", "kind": "organisation"}


def test_import_without_format_says_which_format_it_recognised(sqlite_url: str) -> None:
    code, out, err = run(sqlite_url, "import", str(FIXTURES / "acd-sample.csv"))
    assert code == 0, err
    assert "recognised as ucdp-acd by its header" in err
    assert "rows read: 6, developments added: 8 (and 6 conflicts or actors registered)" in out


def test_import_without_format_reads_ndjson_developments(sqlite_url: str, tmp_path: Path) -> None:
    ndjson = tmp_path / "registrations.ndjson"
    ndjson.write_text(
        json.dumps(
            {
                "type": "ActorRegistered",
                "occurred": "2020-01-01",
                "sources": [{"name": "x"}],
                "summary": "The EU is registered.",
                "data": {"actor": "EU", "name": "European Union", "kind": "organisation"},
            }
        )
        + "\n"
    )
    code, _, err = run(sqlite_url, "import", str(ndjson))
    assert code == 0, err
    assert "recognised as ndjson by its shape" in err
    assert registered(sqlite_url)[0]["actor"] == "EU"


def test_an_unrecognised_file_names_every_format_and_what_it_expects(sqlite_url: str, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("name,date\nx,2020-01-01\n")
    code, _, err = run(sqlite_url, "import", str(odd))
    assert code == 2
    assert "the file's format was not recognised; the formats are ndjson, ucdp-acd, acled" in err
    assert "  acled: ACLED's CSV export, a header with event_id_cnty, event_date, event_type" in err
    assert "give the format with --format" in err


def test_acled_import_takes_the_deletions_list_and_a_conflict(sqlite_url: str) -> None:
    assert run(sqlite_url, "conflict", "register", "ukraine", "--name", "Ukraine", "--territory", "UKR")[0] == 0
    code, out, err = run(sqlite_url, "import", str(FIXTURES / "acled-sample.csv"))
    assert code == 0, err
    assert "developments added: 5" in out
    deletions = str(FIXTURES / "acled-deletions.csv")
    code, out, err = run(sqlite_url, "import", "--deletions", deletions, str(FIXTURES / "acled-sample.csv"))
    assert code == 0, err
    assert "corrected: 1" in out
    ged = str(FIXTURES / "ged-messy.csv")
    code, _, err = run(sqlite_url, "import", "--format", "ucdp-ged", "--deletions", deletions, ged)
    assert code == 2


def test_an_acled_row_with_no_conflict_names_the_register_command(sqlite_url: str) -> None:
    code, _, err = run(sqlite_url, "import", str(FIXTURES / "acled-other-layout.csv"))
    assert code == 0
    assert "conflict-status conflict register SLUG --name NAME --territory UKR" in err
