"""Before a database is opened: its PostgreSQL schema made when missing, and why it cannot be read.

``DATABASE_URL=postgresql://...?schema=NAME`` names a schema that may not exist
yet: whoever creates tables creates it first (``create_schema``), so a fresh
name works as a fresh SQLite file does.  Commands that only read (``verify``)
ask ``why_unreadable`` first and get one sentence, within seconds, instead of
waiting for a connection pool's timeout and a traceback.
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from urllib.parse import urlsplit

import psycopg
from psycopg import errors, sql

from events.log.database_url import is_sqlite, libpq_url, postgres_schema, sqlite_path

#: seconds to wait for PostgreSQL to answer before saying it does not
CONNECT_TIMEOUT = 5
#: what libpq puts before the reason: ``connection failed: connection to server at "HOST", port N failed:``
LIBPQ_PREAMBLE = re.compile(r'^(connection failed: )?connection to server at "[^"]*"( \([^)]*\))?, port \d+ failed: ')


def create_schema(database_url: str) -> None:
    """Create the PostgreSQL schema named by ``?schema=`` if it does not exist (nothing for SQLite or ``public``)."""
    if is_sqlite(database_url):
        return
    schema = postgres_schema(database_url)
    if schema == "public":
        return
    url = libpq_url(database_url)
    # UniqueViolation: another process created it at the same moment
    with (
        psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn,
        suppress(errors.UniqueViolation),
    ):
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def why_unreadable(database_url: str) -> str | None:
    """Why the log at ``database_url`` cannot be read, in one sentence; None when it can be opened."""
    if is_sqlite(database_url):
        path = sqlite_path(database_url)
        return None if os.path.exists(path) else f"no database at {path} (set DATABASE_URL)"
    parts = urlsplit(database_url)
    where = f"PostgreSQL at {parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    schema = postgres_schema(database_url)
    try:
        with psycopg.connect(libpq_url(database_url), connect_timeout=CONNECT_TIMEOUT) as conn:
            row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    except psycopg.Error as e:
        return f"{where} cannot be reached: {_first_line(e)}"
    if row is None:
        return f"{where} has no schema '{schema}' in database '{parts.path.lstrip('/') or 'postgres'}'"
    return None


def _first_line(error: Exception) -> str:
    """The reason in a libpq message (``Connection refused``), without the preamble that repeats the address."""
    lines = str(error).strip().splitlines()
    return LIBPQ_PREAMBLE.sub("", lines[0]) if lines else type(error).__name__
