"""RFC 9162 proofs from the stored tree: roots, inclusion proofs and consistency proofs.

Each answer folds O(log n) stored subtree roots (``events.log.tree``) read in
one or two queries; nothing is rehashed from the leaves.  A request the tree
cannot answer (a size beyond it, a position it does not hold) is a
``ProofRefused`` naming the parameter and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from events.audit.proof_check import inclusion_holds
from events.log.merkle import (
    consistency_ranges,
    fold,
    inclusion_ranges,
    leaf_hash,
    nodes_for,
    perfect_nodes,
    range_hash,
)
from events.log.store import LogStore
from events.log.tree import EntryRow, TreeDamaged
from events.vocabulary.errors import DomainError, Problem


@dataclass
class ProofRefused(DomainError):
    """The parameters of a proof do not fit the tree (422), with the field at fault."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.message}" for p in self.problems)


@dataclass
class NotInTree(DomainError):
    """No leaf holds the development at this position (404): there is none there, or the tree lacks it."""

    position: int

    @property
    def problems(self) -> list[Problem]:
        return [Problem("position", f"no development of the tree is at position {self.position}")]

    def __str__(self) -> str:
        return f"no development of the tree is at position {self.position}"


@dataclass(frozen=True)
class InclusionProof:
    """That the development at ``position`` (leaf ``leaf_index``) is in the tree of ``tree_size`` leaves."""

    position: int
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    root: bytes
    hashes: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of ``old_size`` leaves is a prefix of the tree of ``new_size`` leaves."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    hashes: list[bytes]


@dataclass(frozen=True)
class Inclusion:
    """Whether a development is in a signed tree, checked as a client would with the proof the tree gives.

    ``state``: ``included`` (the proof from its entry's bytes leads to the
    signed root), ``later`` (appended after that tree), ``absent`` (no leaf
    holds it) or ``fails`` (its bytes or the tree no longer agree with the
    signed root: the log was tampered with).
    """

    position: int
    state: Literal["included", "later", "absent", "fails"]
    leaf_index: int | None = None
    proof_length: int = 0


@dataclass(frozen=True)
class EntriesPage:
    """A page of leaves with their entries' bytes, and where the next page starts."""

    tree_size: int
    items: list[EntryRow]
    next_after: int | None


class Proofs:
    """Roots, proofs and entries of the log's tree."""

    def __init__(self, store: LogStore) -> None:
        self.store = store

    def size(self) -> int:
        return self.store.tree_size()

    def root(self, size: int) -> bytes:
        """MTH of the first ``size`` leaves."""
        return fold(self.store.root_hashes(size))

    def inclusion(self, position: int, size: int) -> InclusionProof:
        """The inclusion proof of the development at ``position`` in the tree of ``size`` leaves."""
        self._check_size("size", size, minimum=1)
        leaf = self.store.leaf_at(position)
        if leaf is None:
            raise NotInTree(position)
        if leaf >= size:
            raise ProofRefused(
                [Problem("position", f"position {position} is leaf {leaf}, not in a tree of {size} leaves")]
            )
        ranges = inclusion_ranges(leaf, size)
        stored = self._stored(nodes_for(ranges) | {(0, leaf)} | set(perfect_nodes(0, size)))
        return InclusionProof(
            position,
            leaf,
            size,
            stored[(0, leaf)],
            range_hash(0, size, stored),
            [range_hash(start, end, stored) for start, end in ranges],
        )

    def consistency(self, old: int, new: int) -> ConsistencyProof:
        """The consistency proof from the tree of ``old`` leaves to that of ``new`` leaves."""
        self._check_size("to", new, minimum=1)
        if not 1 <= old <= new:
            raise ProofRefused([Problem("from", f"expected a tree size from 1 to {new} (the size `to`), not {old}")])
        ranges = consistency_ranges(old, new)
        stored = self._stored(nodes_for(ranges) | set(perfect_nodes(0, old)) | set(perfect_nodes(0, new)))
        return ConsistencyProof(
            old,
            new,
            range_hash(0, old, stored),
            range_hash(0, new, stored),
            [range_hash(start, end, stored) for start, end in ranges],
        )

    def entries(self, *, after: int = 0, leaf: int | None = None, limit: int = 1000) -> EntriesPage:
        """Leaves after the position ``after`` (or from ``leaf`` on), with their exact chain entry bytes."""
        size = self.size()
        first = leaf if leaf is not None else self.store.first_leaf_after(after)
        items = self.store.entries(first, limit) if first is not None and first < size else []
        last = (first or 0) + limit - 1
        more = bool(items) and last < size - 1
        return EntriesPage(size, items, items[-1].position if more else None)

    def included(self, positions: Sequence[int], size: int, root: bytes) -> dict[int, Inclusion]:
        """Whether each development is in the signed tree of ``size`` leaves whose root is ``root``.

        Each is checked with the RFC 9162 client algorithm (``proof_check``)
        from the leaf hash of its entry's bytes as stored now and the proof
        folded from stored nodes, so a stored row or node changed since the
        tree was signed fails.  Three queries for all of them.
        """
        leaves = self.store.leaves_of(positions)
        inside = {p: leaf for p, leaf in leaves.items() if leaf < size}
        paths = {p: inclusion_ranges(leaf, size) for p, leaf in inside.items()}
        stored = self.store.tree_hashes(set().union(*(nodes_for(r) for r in paths.values()))) if paths else {}
        entries = self.store.entries_at(list(inside))
        answers = {}
        for position in positions:
            leaf = leaves.get(position)
            if leaf is None:
                answers[position] = Inclusion(position, "absent")
            elif position not in inside:
                answers[position] = Inclusion(position, "later", leaf)
            else:
                ranges = paths[position]
                try:
                    proof = [range_hash(start, end, stored) for start, end in ranges]
                except KeyError:
                    proof = []
                entry = entries.get(position)
                holds = entry is not None and inclusion_holds(leaf, size, leaf_hash(entry), proof, root)
                answers[position] = Inclusion(position, "included" if holds else "fails", leaf, len(proof))
        return answers

    def _check_size(self, name: str, size: int, *, minimum: int) -> None:
        current = self.size()
        if not minimum <= size <= current:
            raise ProofRefused(
                [Problem(name, f"expected a tree size from {minimum} to {current} (the tree's size now), not {size}")]
            )

    def _stored(self, nodes: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        stored = self.store.tree_hashes(nodes)
        if len(stored) < len(nodes):
            raise TreeDamaged("the Merkle tree lacks nodes that its size implies")
        return stored
