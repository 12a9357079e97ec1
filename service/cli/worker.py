"""``conflict-status project``: keep the projections current, and sign tree heads, in the background.

Reads never write: a serve process catches up after its own appends, and a
read folds whatever tail of the log is not projected yet, up to a limit.  The
worker follows every append, whoever made it (another host, another tool), so
that the tail stays short and the projections never fall past that limit.  On
PostgreSQL the worker wakes on the log's NOTIFY (every insert notifies the events
table's channel) and polls as a safety net; on SQLite it polls.  SIGTERM or
SIGINT stops it after the page it is folding.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from events.audit.keys import load_or_create_key
from events.audit.signing import HeadSigner, tick_for
from events.log.application import ConflictLog
from events.log.database_url import is_sqlite, libpq_url
from events.log.library import notify_channel
from events.log.opening import open_log
from projections.database import open_database
from projections.outbox import Outbox
from projections.store import ProjectionStore
from service.cli.common import settings
from service.runtime import head_signer
from service.webhooks import Deliverer

log = logging.getLogger("conflict_status.worker")


class Wakeups:
    """Waits until the log may have grown, or ``seconds`` passed, or ``stop`` is set: polling."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def wait(self, seconds: float) -> None:
        self.stop.wait(seconds)

    def close(self) -> None:
        """Release what waiting holds."""


class Notifications(Wakeups):
    """PostgreSQL: LISTEN on the channel the log's recorder NOTIFYs on each insert, on a connection of its own."""

    SLICE = 0.5  # seconds between looks at ``stop`` while listening
    DRAIN = 0.05

    def __init__(self, stop: threading.Event, database_url: str, channel: str) -> None:
        import psycopg
        from psycopg import sql

        super().__init__(stop)
        self.connection = psycopg.connect(libpq_url(database_url), autocommit=True)
        self.connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if self._notified(min(self.SLICE, left)):
                # swallow those queued meanwhile (briefly: appends may never pause); one catch-up covers them
                until = time.monotonic() + self.DRAIN
                while time.monotonic() < until and self._notified(0.01):
                    pass
                return

    def _notified(self, seconds: float) -> bool:
        """Whether a notification arrived within ``seconds`` (the generator is closed: it holds a lock)."""
        received = self.connection.notifies(timeout=seconds, stop_after=1)
        try:
            return next(received, None) is not None
        finally:
            received.close()

    def close(self) -> None:
        self.connection.close()


def wakeups_for(conflict_log: ConflictLog, database_url: str, stop: threading.Event) -> Wakeups:
    if is_sqlite(database_url):
        return Wakeups(stop)
    channel = notify_channel(conflict_log.recorder)
    return Notifications(stop, database_url, channel)


def follow(
    store: ProjectionStore, wakeups: Wakeups, stop: threading.Event, poll: float, signer: HeadSigner | None = None
) -> None:
    """Catch up (and sign the tree heads due), then wait for the log to grow, until ``stop`` is set."""
    reached = -1
    while not stop.is_set():
        if signer is not None:
            signer.tick(min(poll, tick_for(signer.interval)))
        try:
            now = store.catch_up()
        except Exception:  # a database that went away: say so, wait, and try again
            log.exception("catching up failed; trying again in %.1f s", poll)
            wakeups.wait(poll)
            continue
        if now != reached:
            log.info("projections at position %d", now)
            reached = now
        wakeups.wait(min(poll, tick_for(signer.interval)) if signer is not None else poll)


@contextmanager
def stopping_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the block runs."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        log.info("stopping on signal %d", signum)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@click.command()
@click.option(
    "--poll",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.05, 3600),
    help="seconds between catch-ups when nothing wakes the worker (on SQLite: the polling interval)",
)
def project(poll: float) -> None:
    """Keep the projections current, sign the tree heads due and deliver webhooks, until stopped (SIGTERM).

    Serve processes catch up after their own appends and sign the heads due; the
    worker follows every append, whoever made it, and signs too.  On PostgreSQL it
    wakes on each one (LISTEN/NOTIFY, on DATABASE_URL: never on a standby); on SQLite
    it polls every --poll seconds (and more often when CHECKPOINT_INTERVAL is short).
    """
    chosen = settings()
    logging.basicConfig(level=chosen.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with stopping_on_signals() as stop:
        conflict_log = open_log(chosen.database_url, create_tables=False)
        database = open_database(chosen.database_url)
        try:
            database.create_tables()
            wakeups = wakeups_for(conflict_log, chosen.database_url, stop)
            key = load_or_create_key(chosen.signing_key_path)
            signer = head_signer(conflict_log, lambda: key, chosen)
            store = ProjectionStore(conflict_log, database)
            outbox = Outbox(database)
            outbox.create_tables()
            deliverer = Deliverer(outbox, store, chosen)  # webhooks: the worker always delivers
            try:
                follow(store, wakeups, stop, poll, signer)
            finally:
                deliverer.close()
                wakeups.close()
        finally:
            database.close()
            conflict_log.close()
    click.echo("stopped", err=True)
