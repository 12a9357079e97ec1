"""The Merkle tree written with the log on each backend, its roots and proofs checked independently.

Roots are compared with the RFC 9162 reference of the tests and with pymerkle
(another implementation of RFC 9162) over the entries' bytes as the log serves
them; proofs are checked with the reference's verifiers.
"""

from __future__ import annotations

import hashlib

import pytest
from pymerkle import InmemoryTree

from events.audit.proofs import NotInTree, ProofRefused, Proofs
from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.opening import open_log
from tests import merkle_reference as rfc
from tests.audit_helpers import REGISTRATION, Database, statement
from tests.conftest import postgres_database


def grow(log: ConflictLog) -> None:
    """Thirteen developments: single appends and batches, so that appends complete subtrees unevenly."""
    log.submit(REGISTRATION)
    log.submit_many([Submission(statement(n)) for n in range(1, 6)])
    for n in range(6, 9):
        log.submit(statement(n))
    log.submit_many([Submission(statement(n)) for n in range(9, 13)])


def served_entries(log: ConflictLog) -> list[bytes]:
    rows = log.store.entries(0, 1000)
    assert [r.leaf for r in rows] == list(range(len(rows)))
    return [r.entry for r in rows]


def test_the_stored_tree_has_the_roots_that_the_rfc_and_pymerkle_compute_at_every_size(log: ConflictLog) -> None:
    grow(log)
    entries = served_entries(log)
    assert len(entries) == 13 == log.store.tree_size()
    links = log.store.links_between(1, 13)
    assert [hashlib.sha256(e).hexdigest() for e in entries] == [links[p].hash for p in range(1, 14)]
    other = InmemoryTree(algorithm="sha256")
    proofs = Proofs(log.store)
    for size, entry in enumerate(entries, start=1):
        other.append_entry(entry)
        assert proofs.root(size) == rfc.mth(entries[:size]) == other.get_root(size)


def test_an_append_writes_only_the_subtrees_it_completes(log: ConflictLog, database_url: str) -> None:
    grow(log)
    database = Database(database_url)
    assert database.one("SELECT COUNT(*) FROM {leaves}")[0] == 13
    assert database.one("SELECT COUNT(*) FROM {nodes}")[0] == 13 - bin(13).count("1")


def test_every_proof_the_store_makes_verifies_with_the_reference(log: ConflictLog) -> None:
    grow(log)
    entries = served_entries(log)
    proofs = Proofs(log.store)
    for size in range(1, 14):
        root = rfc.mth(entries[:size])
        for position in range(1, size + 1):
            made = proofs.inclusion(position, size)
            assert (made.leaf_index, made.root) == (position - 1, root)
            assert rfc.inclusion_verifies(made.leaf_index, size, rfc.leaf(entries[position - 1]), made.hashes, root)
        for old in range(1, size + 1):
            made_c = proofs.consistency(old, size)
            assert rfc.consistency_verifies(old, size, rfc.mth(entries[:old]), root, made_c.hashes)


def test_proof_requests_the_tree_cannot_answer_are_refused_naming_the_parameter(log: ConflictLog) -> None:
    grow(log)
    proofs = Proofs(log.store)
    cases = [
        (lambda: proofs.inclusion(3, 14), ProofRefused, "size"),
        (lambda: proofs.inclusion(3, 0), ProofRefused, "size"),
        (lambda: proofs.inclusion(9, 5), ProofRefused, "position"),
        (lambda: proofs.inclusion(99, 13), NotInTree, "position"),
        (lambda: proofs.consistency(5, 14), ProofRefused, "to"),
        (lambda: proofs.consistency(6, 5), ProofRefused, "from"),
        (lambda: proofs.consistency(0, 5), ProofRefused, "from"),
    ]
    for call, error, field in cases:
        with pytest.raises(error) as caught:
            call()
        assert [p.field for p in caught.value.problems] == [field]


def test_a_log_written_before_the_tree_gets_it_from_its_next_append(log: ConflictLog, database_url: str) -> None:
    grow(log)
    expected = Proofs(log.store).root(13)
    Database(database_url).run(("DELETE FROM {leaves}", ()), ("DELETE FROM {nodes}", ()))
    log.submit(statement(50))
    assert log.store.tree_size() == 14
    assert Proofs(log.store).root(13) == expected
    assert Proofs(log.store).root(14) == rfc.mth(served_entries(log))


def test_the_migration_step_builds_the_tree_of_a_log_written_before_it(log: ConflictLog, database_url: str) -> None:
    grow(log)
    expected = Proofs(log.store).root(13)
    Database(database_url).run(("DELETE FROM {leaves}", ()), ("DELETE FROM {nodes}", ()))
    reopened = open_log(database_url, create_tables=True)
    try:
        assert reopened.store.build_tree() == 13
        assert reopened.store.build_tree() == 0
        assert Proofs(reopened.store).root(13) == expected
    finally:
        reopened.close()


@pytest.mark.postgres
def test_positions_may_have_gaps_but_leaf_indexes_do_not() -> None:
    with postgres_database() as url:
        log = open_log(url)
        try:
            log.submit(REGISTRATION)
            Database(url).run(("SELECT setval(pg_get_serial_sequence('{events}', 'notification_id'), 10)", ()))
            log.submit(statement(1))
            rows = log.store.entries(0, 10)
            assert [(r.leaf, r.position) for r in rows] == [(0, 1), (1, 11)]
            assert Proofs(log.store).inclusion(11, 2).leaf_index == 1
            assert Proofs(log.store).root(2) == rfc.mth([r.entry for r in rows])
        finally:
            log.close()


def test_two_writers_taking_turns_grow_one_tree(log: ConflictLog, database_url: str) -> None:
    other = open_log(database_url, create_tables=False)
    try:  # each starts from the frontier it left only when nobody appended since; else it reads it
        log.submit(REGISTRATION)
        for n in range(1, 10):
            (other if n % 3 else log).submit(statement(n))
        entries = served_entries(log)
        assert len(entries) == 10
        assert Proofs(other.store).root(10) == rfc.mth(entries)
        assert all(Proofs(log.store).root(size) == rfc.mth(entries[:size]) for size in range(1, 11))
    finally:
        other.close()
