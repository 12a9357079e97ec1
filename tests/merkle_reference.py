"""An RFC 9162 reference written in the tests, straight from the RFC's recursive definitions.

It shares no code with ``events.log.merkle`` or ``events.audit.proof_check``
(the service's tree is built incrementally and its proofs are checked with the
RFC's iterative algorithms): MTH, PATH and SUBPROOF as sections 2.1.1, 2.1.3.1
and 2.1.4.1 define them, and verifiers that undo those definitions
recursively.  The tests compare the service's roots and proofs with these, and
check the service's proofs with these verifiers.
"""

from __future__ import annotations

import hashlib


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def leaf(entry: bytes) -> bytes:
    return _h(b"\x00" + entry)


def mth(entries: list[bytes]) -> bytes:
    """MTH(D[n]) of the entries' bytes."""
    n = len(entries)
    if n == 0:
        return _h(b"")
    if n == 1:
        return leaf(entries[0])
    k = _k(n)
    return _h(b"\x01" + mth(entries[:k]) + mth(entries[k:]))


def path(m: int, entries: list[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    n = len(entries)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, entries[:k]), mth(entries[k:])]
    return [*path(m - k, entries[k:]), mth(entries[:k])]


def proof(m: int, entries: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    return _subproof(m, entries, True)


def _subproof(m: int, entries: list[bytes], whole: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if whole else [mth(entries)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, entries[:k], whole), mth(entries[k:])]
    return [*_subproof(m - k, entries[k:], False), mth(entries[:k])]


def inclusion_verifies(index: int, size: int, leaf_hash: bytes, hashes: list[bytes], root: bytes) -> bool:
    """Undo PATH: the root that leaf and proof lead to, compared with ``root``."""

    def up(m: int, n: int, rest: list[bytes]) -> bytes | None:
        if n == 1:
            return None if rest else leaf_hash
        if not rest:
            return None
        *below, sibling = rest
        k = _k(n)
        if m < k:
            sub = up(m, k, below)
            return None if sub is None else _h(b"\x01" + sub + sibling)
        sub = up(m - k, n - k, below)
        return None if sub is None else _h(b"\x01" + sibling + sub)

    return 0 <= index < size and up(index, size, list(hashes)) == root


def consistency_verifies(old: int, new: int, old_root: bytes, new_root: bytes, hashes: list[bytes]) -> bool:
    """Undo SUBPROOF: the (old, new) roots the proof leads to, compared with the given ones."""

    def up(m: int, n: int, whole: bool, rest: list[bytes]) -> tuple[bytes, bytes] | None:
        if m == n:
            if whole:
                return None if rest else (old_root, old_root)
            return (rest[0], rest[0]) if len(rest) == 1 else None
        if not rest:
            return None
        *below, sibling = rest
        k = _k(n)
        if m <= k:
            sub = up(m, k, whole, below)
            return None if sub is None else (sub[0], _h(b"\x01" + sub[1] + sibling))
        sub = up(m - k, n - k, False, below)
        return None if sub is None else (_h(b"\x01" + sibling + sub[0]), _h(b"\x01" + sibling + sub[1]))

    if not 0 < old <= new:
        return False
    return up(old, new, True, list(hashes)) == (old_root, new_root)
