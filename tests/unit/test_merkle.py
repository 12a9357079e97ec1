"""The tree's arithmetic against the RFC 9162 reference written in the tests (``tests.merkle_reference``)."""

from __future__ import annotations

import hashlib

import pytest

from events.audit.proof_check import consistency_holds, inclusion_holds
from events.log.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_ranges,
    inclusion_ranges,
    leaf_hash,
    nodes_for,
    perfect_nodes,
    range_hash,
    root_of,
)
from tests import merkle_reference as rfc

ENTRIES = [f"entry {i}".encode() for i in range(40)]


def stored_tree(size: int) -> dict[tuple[int, int], bytes]:
    """Every node a store would hold after appending ``size`` entries one by one through the frontier."""
    frontier = Frontier()
    stored = {}
    for i, entry in enumerate(ENTRIES[:size]):
        stored[(0, i)] = leaf_hash(entry)
        for level, index, digest in frontier.append(leaf_hash(entry)):
            stored[(level, index)] = digest
    return stored


def test_the_empty_tree_has_the_hash_of_nothing_as_its_root() -> None:
    assert EMPTY_ROOT == rfc.mth([]) == hashlib.sha256(b"").digest()
    assert Frontier().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 41))
def test_the_frontier_grows_the_roots_the_rfc_defines_and_stores_each_complete_subtree_once(size: int) -> None:
    stored = stored_tree(size)
    assert root_of(leaf_hash(e) for e in ENTRIES[:size]) == rfc.mth(ENTRIES[:size])
    assert range_hash(0, size, stored) == rfc.mth(ENTRIES[:size])
    inner = [node for node in stored if node[0] > 0]
    assert len(inner) == size - bin(size).count("1")  # a binary tree's interior nodes, less the incomplete ones
    for level, index in inner:
        width = 1 << level
        assert stored[(level, index)] == rfc.mth(ENTRIES[index * width : (index + 1) * width])


def test_every_inclusion_proof_made_from_stored_nodes_is_the_rfcs_path_and_verifies_both_ways() -> None:
    for size in range(1, 25):
        stored = stored_tree(size)
        root = rfc.mth(ENTRIES[:size])
        for index in range(size):
            ranges = inclusion_ranges(index, size)
            assert nodes_for(ranges) <= set(stored)
            hashes = [range_hash(a, b, stored) for a, b in ranges]
            assert hashes == rfc.path(index, ENTRIES[:size])
            assert rfc.inclusion_verifies(index, size, rfc.leaf(ENTRIES[index]), hashes, root)
            assert inclusion_holds(index, size, leaf_hash(ENTRIES[index]), hashes, root)


def test_every_consistency_proof_made_from_stored_nodes_is_the_rfcs_proof_and_verifies_both_ways() -> None:
    for new in range(1, 25):
        stored = stored_tree(new)
        new_root = rfc.mth(ENTRIES[:new])
        for old in range(1, new + 1):
            ranges = consistency_ranges(old, new)
            hashes = [range_hash(a, b, stored) for a, b in ranges]
            assert hashes == rfc.proof(old, ENTRIES[:new])
            old_root = rfc.mth(ENTRIES[:old])
            assert rfc.consistency_verifies(old, new, old_root, new_root, hashes)
            assert consistency_holds(old, new, old_root, new_root, hashes)
            assert all(b <= old or a >= old for a, b in ranges)  # each range wholly old or wholly new


def test_a_proof_with_any_hash_changed_dropped_or_added_fails_both_verifiers() -> None:
    size, stored = 21, stored_tree(21)
    root = rfc.mth(ENTRIES[:size])
    flip = bytes(32)
    for index in (0, 7, 20):
        hashes = [range_hash(a, b, stored) for a, b in inclusion_ranges(index, size)]
        leaf = leaf_hash(ENTRIES[index])
        for bad in ([flip, *hashes[1:]], hashes[:-1], [*hashes, flip]):
            assert not inclusion_holds(index, size, leaf, bad, root)
            assert not rfc.inclusion_verifies(index, size, leaf, bad, root)
        assert not inclusion_holds(index, size, leaf_hash(b"another entry"), hashes, root)
        assert not inclusion_holds(index + 1, size, leaf, hashes, root)
    for old in (1, 8, 13):
        hashes = [range_hash(a, b, stored) for a, b in consistency_ranges(old, size)]
        old_root = rfc.mth(ENTRIES[:old])
        for bad in ([flip, *hashes[1:]], hashes[:-1], [*hashes, flip]):
            assert not consistency_holds(old, size, old_root, root, bad)
            assert not rfc.consistency_verifies(old, size, old_root, root, bad)
        assert not consistency_holds(old, size, rfc.mth(ENTRIES[1 : old + 1]), root, hashes)


def test_a_range_outside_the_rfcs_splits_is_refused() -> None:
    assert perfect_nodes(8, 13) == [(2, 2), (0, 12)]
    with pytest.raises(ValueError, match="not a range"):
        perfect_nodes(3, 7)
    with pytest.raises(ValueError):
        inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        consistency_ranges(0, 5)
