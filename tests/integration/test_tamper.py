"""Tampering with a copy of the log's database, on each backend: every kind is detected and located.

The log holds 30 developments with signed checkpoints at positions 10, 20 and
30.  Each test copies the database, changes the copy with plain SQL, as someone
with write access to the database would, and verifies the copy offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from events.audit.checkpoints import Checkpointer
from events.audit.keys import SigningKey
from events.audit.signing import HeadSigner
from events.audit.verify import Report, verify_log
from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.chain import GENESIS, links_for
from events.log.opening import open_log
from tests.audit_helpers import Database, copy_database, drop_copy, fill, statement


@pytest.fixture
def signed(log: ConflictLog, database_url: str, tmp_path: Path) -> str:
    """The database of a log of 30 developments, signed at positions 10, 20 and 30."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = SigningKey(Ed25519PrivateKey.generate())
    checkpointer = Checkpointer(log.store, lambda: key)
    fill(log, 10)
    checkpointer.sign_head()
    for first in (10, 20):
        log.submit_many([Submission(statement(n)) for n in range(first, first + 10)])
        checkpointer.sign_head()
    assert [c.position for c in checkpointer.checkpoints()] == [10, 20, 30]
    return database_url


@pytest.fixture
def copy(signed: str, tmp_path: Path) -> Iterator[Database]:
    url = copy_database(signed, tmp_path)
    try:
        yield Database(url)
    finally:
        drop_copy(url)


def verify(database: Database) -> Report:
    log = open_log(database.url, create_tables=False)
    try:
        return verify_log(log.store)
    finally:
        log.close()


def test_an_untouched_copy_verifies(copy: Database) -> None:
    report = verify(copy)
    assert report.ok
    assert (report.verdict.developments, report.verdict.anchors, report.verdict.head) == (30, 3, 30)


def test_an_altered_byte_is_detected_at_its_position(copy: Database) -> None:
    copy.alter(12, b"Statement number 11.", b"Statement number 71.")
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind) == (12, "altered")
    assert "differs from what was chained" in broken.detail


def test_a_deleted_development_is_detected_at_its_position(copy: Database) -> None:
    copy.delete(12)
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind) == (12, "missing")


def test_an_inserted_development_is_detected_at_its_position(copy: Database) -> None:
    forged = copy.insert_after(12, like=5)
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind, broken.development) == (13, "inserted", forged)


def test_a_development_added_after_the_head_without_a_link_is_detected(copy: Database) -> None:
    forged = copy.append_forged(like=5)
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind, broken.development) == (31, "inserted", forged)


def test_two_swapped_developments_are_detected_as_reordered(copy: Database) -> None:
    copy.swap(12, 20)
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind) == (12, "reordered")
    assert "chained at position 20" in broken.detail


def test_a_chain_rewritten_to_match_an_altered_log_breaks_the_next_signed_checkpoint(copy: Database) -> None:
    copy.alter(12, b"Statement number 11.", b"Statement number 71.")
    log = open_log(copy.url, create_tables=False)
    try:  # recompute every link, as someone covering their tracks would
        links = links_for(log.store.stream_rows(30), GENESIS)
    finally:
        log.close()
    copy.run(
        *[
            ("UPDATE {chain} SET hash = ?, prev_hash = ? WHERE position = ?", (k.hash, k.prev_hash, k.position))
            for k in links
        ]
    )
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind) == (20, "altered")
    assert "no longer matches the checkpoint signed at" in broken.detail


def test_a_log_cut_short_with_its_chain_is_caught_by_a_later_checkpoint(copy: Database) -> None:
    copy.run(("DELETE FROM {events} WHERE {pos} > 25", ()), ("DELETE FROM {chain} WHERE position > 25", ()))
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind) == (30, "missing")
    assert "last intact position before it is 25" in broken.detail


def test_an_altered_checkpoint_no_longer_verifies(copy: Database) -> None:
    copy.run(("UPDATE {checkpoints} SET position = 19 WHERE position = 20", ()))
    broken = verify(copy).verdict.broken
    assert broken is not None
    assert (broken.position, broken.kind) == (19, "altered")
    assert "does not verify" in broken.detail


def test_signed_tree_heads_catch_a_chain_rewritten_to_match_an_altered_log(
    log: ConflictLog, database_url: str, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = SigningKey(Ed25519PrivateKey.generate())
    fill(log, 20)
    HeadSigner(log.store, lambda: key, "test/log", every=10).sign_due()  # tree heads at 10 and 20 only
    url = copy_database(database_url, tmp_path)
    copy = Database(url)
    try:
        copy.alter(12, b"Statement number 11.", b"Statement number 71.")
        rewritten = open_log(copy.url, create_tables=False)
        try:  # recompute every link, as someone covering their tracks would
            links = links_for(rewritten.store.stream_rows(20), GENESIS)
        finally:
            rewritten.close()
        copy.run(
            *[
                ("UPDATE {chain} SET hash = ?, prev_hash = ? WHERE position = ?", (k.hash, k.prev_hash, k.position))
                for k in links
            ]
        )
        report = verify(copy)
        assert report.tree_heads == 2
        assert report.verdict.broken is not None
        assert (report.verdict.broken.position, report.verdict.broken.kind) == (20, "altered")
        assert "no longer make the tree of the tree head signed at" in report.verdict.broken.detail
        copy.run(("UPDATE {notes} SET root = ? WHERE tree_size = 10", ("AAAA",)))
        broken = verify(copy).verdict.broken
        assert broken is not None and "does not verify with the key it records" in broken.detail
    finally:
        drop_copy(url)
