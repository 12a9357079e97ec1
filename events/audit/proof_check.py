"""Checking RFC 9162 proofs as a client does: from a leaf hash or roots, and the proof's hashes alone.

These are the verification algorithms of RFC 9162 sections 2.1.3.2 (inclusion)
and 2.1.4.2 (consistency), used by ``conflict-status verify --remote`` and the
audit pages.  They share nothing with the code that makes proofs
(``events.audit.proofs``) but the hashing of ``events.log.merkle``.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from events.log.merkle import node_hash


def inclusion_root(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root that an inclusion proof of leaf ``index`` in a tree of ``size`` leads to (None: malformed)."""
    if not 0 <= index < size:
        return None
    fn, sn, running = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            running = node_hash(p, running)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            running = node_hash(running, p)
        fn >>= 1
        sn >>= 1
    return running if sn == 0 else None


def inclusion_holds(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether the proof shows leaf ``index`` with hash ``leaf`` in the tree of ``size`` whose root is ``root``."""
    found = inclusion_root(index, size, leaf, proof)
    return found is not None and hmac.compare_digest(found, root)


def consistency_roots(old: int, new: int, old_root: bytes, proof: Sequence[bytes]) -> tuple[bytes, bytes] | None:
    """The (old, new) roots a consistency proof leads to, given the old root (None: malformed).

    For ``old == new`` the proof is empty and both roots are the old one.
    """
    if not 0 < old <= new:
        return None
    if old == new:
        return (old_root, old_root) if not proof else None
    if not proof:
        return None
    path = list(proof)
    if old & (old - 1) == 0:  # an exact power of two: the old tree is a subtree of the new
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return (fr, sr) if sn == 0 else None


def consistency_holds(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether the proof shows the tree of ``old`` leaves (``old_root``) is a prefix of that of ``new``."""
    found = consistency_roots(old, new, old_root, proof)
    return found is not None and hmac.compare_digest(found[0], old_root) and hmac.compare_digest(found[1], new_root)
