"""Group commit: concurrent single appends of one process share one transaction.

Each caller hands its events over and waits.  Whoever holds the commit lock
takes every pending hand-over and saves them all in one transaction (one fsync
on SQLite, one table lock on PostgreSQL); each caller returns only once the
transaction that holds its events has committed, so an acknowledged
development is as durable as before.  When the shared transaction fails (say
one member's id was stored meanwhile by another process) every member is saved
again on its own, so that one caller's failure never becomes another's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

Save = Callable[..., list[Any]]


@dataclass
class _Ticket:
    events: Sequence[Any]
    done: bool = False
    recordings: list[Any] = field(default_factory=list)
    error: BaseException | None = None


class GroupCommit:
    """Saves the events of concurrent callers together (see the module's docstring)."""

    def __init__(self, save: Save, turn: Callable[[], AbstractContextManager[Any]] = nullcontext) -> None:
        self._save = save
        #: waits for this process's turn to write (SQLite's writers' queue) before the group is closed
        self._turn = turn
        self._pending: list[_Ticket] = []
        self._pending_lock = threading.Lock()
        self._commit_lock = threading.Lock()

    def save(self, *events: Any) -> list[Any]:
        """Save ``events`` (possibly with other callers'); their recordings, once committed."""
        ticket = _Ticket(events)
        with self._pending_lock:
            self._pending.append(ticket)
        with self._commit_lock:
            if not ticket.done:
                with self._turn():  # callers arriving while other processes write join this group
                    with self._pending_lock:
                        group, self._pending = self._pending, []
                    self._commit(group)
        if ticket.error is not None:
            raise ticket.error
        return ticket.recordings

    def _commit(self, group: list[_Ticket]) -> None:
        if len(group) > 1:
            try:
                recordings = self._save(*(e for t in group for e in t.events))
            except Exception:
                pass  # each member on its own below: a failure stays its caller's
            else:
                start = 0
                for t in group:  # recordings come back in the order the events were given
                    t.recordings = recordings[start : start + len(t.events)]
                    start += len(t.events)
                    t.done = True
                return
        for t in group:
            try:
                t.recordings = self._save(*t.events)
            except BaseException as e:
                t.error = e
            t.done = True
