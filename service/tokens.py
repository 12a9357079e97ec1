"""Bearer tokens with roles, stored hashed beside the log.

A token is shown once, when created; the database keeps its SHA-256 only.  A token
is looked up by its hash (so a timing difference reveals nothing of a stored
token) and the hash is compared again in constant time.  Looked-up records are
cached in the process for ``CACHE_SECONDS``, so a revocation takes effect within
that time on every worker.  A token may expire (``expires_at``): the expiry is
checked against the clock on every request, cached or not, so an expired token
is refused from that second on, on every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
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
    #: when it stops working (UTC, ISO 8601); None: never
    expires_at: str | None = None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and datetime.fromisoformat(self.expires_at) <= (now or _now())

    def live(self, now: datetime | None = None) -> bool:
        return not self.revoked and not self.expired(now)

    def state(self, now: datetime | None = None) -> str:
        return "revoked" if self.revoked else "expired" if self.expired(now) else "live"

    def grants(self, role: str) -> bool:
        return self.live() and role in GRANTS[self.role]


def _now() -> datetime:
    return datetime.now(UTC)


_DURATION = re.compile(r"^(?:\d+[smhdw])+$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """When a token given ``--expires TEXT`` stops working: after a duration, or at a date or moment (UTC).

    ``90d``, ``12h``, ``1w2d``, ``30m`` (s, m, h, d, w) count from ``now``; a date
    (``2026-12-31``) means through the end of that day; a timestamp
    (``2026-12-31T18:00:00Z``, UTC unless it says otherwise) is the moment
    itself.  ``ValueError`` says what was expected, and refuses the past.
    """
    now = now or _now()
    given = text.strip()
    try:
        if _DURATION.match(given):
            parts = re.findall(r"(\d+)([smhdw])", given)
            expires = now + sum((timedelta(**{_UNITS[unit]: int(count)}) for count, unit in parts), timedelta())
        elif "T" not in given.upper() and len(given) == 10:
            expires = datetime.combine(date.fromisoformat(given) + timedelta(days=1), time(), UTC)
        else:
            expires = datetime.fromisoformat(given.replace("Z", "+00:00").replace("z", "+00:00"))
            expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"'{text}' is further away than the calendar goes") from None
    except ValueError:
        raise ValueError(
            f"'{text}' is neither a duration (90d, 12h, 1w2d: s, m, h, d, w) nor a date (2026-12-31) "
            "or a timestamp (2026-12-31T18:00:00Z)"
        ) from None
    if expires <= now:
        raise ValueError(f"'{text}' is not in the future (it would expire at {expires.isoformat(timespec='seconds')})")
    return expires


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
        """Create the table, or give one made before tokens could expire its ``expires_at`` column."""
        create_schema(self.url)  # the schema named by ?schema= may not exist yet
        with self._connect() as conn:
            conn.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
                    " role TEXT NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT,"
                    " expires_at TEXT)"
                )
            )
            if not self.is_sqlite:
                conn.execute(self._sql("ALTER TABLE {t} ADD COLUMN IF NOT EXISTS expires_at TEXT"))
            elif "expires_at" not in {row[1] for row in conn.execute("PRAGMA table_info(api_tokens)")}:
                conn.execute("ALTER TABLE api_tokens ADD COLUMN expires_at TEXT")

    def create(self, role: str, label: str = "", expires_at: datetime | None = None) -> tuple[str, TokenInfo]:
        """A new token for ``role``, working until ``expires_at`` if given: its secret (shown once) and record."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        secret = PREFIX + secrets.token_urlsafe(32)
        expires = expires_at.astimezone(UTC).isoformat(timespec="seconds") if expires_at else None
        info = TokenInfo(str(uuid.uuid4()), role, label, _now().isoformat(timespec="seconds"), expires_at=expires)
        self.create_table()
        with self._connect() as conn:
            conn.execute(
                self._sql("INSERT INTO {t} (id, hash, role, label, created_at, expires_at) VALUES (?,?,?,?,?,?)"),
                (info.id, _hash(secret), role, label, info.created_at, expires),
            )
        return secret, info

    def revoke(self, token_id: str) -> bool:
        with self._connect() as conn:
            cur = conn.execute(
                self._sql("UPDATE {t} SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
                (_now().isoformat(timespec="seconds"), token_id),
            )
            changed = cur.rowcount > 0
        self._cache.clear()
        return changed

    def list(self) -> list[TokenInfo]:
        with self._connect() as conn:
            rows = conn.execute(
                self._sql("SELECT id, role, label, created_at, revoked_at, expires_at FROM {t} ORDER BY created_at")
            ).fetchall()
        return [TokenInfo(r[0], r[1], r[2], r[3], r[4] is not None, r[5]) for r in rows]

    def verify(self, secret: str) -> TokenInfo | None:
        """The token's record when ``secret`` is a live token (neither revoked nor expired), else None."""
        info = self.lookup(secret)
        return info if info is not None and info.live() else None

    def lookup(self, secret: str) -> TokenInfo | None:
        """The record of the token ``secret`` (live, revoked or expired), or None for no token.

        Records are cached for ``CACHE_SECONDS``: a revocation reaches every
        process within that time.  Whether a record has expired is for the caller
        to ask at the moment of use (``TokenInfo.live``), so caching delays no expiry.
        """
        digest = _hash(secret)
        now = monotonic()
        with self._lock:
            cached = self._cache.get(digest)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self._connect() as conn:
            row = conn.execute(
                self._sql("SELECT id, hash, role, label, created_at, revoked_at, expires_at FROM {t} WHERE hash = ?"),
                (digest,),
            ).fetchone()
        info = None
        if row is not None and hmac.compare_digest(row[1], digest):
            info = TokenInfo(row[0], row[2], row[3], row[4], row[5] is not None, row[6])
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, info)
        return info
