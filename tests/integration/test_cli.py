"""The command line: import and export NDJSON, tokens, rebuild and replay, on both backends."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from click.testing import CliRunner

from events.log.database_access import why_unreadable
from events.log.opening import open_log
from projections.database import open_database
from service.cli import main
from service.tokens import TokenStore
from tests.conftest import drop_postgres_schema, postgres_url, require_postgres


def run(database_url: str, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(
        main, list(args), env={"DATABASE_URL": database_url}, input=input, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_an_export_imports_back_into_an_empty_database_unchanged(database_url: str, tmp_path: Path) -> None:
    assert "developments added: 21" in run(database_url, "import", "--example", "seed-article")
    exported = tmp_path / "log.ndjson"
    run(database_url, "export", "--output", str(exported))
    lines = exported.read_text().splitlines()
    assert len(lines) == 21 and all(json.loads(line)["id"] for line in lines)
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    assert "developments added: 21" in run(copy, "import", str(exported))
    original, restored = open_log(database_url), open_log(copy)
    try:
        assert [(d.id, d.content()) for d in original.read(limit=100)] == [
            (d.id, d.content()) for d in restored.read(limit=100)
        ]
    finally:
        original.close()
        restored.close()


def test_importing_the_same_file_twice_adds_nothing(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "two.ndjson"
    registration = {
        "type": "ConflictRegistered",
        "occurred": "2020",
        "sources": [{"name": "x"}],
        "summary": "Registered.",
        "data": {"conflict": "yemen", "name": "Yemen"},
    }
    source.write_text(json.dumps(registration) + "\n\n")
    assert "developments added: 1" in run(database_url, "import", str(source))
    assert "developments added: 0, unchanged: 1" in run(database_url, "import", str(source))


def test_a_bad_line_stops_the_import_naming_its_line_and_field(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.ndjson"
    source.write_text('{"type": "MeetingHeld"}\n')
    result = CliRunner().invoke(main, ["import", str(source)], env={"DATABASE_URL": database_url})
    assert result.exit_code != 0
    assert "line 1: occurred: is required" in result.output


def test_a_token_is_printed_once_and_stored_hashed(database_url: str) -> None:
    token = run(database_url, "token", "create", "--role", "auditor", "--label", "ci").strip()
    assert token.startswith("cs_")
    store = TokenStore(database_url)
    info = store.verify(token)
    assert info is not None and info.role == "auditor"
    listed = run(database_url, "token", "list")
    assert "auditor" in listed and token not in listed
    run(database_url, "token", "revoke", info.id)
    assert TokenStore(database_url).verify(token) is None


def test_make_runs_token_with_a_curl_example_shows_the_token_once_and_the_pages_address(database_url: str) -> None:
    said = run(database_url, "token", "create", "--role", "submitter", "--curl", "--base-url", "http://h:1")
    (token,) = set(re.findall(r"cs_[A-Za-z0-9_-]+", said))
    assert said.count(token) == 1
    assert "export TOKEN=" + token in said and 'Bearer $TOKEN"' in said
    assert "Pages: http://h:1/\n" in said and "API docs: http://h:1/docs" in said
    assert TokenStore(database_url).verify(token) is not None


def test_rebuild_and_replay_run_from_the_shell(database_url: str) -> None:
    run(database_url, "import", "--example", "seed-article")
    assert "rebuilt projections up to position 21" in run(database_url, "rebuild")
    replayed = run(database_url, "replay", "--conflict", "ukraine-east", "--as-of", "2020-12-31")
    assert "CeasefireViolated" in replayed and 'ceasefire.status: "agreed" -> "violated"' in replayed


def test_a_postgresql_schema_named_in_database_url_is_created_by_whatever_creates_tables_first() -> None:
    require_postgres()
    by_commands, by_projections = (f"t_{uuid.uuid4().hex[:16]}" for _ in range(2))  # not created: they must be
    try:
        url = postgres_url(by_commands)
        assert "developments added: 21" in run(url, "import", "--example", "seed-article")
        assert run(url, "token", "create", "--role", "reader").startswith("cs_")
        assert "OK: the log is intact" in run(url, "verify")
        projections = open_database(postgres_url(by_projections))
        try:
            projections.create_tables()
        finally:
            projections.close()
        assert why_unreadable(postgres_url(by_projections)) is None  # the schema is there
    finally:
        drop_postgres_schema(by_commands)
        drop_postgres_schema(by_projections)
