"""Gunicorn configuration used by ``conflict-status serve`` (and usable with ``gunicorn -c``).

Schemas are created once, in the master, before any worker starts; workers build
their own log application lazily after the fork (never ``--preload`` one).
Threaded workers keep a slow client or a long-lived stream from holding a whole
worker.
"""

from __future__ import annotations

import logging
from typing import Any

from events.checkpoints import load_or_create_key
from events.log import open_log
from projections.database import open_database
from service.settings import Settings
from service.tokens import TokenStore

bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 4
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
    """Create every table the service needs, and the signing key (idempotent)."""
    log = open_log(settings.database_url, create_tables=True)
    log.close()
    projections = open_database(settings.database_url)
    projections.create_tables()
    projections.close()
    TokenStore(settings.database_url).create_table()
    load_or_create_key(settings.signing_key_path)  # once, before workers start: they all sign with it
    logging.getLogger("conflict_status").info("database ready")
