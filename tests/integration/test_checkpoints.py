"""Signed checkpoints and the signing key: signing, verifying, keeping and losing the key."""

from __future__ import annotations

import dataclasses
import stat
import threading
from pathlib import Path

import pytest

from events.audit.checkpoints import Checkpoint, Checkpointer, EmptyLog, InvalidCheckpoint
from events.audit.keys import load_or_create_key
from events.audit.verify import verify_log
from events.log.application import ConflictLog
from tests.audit_helpers import fill, statement


def test_the_key_file_is_made_once_with_mode_0600_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing-key.pem"
    first = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path).key_id == first.key_id
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.pem"]


def test_processes_racing_to_make_the_key_all_end_up_with_the_same_one(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    found: list[str] = []
    threads = [threading.Thread(target=lambda: found.append(load_or_create_key(path).key_id)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and len(set(found)) == 1


def test_a_key_file_that_holds_no_key_is_an_error_not_a_new_key(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    path.write_text("not a key")
    with pytest.raises(ValueError, match="does not hold a PEM private key"):
        load_or_create_key(path)
    assert path.read_text() == "not a key"


def test_a_checkpoint_verifies_with_the_key_it_records_and_fails_when_any_field_changes(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    checkpoint = Checkpoint.signed(key, 7, "ab" * 32, "2026-01-01T00:00:00.000Z")
    assert checkpoint.signature_holds()
    assert Checkpoint.from_dict(checkpoint.as_dict()) == checkpoint
    other = load_or_create_key(tmp_path / "other.pem")
    for change in (
        {"position": 8},
        {"hash": "cd" * 32},
        {"signed_at": "2026-01-02T00:00:00.000Z"},
        {"public_key": other.public_key},
        {"public_key": other.public_key, "key_id": other.key_id},
    ):
        assert not dataclasses.replace(checkpoint, **change).signature_holds()  # type: ignore[arg-type]


def test_a_malformed_checkpoint_names_its_fields() -> None:
    with pytest.raises(InvalidCheckpoint) as caught:
        Checkpoint.from_dict({"position": "7", "hash": ""})
    fields = [p.field for p in caught.value.problems]
    assert fields[:3] == ["checkpoint.position", "checkpoint.hash", "checkpoint.signed_at"]
    with pytest.raises(InvalidCheckpoint):
        Checkpoint.from_json("{not json")


def test_signing_a_head_already_signed_by_the_key_answers_that_checkpoint(log: ConflictLog, tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    checkpointer = Checkpointer(log.store, lambda: key)
    fill(log, 3)
    first, created = checkpointer.sign_head()
    again, created_again = checkpointer.sign_head()
    assert (created, created_again) == (True, False)
    assert again == first


def test_an_empty_log_has_no_head_to_sign(log: ConflictLog, tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k.pem")
    with pytest.raises(EmptyLog):
        Checkpointer(log.store, lambda: key).sign_head()


def test_after_the_key_is_lost_a_new_one_signs_and_old_checkpoints_still_verify(
    log: ConflictLog, tmp_path: Path
) -> None:
    path = tmp_path / "signing-key.pem"
    fill(log, 4)
    old, _ = Checkpointer(log.store, lambda: load_or_create_key(path)).sign_head()
    path.unlink()  # the key is lost
    log.submit(statement(10))
    new, _ = Checkpointer(log.store, lambda: load_or_create_key(path)).sign_head()
    assert new.key_id != old.key_id
    report = verify_log(log.store, held=[old])
    assert report.ok, report.verdict.broken
    assert [(k.key_id, k.checkpoints) for k in report.keys] == [(old.key_id, 1), (new.key_id, 1)]
    assert report.verdict.anchors == 3  # both stored checkpoints, and the one held
