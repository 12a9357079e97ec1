"""The long-lived objects of one service process, built lazily after gunicorn forks.

Nothing here touches a database at import or at ``create_app``; the log is opened
on first use in each worker process, and re-opened if the process forked since.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from flask import current_app

from events.log import ConflictLog, open_log
from service.settings import Settings
from service.tokens import TokenStore


@dataclass
class Runtime:
    settings: Settings
    create_tables: bool = True
    _log: ConflictLog | None = None
    _pid: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: TokenStore | None = None

    @property
    def log(self) -> ConflictLog:
        """This process's log application."""
        if self._log is None or self._pid != os.getpid():
            with self._lock:
                if self._log is None or self._pid != os.getpid():
                    self._log = open_log(self.settings.database_url, create_tables=self.create_tables)
                    self._pid = os.getpid()
        return self._log

    @property
    def tokens(self) -> TokenStore:
        if self._tokens is None:
            self._tokens = TokenStore(self.settings.database_url)
        return self._tokens

    def close(self) -> None:
        if self._log is not None and self._pid == os.getpid():
            self._log.close()
        self._log = None


def runtime() -> Runtime:
    """The runtime of the current Flask app."""
    found: Runtime = current_app.extensions["conflict_status"]
    return found
