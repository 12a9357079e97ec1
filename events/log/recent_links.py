"""The chain links of this process's latest appends, so that a receipt needs no read.

A writer stages the links it computed inside its transaction and publishes
them only once that transaction has committed: links of a transaction that
rolled back are never seen.  Only the newest ``keep`` links are kept.
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

    def stage(self, links: Sequence[Link]) -> None:
        """Hold links written by this thread's open transaction."""
        self._staged.links = links

    def publish(self) -> None:
        """The transaction committed: its links may be handed out."""
        links: Sequence[Link] = getattr(self._staged, "links", ())
        self._staged.links = ()
        if not links:
            return
        with self._lock:
            for link in links:
                self._links[link.position] = link
            while len(self._links) > self._keep:
                self._links.popitem(last=False)  # the oldest

    def discard(self) -> None:
        """The transaction rolled back: forget its links."""
        self._staged.links = ()

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
