"""Gunicorn configuration used by ``conflict-status serve`` (and usable with ``gunicorn -c``).

Schemas are created once, in the master, before any worker starts; workers build
their own log application lazily after the fork (never ``--preload`` one).
Threaded workers (gthread) keep a slow client or a long-lived stream from holding
a whole worker: gunicorn's main loop parks idle keep-alive connections, and
connections that sent nothing for 5 s, without a thread; a live feed, a client
sending its body slowly or a client reading slowly holds one thread, so a worker
has 8 (database work stays bounded by the connection pool).  The app sets
READ_TIMEOUT on each request's socket, so that a client that goes silent in the
middle of its body is answered 408 and frees its thread.  ``timeout`` is the
heartbeat after which the master replaces a stuck worker.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from events.audit.keys import load_or_create_key
from events.log.opening import open_log
from projections.database import open_database
from projections.outbox import Outbox
from projections.store import ProjectionStore
from service import gunicorn_answers
from service.settings import Settings
from service.tokens import TokenStore

bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 8
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
wsgi_app = "service.wsgi:create()"
# gunicorn's control socket sits at one path in $HOME: several servers on one host would clash
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Create the log's tables once, before workers start, so first starts never race."""
    prepare_database(Settings.from_env())


def prepare_database(settings: Settings) -> None:
    """Create every table the service needs, the Merkle tree of a log written before it, and the signing key.

    Then catch the projections up (reads never write).  Idempotent: a tree and
    projections that are up to date are left as they are.
    """
    log = open_log(settings.database_url, create_tables=True)
    built = log.store.build_tree()
    if built:
        logging.getLogger("conflict_status").info("built the Merkle tree's first %d leaves", built)
    projections = open_database(settings.database_url)
    try:
        projections.create_tables()
        Outbox(projections).create_tables()  # webhook subscriptions and deliveries live beside the projections
        # a writer brings the projections forward (rebuilt first if older folds made them): reads never write
        ProjectionStore(log, projections).catch_up()
    finally:
        projections.close()
        log.close()
    TokenStore(settings.database_url).create_table()
    load_or_create_key(settings.signing_key_path)  # once, before workers start: they all sign with it
    logging.getLogger("conflict_status").info("database ready")


def post_worker_init(worker: Any) -> None:
    """Tune the cyclic garbage collector for a worker, once its app is loaded.

    ``gc.freeze()`` moves what start-up made (modules, the app) out of the
    collector's sight, and a larger first generation lets a request that makes
    many objects (a batch of thousands) finish between collections instead of
    triggering dozens that walk every live container.  Requests make few
    reference cycles, so little garbage waits longer for it.
    """
    gc.freeze()
    gc.set_threshold(GC_FIRST_GENERATION, 20, 20)
    gunicorn_answers.install()  # gunicorn's own 400/414/431 answers as problem+json


def pre_request(worker: Any, req: Any) -> None:
    """Let the app ask for this request's connection to close (``gunicorn_answers.close_after_answer``)."""
    gunicorn_answers.serving(req)


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    gunicorn_answers.served()


#: allocations between collections of the youngest generation (CPython's default: 700)
GC_FIRST_GENERATION = 50_000
