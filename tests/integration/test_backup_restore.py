"""Backup and restore with ``conflict-status export`` and ``import``: the same chain head, or nothing restored.

Re-submitting exported developments cannot reproduce the head (new record
times, new positions); ``export --format backup`` and ``import --format backup``
do, into an empty database of either backend.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner, Result
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.utils import get_topic

from events.audit.checkpoints import Checkpointer
from events.audit.keys import load_or_create_key
from events.audit.proofs import Proofs
from events.audit.signing import HeadSigner
from events.audit.verify import verify_log
from events.log.admission import Submission
from events.log.development import Development
from events.log.opening import open_log
from service.cli import main
from tests.api.test_api_events import CALL
from tests.conftest import (
    postgres_database,
    postgres_unavailable,
    seed_lines,
)


def run(database_url: str, *args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url}, catch_exceptions=False)
    return result


@pytest.fixture
def other_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: PostgreSQL (when it answers) for an SQLite log, SQLite for the other."""
    if database_url.startswith("postgresql") or postgres_unavailable():
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def source(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A log holding the seed article, a signed checkpoint, and on PostgreSQL a gap where an insert failed."""
    log = open_log(database_url)
    try:
        log.submit_many([Submission(json.loads(line)) for line in seed_lines()])
        stored = log.submit({**CALL, "summary": "Repeated."}, key="repeat").development
        again = StoredEvent(UUID(stored.id), 1, get_topic(Development.Recorded), b"{}")
        with pytest.raises(IntegrityError):  # PostgreSQL's sequence moves on all the same
            log.recorder.insert_events([again])
        key = load_or_create_key(tmp_path / "key.pem")
        Checkpointer(log.store, lambda: key).sign_head()
        HeadSigner(log.store, lambda: key, "test/log", every=5).sign_due()  # signed tree heads at 5, 10, ...
        log.submit({**CALL, "summary": "After the checkpoint."})
    finally:
        log.close()
    yield database_url


def head_hash(database_url: str) -> tuple[int, str, int, int, bytes]:
    """The head, its hash, the checkpoints and tree heads met, and the Merkle root of the whole log."""
    log = open_log(database_url, create_tables=False)
    try:
        report = verify_log(log.store, [])
        assert report.ok, report.as_dict()
        v = report.verdict
        return v.head, v.head_hash, v.anchors, v.tree_anchors, Proofs(log.store).root(log.store.tree_size())
    finally:
        log.close()


def test_a_backup_restores_the_same_chain_head_and_checkpoints_on_either_backend(
    source: str, other_database: str, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.ndjson"
    exported = run(source, "export", "--format", "backup", "-o", str(backup))
    assert exported.exit_code == 0, exported.output
    restored = run(other_database, "import", "--format", "backup", str(backup))
    assert restored.exit_code == 0, restored.output
    assert head_hash(other_database) == head_hash(source)  # same head, hash and tree; the checkpoints met
    assert head_hash(source)[3] == 4  # the signed tree heads too
    assert f"head hash {head_hash(source)[1]}" in restored.output

    log, original = open_log(other_database), open_log(source)
    try:
        positions = [(d.position, d.id) for d in original.read(limit=1000)]
        assert [(d.position, d.id) for d in log.read(limit=1000)] == positions
        if source.startswith("postgresql"):  # the failed insert's gap is restored as it was
            assert [p for p, _ in positions] != list(range(1, len(positions) + 1))
        assert log.get(log.read(limit=1)[0].id).summary  # the index answers
        appended = log.submit({**CALL, "summary": "After the restore."})  # the log goes on from its head
        assert appended.development.position == head_hash(source)[0] + 1
    finally:
        log.close()
        original.close()
    assert head_hash(other_database)[0] == head_hash(source)[0] + 1


def test_re_importing_exported_developments_cannot_reproduce_the_head(
    source: str, other_database: str, tmp_path: Path
) -> None:
    plain = tmp_path / "developments.ndjson"
    assert run(source, "export", "-o", str(plain)).exit_code == 0
    assert run(other_database, "import", str(plain)).exit_code == 0
    assert head_hash(other_database)[1] != head_hash(source)[1]  # new record times: a new chain


def test_a_backup_is_restored_only_into_an_empty_database_and_only_unaltered(
    source: str, other_database: str, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.ndjson"
    assert run(source, "export", "--format", "backup", "-o", str(backup)).exit_code == 0
    lines = backup.read_text().splitlines()

    altered = tmp_path / "altered.ndjson"
    altered.write_text("\n".join(re.sub("Repeated.", "Rewritten", line) for line in lines))
    refused = run(other_database, "import", "--format", "backup", str(altered))
    assert refused.exit_code != 0 and "does not hash to the chain" in refused.output

    cut = tmp_path / "cut.ndjson"
    cut.write_text("\n".join(lines[:-3]))
    refused = run(other_database, "import", "--format", "backup", str(cut))
    assert refused.exit_code != 0 and "cut short" in refused.output
    assert open_log(other_database).head() == 0  # nothing of either was written

    into_full = run(source, "import", "--format", "backup", str(backup))
    assert into_full.exit_code != 0 and "not empty" in into_full.output
