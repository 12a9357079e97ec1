"""``conflict-status verify`` and ``conflict-status checkpoint``, offline, on both backends."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from events.log.application import ConflictLog
from events.log.database_access import why_unreadable
from events.log.database_url import postgres_schema
from service.cli import main
from tests.audit_helpers import Database, fill, statement
from tests.conftest import postgres_database
from tests.e2e.server import free_port


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem")}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_verify_says_ok_and_exits_zero_on_an_intact_log(log: ConflictLog, env: dict[str, str]) -> None:
    fill(log, 6)
    assert run(env, "checkpoint", "sign").exit_code == 0
    result = run(env, "verify")
    assert result.exit_code == 0, result.output
    assert "checked 6 developments up to position 6" in result.output
    assert "signed checkpoints: 1 stored, 1 met by the chain" in result.output
    assert result.output.rstrip().endswith("OK: the log is intact")


def test_verify_names_the_first_break_and_exits_one_on_a_tampered_log(
    log: ConflictLog, env: dict[str, str], database_url: str
) -> None:
    fill(log, 6)
    Database(database_url).swap(3, 5)
    result = run(env, "verify")
    assert result.exit_code == 1
    assert "BROKEN at position 3: reordered" in result.output
    report = json.loads(run(env, "verify", "--json").output)
    assert (report["ok"], report["break"]["position"], report["break"]["kind"]) == (False, 3, "reordered")


def test_verify_since_a_kept_checkpoint_proves_the_log_only_grew(
    log: ConflictLog, env: dict[str, str], tmp_path: Path
) -> None:
    fill(log, 3)
    kept = tmp_path / "kept.json"
    assert run(env, "checkpoint", "sign", "--output", str(kept)).exit_code == 0
    log.submit(statement(10))
    result = run(env, "verify", "--since-checkpoint", str(kept))
    assert result.exit_code == 0, result.output
    assert "the checkpoint you hold (position 3) is in the log: it only grew since" in result.output
    forged = {**json.loads(kept.read_text()), "position": 2}
    kept.write_text(json.dumps(forged))
    refused = run(env, "verify", "--since-checkpoint", str(kept))
    assert refused.exit_code == 2
    assert "signature does not verify" in refused.output


def test_checkpoint_list_shows_what_was_signed(log: ConflictLog, env: dict[str, str]) -> None:
    fill(log, 2)
    signed = json.loads(run(env, "checkpoint", "sign").output)
    listed = run(env, "checkpoint", "list").output.split()
    assert listed[:2] == [str(signed["position"]), signed["hash"]]


def test_verify_of_a_missing_sqlite_file_cannot_tell_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run({"DATABASE_URL": f"sqlite:///{missing}"}, "verify")
    assert result.exit_code == 2
    assert "no database at" in result.output
    assert not missing.exists()


def test_verify_of_an_unreachable_postgresql_cannot_tell_within_seconds_in_one_line() -> None:
    closed_port = free_port()  # nothing listens there
    started = time.monotonic()
    result = run({"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed_port}/test"}, "verify")
    assert time.monotonic() - started < 20  # it waited 30 s for the pool, and more, before
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"cannot verify: PostgreSQL at 127.0.0.1:{closed_port} cannot be reached: ")
    assert "refused" in lines[0]


def test_verify_of_a_postgresql_schema_that_does_not_exist_cannot_tell_and_creates_nothing() -> None:
    with postgres_database() as url:
        missing = url.replace("schema=", "schema=missing_")
        result = run({"DATABASE_URL": missing}, "verify")
        assert result.exit_code == 2
        assert f"has no schema 'missing_{postgres_schema(url)}'" in result.output
        assert why_unreadable(missing) is not None  # still not there
