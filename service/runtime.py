"""The long-lived objects of one service process, built lazily after gunicorn forks.

Nothing here touches a database at import or at ``create_app``; the log is opened
on first use in each worker process, and re-opened if the process forked since.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from events.audit.checkpoints import Checkpointer
from events.audit.keys import SigningKey, load_or_create_key
from events.audit.signing import HeadSigner, tick_for
from events.log.application import ConflictLog
from events.log.opening import open_log
from projections.database import Database, open_database
from projections.queries import Queries
from projections.store import ProjectionStore
from service.api.feed import Slots
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
    _queries: Queries | None = None
    _database: Database | None = None
    _checkpointer: Checkpointer | None = None
    _signer: HeadSigner | None = None
    _clock: SigningClock | None = None
    _key: SigningKey | None = None
    _feeds: Slots | None = None

    @property
    def log(self) -> ConflictLog:
        """This process's log application."""
        if self._log is None or self._pid != os.getpid():
            with self._lock:
                if self._log is None or self._pid != os.getpid():
                    self._log = open_log(self.settings.database_url, create_tables=self.create_tables)
                    self._database = open_database(self.settings.database_url)
                    if self.create_tables:
                        self._database.create_tables()
                    self._queries = Queries(self._log, ProjectionStore(self._log, self._database))
                    self._pid = os.getpid()
                    self._checkpointer = Checkpointer(self._log.store, lambda: self.signing_key)
                    self._signer = head_signer(self._log, lambda: self.signing_key, self.settings)
                    self._log.on_appended = self._signer.after_append
                    self._clock = SigningClock(self._signer, self.settings.checkpoint_interval)
        return self._log

    @property
    def queries(self) -> Queries:
        """This process's read side (projections caught up on demand)."""
        self.log  # noqa: B018 - opens the log and projections in this process
        assert self._queries is not None
        return self._queries

    @property
    def checkpointer(self) -> Checkpointer:
        """Signs checkpoints of this process's log."""
        self.log  # noqa: B018 - opens the log (and its checkpointer) in this process
        assert self._checkpointer is not None
        return self._checkpointer

    @property
    def signer(self) -> HeadSigner:
        """Signs this process's log's tree heads on schedule (and its clock runs while the log is open)."""
        self.log  # noqa: B018 - opens the log (and its signer) in this process
        assert self._signer is not None
        return self._signer

    @property
    def feeds(self) -> Slots:
        """The live feeds this process may serve at once."""
        if self._feeds is None:
            with self._lock:
                if self._feeds is None:
                    self._feeds = Slots(self.settings.stream_slots)
        return self._feeds

    @property
    def signing_key(self) -> SigningKey:
        """The service's Ed25519 key, made on first use when its file does not exist."""
        if self._key is None:
            with self._lock:
                if self._key is None:
                    self._key = load_or_create_key(self.settings.signing_key_path)
        return self._key

    @property
    def tokens(self) -> TokenStore:
        if self._tokens is None:
            store = TokenStore(self.settings.database_url)
            if self.create_tables:
                store.create_table()
            self._tokens = store
        return self._tokens

    def close(self) -> None:
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        if self._log is not None and self._pid == os.getpid():
            self._log.close()
            if self._database is not None:
                self._database.close()
        self._log = None
        self._database = None
        self._queries = None


def head_signer(log: ConflictLog, key: Callable[[], SigningKey], settings: Settings) -> HeadSigner:
    """The signer of ``log``'s tree heads, on the schedule the settings give."""
    return HeadSigner(log.store, key, settings.log_origin, settings.checkpoint_every, settings.checkpoint_interval)


class SigningClock:
    """A daemon thread that signs the heads the interval makes due, every ``tick_for(interval)`` seconds."""

    def __init__(self, signer: HeadSigner, interval: float) -> None:
        self.signer = signer
        self.tick = tick_for(interval)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="signing-clock", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            self.signer.tick(self.tick)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def runtime() -> Runtime:
    """The runtime of the current Flask app."""
    found: Runtime = current_app.extensions["conflict_status"]
    return found
