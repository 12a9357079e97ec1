"""Meeting signed tree heads while walking the chain: the Merkle tree regrown over the entries walked.

A signed tree head (``events.audit.signing``) says the first *n* chain entries
make a tree with a given root.  ``TreeMeter`` regrows the tree from the entries'
bytes as a walk meets them (``events.audit.walk``) and compares its root at each
signed size, so that offline ``verify`` checks the signed notes against the
chain as it checks the JSON checkpoints.  Only the frontier is kept, and no
leaf is hashed past the largest signed size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from events.log.merkle import LEAF_PREFIX, NODE_PREFIX, fold

_LEAF = hashlib.sha256(LEAF_PREFIX)
_NODE = hashlib.sha256(NODE_PREFIX)


@dataclass(frozen=True, slots=True)
class TreeAnchor:
    """A tree head whose signature holds: the first ``size`` entries must make ``root``."""

    size: int
    root: bytes
    position: int  # the position of its last leaf, when it was signed
    label: str  # "the tree head signed at ... by key ..."


class TreeMeter:
    """The tree of the entries added so far, checked at every anchor's size."""

    def __init__(self, anchors: Sequence[TreeAnchor]) -> None:
        self.pending = sorted(anchors, key=lambda a: a.size)
        self.limit = self.pending[-1].size if self.pending else 0
        self.size = 0
        self.met = 0
        self._roots: list[bytes] = []
        self._next = self.pending[0].size if self.pending else -1

    def add(self, entry: bytes) -> TreeAnchor | None:
        """Add the next entry; the anchor it breaks, if its size is reached and the root differs.

        Called for every entry a verification walks: kept to a few hashes.
        """
        size = self.size
        if size >= self.limit:
            return None
        roots = self._roots
        hashing = _LEAF.copy()  # cheaper than a new hash object under OpenSSL 3
        hashing.update(entry)
        running = hashing.digest()
        while size & 1:
            hashing = _NODE.copy()
            hashing.update(roots.pop() + running)
            running = hashing.digest()
            size >>= 1
        roots.append(running)
        self.size += 1
        return self._meet() if self.size == self._next else None

    def _meet(self) -> TreeAnchor | None:
        while self.met < len(self.pending) and self.pending[self.met].size == self.size:
            anchor = self.pending[self.met]
            if fold(self._roots) != anchor.root:
                return anchor
            self.met += 1
        self._next = self.pending[self.met].size if self.met < len(self.pending) else -1
        return None

    def unmet(self) -> TreeAnchor | None:
        """The first anchor whose size the entries added have not reached."""
        return self.pending[self.met] if self.met < len(self.pending) else None
