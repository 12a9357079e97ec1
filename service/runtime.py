"""The long-lived objects of one service process, built lazily after gunicorn forks.

Nothing here touches a database at import or at ``create_app``; the log is opened
on first use in each worker process, and re-opened if the process forked since.
Writes go to ``DATABASE_URL``; every read goes to ``READ_DATABASE_URL`` (the same
database unless it names a standby), through a projection reader that never
writes.  After each append the process's projector catches up in the background.
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
from projections.outbox import Outbox
from projections.projector import Projector
from projections.queries import Queries
from projections.store import ProjectionReader, ProjectionStore
from service.api.consistency import honour_min_position
from service.api.feed import Slots
from service.settings import Settings
from service.tokens import TokenStore
from service.webhooks import Deliverer


@dataclass
class Runtime:
    settings: Settings
    create_tables: bool = True
    _log: ConflictLog | None = None
    _pid: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: TokenStore | None = None
    _database: Database | None = None
    _projector: Projector | None = None
    _read: tuple[int, ConflictLog, Database, Queries, Checkpointer] | None = None
    _checkpointer: Checkpointer | None = None
    _signer: HeadSigner | None = None
    _clock: SigningClock | None = None
    _key: SigningKey | None = None
    _feeds: Slots | None = None
    _outbox: Outbox | None = None
    _deliverer: Deliverer | None = None

    @property
    def log(self) -> ConflictLog:
        """This process's log application on ``DATABASE_URL``: writes, and what writes must read."""
        if self._log is None or self._pid != os.getpid():
            with self._lock:
                if self._log is None or self._pid != os.getpid():
                    self._log = open_log(self.settings.database_url, create_tables=self.create_tables)
                    self._database = open_database(self.settings.database_url)
                    if self.create_tables:
                        self._database.create_tables()
                    self._pid = os.getpid()
                    self._checkpointer = Checkpointer(self._log.store, lambda: self.signing_key)
                    self._signer = head_signer(self._log, lambda: self.signing_key, self.settings)
                    self._clock = SigningClock(self._signer, self.settings.checkpoint_interval)
                    self._projector = Projector(ProjectionStore(self._log, self._database))
                    self._outbox = Outbox(self._database)
                    if self.create_tables:
                        self._outbox.create_tables()
                    if self.settings.webhook_delivery:
                        self._deliverer = Deliverer(self._outbox, self._projector.store, self.settings)
                    self._log.on_appended = self._appended
        return self._log

    @property
    def projections(self) -> ProjectionStore:
        """The projections on ``DATABASE_URL`` as writers bring them forward (catch up, rebuild)."""
        self.log  # noqa: B018 - opens the log, the projections and the projector in this process
        assert self._projector is not None
        return self._projector.store

    def _appended(self, head: int) -> None:
        """After every append: sign the tree heads that are due; have the projector catch up."""
        assert self._signer is not None and self._projector is not None
        self._signer.after_append(head)
        self._projector.poke(head)
        if self._deliverer is not None:
            self._deliverer.poke()

    @property
    def outbox(self) -> Outbox:
        """Webhook subscriptions and their deliveries, on ``DATABASE_URL`` (subscribing is a write)."""
        self.log  # noqa: B018 - opens the log, the projections and the outbox in this process
        assert self._outbox is not None
        return self._outbox

    def _reading(self) -> tuple[int, ConflictLog, Database, Queries, Checkpointer]:
        """The read side of this process: on ``READ_DATABASE_URL``, or shared with the writes' when it is the same."""
        read = self._read
        if read is not None and read[0] == os.getpid():
            return read
        shared = None if self.settings.reads_elsewhere else (self.log, self._database)
        with self._lock:
            read = self._read
            if read is None or read[0] != os.getpid():
                if shared is not None and shared[1] is not None:
                    log, database = shared[0], shared[1]
                else:
                    log = open_log(self.settings.read_database_url, create_tables=False)
                    database = open_database(self.settings.read_database_url)
                queries = Queries(log, ProjectionReader(log, database))
                checkpoints = Checkpointer(log.store, lambda: self.signing_key)
                read = self._read = (os.getpid(), log, database, queries, checkpoints)
        return read

    def _read_side(self) -> tuple[int, ConflictLog, Database, Queries, Checkpointer]:
        """The read side, once it reflects the request's ``min_position`` (``service.api.consistency``)."""
        read = self._reading()
        honour_min_position(read[3].store, self.settings.read_wait)
        return read

    def reflected_head(self) -> int:
        """The log position the read side reflects now, without waiting for the request's ``min_position``."""
        return self._reading()[3].store.head()

    @property
    def read_log(self) -> ConflictLog:
        """The log as every read route reads it (``READ_DATABASE_URL``)."""
        return self._read_side()[1]

    @property
    def queries(self) -> Queries:
        """This process's read side: answers from the projections and the log's tail, never a write."""
        return self._read_side()[3]

    @property
    def read_checkpoints(self) -> Checkpointer:
        """Signed checkpoints as the read side holds them (listing only: signing is a write)."""
        return self._read_side()[4]

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
    def read_heads(self) -> HeadSigner:
        """Signed tree heads as the read side holds them: for reading (a standby never signs)."""
        return head_signer(self.read_log, lambda: self.signing_key, self.settings)

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
        if self._deliverer is not None:
            self._deliverer.close()
            self._deliverer = None
        if self._projector is not None:
            self._projector.close()
        read = self._read
        if read is not None and read[0] == os.getpid() and self.settings.reads_elsewhere:
            read[1].close()
            read[2].close()
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        if self._log is not None and self._pid == os.getpid():
            self._log.close()
            if self._database is not None:
                self._database.close()
        self._log = None
        self._database = None
        self._projector = None
        self._outbox = None
        self._read = None


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
