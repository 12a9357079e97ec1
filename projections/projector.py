"""Writers bring the projections forward: after an append, a thread of the same process catches up.

Reads never write, so the projections move only when a writer or the projection
worker (``conflict-status project``) catches up.  A service process that appends
pokes its ``Projector``; the projector's thread catches up once for every
appends that arrived meanwhile (one transaction covers a burst), off the
request's path, so that an append is answered as soon as it is durable.  Until
the catch-up commits, readers fold the tail of the log in memory.
"""

from __future__ import annotations

import logging
import threading

from projections.store import ProjectionStore

log = logging.getLogger("conflict_status.projector")

#: seconds before a catch-up that failed (a database that went away) is tried again
RETRY_SECONDS = 1.0


class Projector:
    """Catches up in a thread of its own each time it is poked (see the module's docstring)."""

    def __init__(self, store: ProjectionStore) -> None:
        self.store = store
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: the position the last catch-up reached (-1 before the first)
        self.reached = -1

    def poke(self, head: int = 0) -> None:
        """The log grew (to ``head``): catch up soon.  Never blocks."""
        if self._stopping.is_set():
            return
        self._wanted.set()
        if self._thread is None:
            with self._lock:
                if self._thread is None and not self._stopping.is_set():
                    self._thread = threading.Thread(target=self._run, name="projector", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wanted.wait()
            if self._stopping.is_set():
                return
            self._wanted.clear()
            try:
                self.reached = self.store.catch_up()
            except Exception:
                log.exception("catching up after an append failed; trying again in %.1f s", RETRY_SECONDS)
                self._stopping.wait(RETRY_SECONDS)
                self._wanted.set()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the thread after the catch-up under way (the worker or the next writer takes over)."""
        self._stopping.set()
        self._wanted.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
