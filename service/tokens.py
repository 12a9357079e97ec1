"""Bearer tokens with roles, stored hashed beside the log.

A token is shown once, when created; the database keeps its SHA-256 only.  A token
is looked up by its hash (so a timing difference reveals nothing of a stored
token) and the hash is compared again in constant time.  Verified tokens are
cached in the process for ``CACHE_SECONDS``, so a revocation takes effect within
that time on every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from events.log.database_access import create_schema
from events.log.database_url import is_sqlite, libpq_url, postgres_schema, sqlite_path

ROLES = ("reader", "submitter", "auditor", "admin")
#: what each role may do; admin may do everything
GRANTS = {
    "reader": {"reader"},
    "submitter": {"reader", "submitter"},
    "auditor": {"reader", "auditor"},
    "admin": set(ROLES),
}
CACHE_SECONDS = 30.0
PREFIX = "cs_"


@dataclass(frozen=True)
class TokenInfo:
    id: str
    role: str
    label: str
    created_at: str
    revoked: bool = False

    def grants(self, role: str) -> bool:
        return not self.revoked and role in GRANTS[self.role]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """Tokens in the ``api_tokens`` table of the log's database (SQLite or PostgreSQL)."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self._cache: dict[str, tuple[float, TokenInfo | None]] = {}
        self._lock = threading.Lock()
        self.is_sqlite = is_sqlite(database_url)
        self.table = "api_tokens" if self.is_sqlite else f'"{postgres_schema(database_url)}".api_tokens'

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        if self.is_sqlite:
            conn = sqlite3.connect(sqlite_path(self.url), timeout=30)
            try:
                with conn:
                    yield conn
            finally:
                conn.close()
        else:
            import psycopg

            with psycopg.connect(libpq_url(self.url), autocommit=False) as conn:
                yield conn

    def _sql(self, sql: str) -> str:
        return sql.replace("{t}", self.table) if self.is_sqlite else sql.replace("{t}", self.table).replace("?", "%s")

    def create_table(self) -> None:
        create_schema(self.url)  # the schema named by ?schema= may not exist yet
        with self._connect() as conn:
            conn.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
                    " role TEXT NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
                )
            )

    def create(self, role: str, label: str = "") -> tuple[str, TokenInfo]:
        """Make a token for ``role``; returns the secret (shown once) and its record."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        secret = PREFIX + secrets.token_urlsafe(32)
        info = TokenInfo(str(uuid.uuid4()), role, label, datetime.now(UTC).isoformat(timespec="seconds"))
        self.create_table()
        with self._connect() as conn:
            conn.execute(
                self._sql("INSERT INTO {t} (id, hash, role, label, created_at) VALUES (?,?,?,?,?)"),
                (info.id, _hash(secret), role, label, info.created_at),
            )
        return secret, info

    def revoke(self, token_id: str) -> bool:
        with self._connect() as conn:
            cur = conn.execute(
                self._sql("UPDATE {t} SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
                (datetime.now(UTC).isoformat(timespec="seconds"), token_id),
            )
            changed = cur.rowcount > 0
        self._cache.clear()
        return changed

    def list(self) -> list[TokenInfo]:
        with self._connect() as conn:
            rows = conn.execute(
                self._sql("SELECT id, role, label, created_at, revoked_at FROM {t} ORDER BY created_at")
            ).fetchall()
        return [TokenInfo(r[0], r[1], r[2], r[3], r[4] is not None) for r in rows]

    def verify(self, secret: str) -> TokenInfo | None:
        """The token's record when ``secret`` is a live token, else None."""
        digest = _hash(secret)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(digest)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self._connect() as conn:
            row = conn.execute(
                self._sql("SELECT id, hash, role, label, created_at, revoked_at FROM {t} WHERE hash = ?"), (digest,)
            ).fetchone()
        info = None
        if row is not None and hmac.compare_digest(row[1], digest) and row[5] is None:
            info = TokenInfo(row[0], row[2], row[3], row[4])
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, info)
        return info
