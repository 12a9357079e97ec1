"""The chain links of this process's latest appends, so that a receipt needs no read.

A writer stages the links it computed inside its transaction and publishes
them only once that transaction has committed: links of a transaction that
rolled back are never seen.  Only the newest ``keep`` links are kept.  The
Merkle tree's frontier after the latest committed append is kept too: the next
append starts from it when no other process appended meanwhile, and the
checkpoint schedule reads the tree's size from it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from events.log.chain import Link
from events.log.merkle import Frontier


class RecentLinks:
    """Committed links of the latest appends, by position (see the module's docstring)."""

    def __init__(self, keep: int = 20_000) -> None:
        self._keep = keep
        self._links: OrderedDict[int, Link] = OrderedDict()  # its popitem(last=False) is O(1); a dict's is not
        self._lock = threading.Lock()
        self._staged = threading.local()
        #: the Merkle tree's frontier after this process's latest committed append (None before any)
        self.frontier: Frontier | None = None

    @property
    def tree_size(self) -> int:
        """The Merkle tree's size after this process's latest committed append (0 before any)."""
        return self.frontier.size if self.frontier is not None else 0

    def stage(self, links: Sequence[Link], frontier: Frontier | None = None) -> None:
        """Hold links written by this thread's open transaction, and the tree's frontier after it."""
        self._staged.links = links
        self._staged.frontier = frontier

    def publish(self) -> None:
        """The transaction committed: its links may be handed out, its frontier started from."""
        links: Sequence[Link] = getattr(self._staged, "links", ())
        frontier: Frontier | None = getattr(self._staged, "frontier", None)
        self._staged.links, self._staged.frontier = (), None
        if frontier is not None:
            self.frontier = frontier
        if not links:
            return
        with self._lock:
            for link in links:
                self._links[link.position] = link
            while len(self._links) > self._keep:
                self._links.popitem(last=False)  # the oldest

    def discard(self) -> None:
        """The transaction rolled back: forget its links."""
        self._staged.links, self._staged.frontier = (), None

    def get(self, positions: Iterable[int]) -> dict[int, Link]:
        """The links known here among ``positions``."""
        with self._lock:
            return {p: link for p in positions if (link := self._links.get(p)) is not None}


@contextmanager
def published(recent: RecentLinks) -> Iterator[None]:
    """Publish the links staged inside the block once it has committed; drop them if it failed."""
    try:
        yield
    except BaseException:
        recent.discard()
        raise
    recent.publish()
