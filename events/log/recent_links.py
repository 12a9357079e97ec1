"""The chain links of this process's latest appends, so that a receipt needs no read.

A writer stages the links it computed inside its transaction and publishes
them only once that transaction has committed: links of a transaction that
rolled back are never seen.  Only the newest ``keep`` links are kept.  The
size of the Merkle tree after the latest committed append is kept too, so that
the checkpoint schedule needs no read after each append.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from events.log.chain import Link


class RecentLinks:
    """Committed links of the latest appends, by position (see the module's docstring)."""

    def __init__(self, keep: int = 20_000) -> None:
        self._keep = keep
        self._links: OrderedDict[int, Link] = OrderedDict()  # its popitem(last=False) is O(1); a dict's is not
        self._lock = threading.Lock()
        self._staged = threading.local()
        #: the Merkle tree's size after this process's latest committed append (0 before any)
        self.tree_size = 0

    def stage(self, links: Sequence[Link], tree_size: int | None = None) -> None:
        """Hold links written by this thread's open transaction, and the tree's size after it."""
        self._staged.links = links
        self._staged.tree_size = tree_size

    def publish(self) -> None:
        """The transaction committed: its links may be handed out."""
        links: Sequence[Link] = getattr(self._staged, "links", ())
        size: int | None = getattr(self._staged, "tree_size", None)
        self._staged.links, self._staged.tree_size = (), None
        if size is not None:
            self.tree_size = max(self.tree_size, size)
        if not links:
            return
        with self._lock:
            for link in links:
                self._links[link.position] = link
            while len(self._links) > self._keep:
                self._links.popitem(last=False)  # the oldest

    def discard(self) -> None:
        """The transaction rolled back: forget its links."""
        self._staged.links, self._staged.tree_size = (), None

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
