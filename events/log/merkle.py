"""The log as an RFC 9162 Merkle tree: hashes, the frontier an append extends, and the shapes of proofs.

Leaf *i* is the RFC 8785 bytes of the *i*-th chain entry in log order
(``events.log.chain.entry_bytes``), hashed as RFC 9162 section 2.1.1 says:
SHA-256 of 0x00 || entry for a leaf, of 0x01 || left || right for an interior
node.  Positions may have gaps; leaf indexes do not.

A node is named ``(level, index)``: it is the root of the perfect subtree of
the leaves ``index * 2**level`` to ``(index + 1) * 2**level - 1`` (level 0: a
leaf).  Every range RFC 9162's recursion hashes is a run of such perfect
subtrees, largest first (``perfect_nodes``), so that the log stores each
complete subtree's root once, when its last leaf is appended (``Frontier``),
and any root or proof is folded from O(log n) stored nodes.

This module is arithmetic only: no database.  ``events.log.tree`` stores the
nodes; ``events.audit.proofs`` answers proofs; ``events.audit.proof_check``
verifies them as a client would.

Why not ``pymerkle`` (7.0, RFC 9162 compatible, and the tests' second
reference): its trees live in its own storage (in memory, or its own SQLite
file), not in the log's append transaction on both backends, and its
in-memory tree took 73 s to build at a million leaves where this frontier took
11 s (``python -m bench.transparency --only libraries``, same run), with
proofs as fast either way (0.3-0.4 ms); a process would rebuild it at every
start.  What the log needs is the few lines of the RFC here and two tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Node = tuple[int, int]  # (level, index)

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
#: the root of the empty tree: SHA-256 of nothing (RFC 9162 section 2.1.1)
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """The RFC 9162 hash of a leaf holding ``entry``."""
    return _sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an interior node."""
    return _sha256(NODE_PREFIX + left + right).digest()


def split(width: int) -> int:
    """RFC 9162's k: the largest power of two smaller than ``width`` (which is at least 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def perfect_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees whose roots make up MTH of leaves ``start`` to ``end - 1``, left to right.

    RFC 9162 splits a range at the largest power of two below its width, so
    its left part is perfect and its right part is split again: the range is
    the binary decomposition of its width, largest first.  Every range the
    RFC's recursion meets starts at a multiple of its largest part.
    """
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start & ((1 << level) - 1):
            raise ValueError(f"leaves {start}..{end - 1} are not a range of RFC 9162's tree")
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the roots of its perfect subtrees (left to right): folded from the right."""
    if not hashes:
        return EMPTY_ROOT
    running = hashes[-1]
    for left in reversed(hashes[:-1]):
        running = node_hash(left, running)
    return running


def range_hash(start: int, end: int, stored: Mapping[Node, bytes]) -> bytes:
    """MTH of leaves ``start`` to ``end - 1`` from stored subtree roots (which must hold ``perfect_nodes``)."""
    return fold([stored[node] for node in perfect_nodes(start, end)])


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH of a list of leaf hashes, in one pass (as RFC 9162 defines it, without the recursion)."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


@dataclass
class Frontier:
    """The roots of the perfect subtrees of a tree of ``size`` leaves, left to right: what an append needs.

    Appending a leaf completes the subtrees whose last leaf it is; ``append``
    answers them as ``(level, index, hash)`` (levels 1 and up), so that a store
    writes each complete subtree's root once and never reads to append.
    """

    size: int = 0
    roots: list[bytes] = field(default_factory=list)

    @classmethod
    def of(cls, size: int, stored: Mapping[Node, bytes]) -> Frontier:
        """The frontier of a tree of ``size`` leaves from its stored nodes (``KeyError`` when one is missing)."""
        return cls(size, [stored[node] for node in perfect_nodes(0, size)])

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; the interior nodes it completes."""
        completed = []
        running, level, below = leaf, 0, self.size
        after = self.size + 1
        while below & 1:
            running = node_hash(self.roots.pop(), running)
            level += 1
            below >>= 1
            completed.append((level, (after >> level) - 1, running))
        self.roots.append(running)
        self.size = after
        return completed

    def root(self) -> bytes:
        """MTH of the tree so far."""
        return fold(self.roots)


# -- the shapes of proofs (RFC 9162 sections 2.1.3.1 and 2.1.4.1) ----------------------------


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH make up PATH(index, D[size]), in the RFC's order (from the leaf up)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH make up PROOF(old, D[new]), in the RFC's order.

    Each range lies wholly within the first ``old`` leaves or wholly after
    them, which lets a client that holds the new leaves recompute its part.
    """
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from {old} to {new}")
    if old == new:
        return []
    out = []
    start, end, remaining, whole = 0, new, old, True
    while True:
        if remaining == end - start:
            if not whole:
                out.append((start, end))
            break
        k = split(end - start)
        if remaining <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
            remaining -= k
            whole = False
    out.reverse()
    return out


def nodes_for(ranges: Iterable[tuple[int, int]]) -> set[Node]:
    """The stored nodes that the MTH of these ranges fold."""
    return {node for start, end in ranges for node in perfect_nodes(start, end)}
