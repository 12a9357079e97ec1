"""The durable outbox of webhooks: subscriptions, and every delivery due, in the projections' database.

Nothing is lost because deliveries are *derived from log positions*.  Each
subscription keeps a cursor, the log position up to which its deliveries are
enqueued (the head when it subscribed).  ``enqueue`` reads the developments past
the cursors, computes what each changed in each conflict or agenda
(``projections.changes``), and in one transaction inserts the deliveries for
the subscriptions they match and moves those cursors on (a compare-and-set: a
process that lost the race to another inserts nothing).  A crash before the commit
leaves the cursor where it was and the same deliveries are derived again; after
it, they are stored.  The log itself is durable, so a development appended while
no deliverer ran is enqueued when one starts.

A delivery's id (the ``webhook-id``) is a UUID5 of the subscription and of the
change (``position/kind/key``), so deriving it twice gives the same row
(``ON CONFLICT DO NOTHING``) and a receiver that saw it already can tell.
Claiming a delivery counts an attempt and leases it (``next_attempt`` moves past
the request's time-out) in a committed transaction before the request is sent: a
process killed mid-request leaves it due again once the lease ends, and the next
deliverer sends it again with the same id and body: at least once, and
exactly once to a receiver that ignores ids it has seen.  A failure sets the
next attempt with exponential back-off; after ``pause_after`` failures in a row
the subscription is paused with the reason, keeps its deliveries (still enqueued
while paused) and sends them again when resumed.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from events.vocabulary.errors import DomainError
from projections.changes import Changes, PositionChange
from projections.database import Database, Sql
from projections.items import Scope

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS {p}hook_subscriptions ("
    " id TEXT PRIMARY KEY, url TEXT NOT NULL, conflicts TEXT NOT NULL, agendas TEXT NOT NULL,"
    " secret TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,"
    " failures INTEGER NOT NULL, cursor BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {p}hook_deliveries ("
    " id TEXT PRIMARY KEY, subscription TEXT NOT NULL, position BIGINT NOT NULL, scope TEXT NOT NULL,"
    " key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " next_attempt DOUBLE PRECISION NOT NULL, last_error TEXT, created TEXT NOT NULL, delivered TEXT)",
    "CREATE INDEX IF NOT EXISTS hook_deliveries_due ON {p}hook_deliveries (status, next_attempt)",
    "CREATE INDEX IF NOT EXISTS hook_deliveries_of ON {p}hook_deliveries (subscription, position)",
]
ACTIVE, PAUSED, DELETED = "active", "paused", "deleted"
PENDING, DELIVERED, CANCELLED = "pending", "delivered", "cancelled"
#: developments read past the cursors at a time
PAGE = 100
#: the longest wait between two attempts, in seconds
MAX_BACKOFF = 3600.0
SUBSCRIPTION_COLUMNS = "id, url, conflicts, agendas, created, status, reason, failures, cursor"
DELIVERY_COLUMNS = "id, position, scope, key, status, attempts, next_attempt, last_error, created, delivered"


@dataclass
class SubscriptionNotFound(DomainError):
    """No subscription has this id (or it was deleted)."""

    ident: str

    def __str__(self) -> str:
        return f"no subscription '{self.ident}'"


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    conflicts: list[str]
    agendas: list[str]
    created: str
    status: str
    reason: str | None
    failures: int
    cursor: int

    def wants(self, scope: Scope) -> bool:
        """Whether a change to this conflict or agenda is for this subscriber (no filter: every change)."""
        if not self.conflicts and not self.agendas:
            return True
        return scope[1] in (self.conflicts if scope[0] == "conflict" else self.agendas)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Subscription:
        ident, url, conflicts, agendas, created, status, reason, failures, cursor = row
        return cls(
            ident, url, orjson.loads(conflicts), orjson.loads(agendas), created, status, reason, failures, cursor
        )


@dataclass(frozen=True)
class Delivery:
    """One change to deliver to one subscriber; ``id`` is its ``webhook-id``."""

    id: str
    position: int
    scope: str
    key: str
    status: str
    attempts: int
    next_attempt: float
    last_error: str | None
    created: str
    delivered: str | None


@dataclass(frozen=True)
class Claimed:
    """A delivery leased for one attempt: where to send what, signed with which secret."""

    id: str
    subscription: str
    url: str
    secret: str
    payload: bytes
    attempt: int


def now_text() -> str:
    return datetime.now(UTC).isoformat()


def delivery_id(subscription: str, change: PositionChange) -> str:
    """The ``webhook-id`` of a change for a subscriber: the same however often it is derived."""
    return f"msg_{uuid.uuid5(uuid.NAMESPACE_URL, f'{subscription}/{change.key}').hex}"


def payload(change: PositionChange) -> bytes:
    """The body a receiver gets (Standard Webhooks' ``type``, ``timestamp``, ``data``), fixed when enqueued."""
    development = change.development
    return orjson.dumps(
        {
            "type": f"{change.scope[0]}.changed",
            "timestamp": development.recorded_at.isoformat(),
            "data": {
                "position": change.position,
                "scope": {"kind": change.scope[0], "id": change.scope[1]},
                "development": {
                    "id": development.id,
                    "type": development.type,
                    "occurred": development.occurred,
                    "summary": development.summary,
                    "recorded": development.recorded_at.isoformat(),
                },
                "differences": change.differences,
            },
        }
    )


def backoff(attempts: int, base: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: base, 2 base, 4 base... at most an hour."""
    return float(min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1)))


class Outbox:
    """Subscriptions and deliveries (see the module's docstring)."""

    def __init__(self, db: Database, clock: Callable[[], float] | None = None) -> None:
        self.db = db
        self.clock = clock or (lambda: datetime.now(UTC).timestamp())

    def create_tables(self) -> None:
        with self.db.write(lock=False) as sql:
            for statement in SCHEMA:
                sql.execute(statement)

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(
        self, url: str, conflicts: Iterable[str], agendas: Iterable[str], head: int
    ) -> tuple[Subscription, str]:
        """A new subscription to the changes after ``head``, and its secret (``whsec_`` and base64 of 24 bytes)."""
        ident = str(uuid.uuid4())
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        filters = _json(sorted(set(conflicts))), _json(sorted(set(agendas)))
        row = (ident, url, *filters, now_text(), ACTIVE, None, 0, head)
        with self.db.write(lock=False) as sql:
            sql.execute(
                "INSERT INTO {p}hook_subscriptions (" + SUBSCRIPTION_COLUMNS + ", secret)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*row, secret],
            )
        return Subscription.from_row(row), secret

    def subscription(self, ident: str) -> Subscription:
        """A subscription that was not deleted, or ``SubscriptionNotFound``."""
        with self.db.read() as sql:
            row = sql.execute(
                "SELECT " + SUBSCRIPTION_COLUMNS + " FROM {p}hook_subscriptions WHERE id = ? AND status <> ?",
                [ident, DELETED],
            ).fetchone()
        if row is None:
            raise SubscriptionNotFound(ident)
        return Subscription.from_row(row)

    def delete(self, ident: str) -> None:
        """Stop delivering to a subscription; its deliveries not yet made are cancelled."""
        with self.db.write(lock=False) as sql:
            self._require(sql, ident)
            sql.execute("UPDATE {p}hook_subscriptions SET status = ? WHERE id = ?", [DELETED, ident])
            sql.execute(
                "UPDATE {p}hook_deliveries SET status = ? WHERE subscription = ? AND status = ?",
                [CANCELLED, ident, PENDING],
            )

    def resume(self, ident: str) -> Subscription:
        """Deliver again to a paused subscription: its waiting deliveries are due now."""
        with self.db.write(lock=False) as sql:
            self._require(sql, ident)
            sql.execute(
                "UPDATE {p}hook_subscriptions SET status = ?, reason = NULL, failures = 0 WHERE id = ?",
                [ACTIVE, ident],
            )
            sql.execute(
                "UPDATE {p}hook_deliveries SET next_attempt = ? WHERE subscription = ? AND status = ?",
                [self.clock(), ident, PENDING],
            )
        return self.subscription(ident)

    def _require(self, sql: Sql, ident: str) -> None:
        found = sql.execute(
            "SELECT 1 FROM {p}hook_subscriptions WHERE id = ? AND status <> ?", [ident, DELETED]
        ).fetchone()
        if found is None:
            raise SubscriptionNotFound(ident)

    def deliveries(self, ident: str, *, after: int = 0, limit: int = 100) -> list[Delivery]:
        """A subscription's deliveries in log order, after a position."""
        self.subscription(ident)
        with self.db.read() as sql:
            rows = sql.execute(
                "SELECT " + DELIVERY_COLUMNS + " FROM {p}hook_deliveries WHERE subscription = ? AND position > ?"
                " ORDER BY position, scope, key LIMIT ?",
                [ident, after, limit],
            ).fetchall()
        return [Delivery(*row) for row in rows]

    # -- enqueueing: derived from the log -------------------------------------------

    def enqueue(self, changes: Changes) -> int:
        """Derive the deliveries of the developments past every live cursor, up to the head; how many were new."""
        with self.db.read() as sql:
            rows = sql.execute(
                "SELECT " + SUBSCRIPTION_COLUMNS + " FROM {p}hook_subscriptions WHERE status <> ?", [DELETED]
            ).fetchall()
        if not rows:  # the usual case, and a cheap one: no head is read
            return 0
        head = changes.store.head()
        behind = [s for s in (Subscription.from_row(r) for r in rows) if s.cursor < head]
        if not behind:
            return 0
        start = min(s.cursor for s in behind)
        developments = changes.store.log.read(after=start, limit=min(PAGE, head - start))
        developments = [d for d in developments if d.position <= head]
        if not developments:
            return 0
        reached = developments[-1].position
        wanted = _wanted(behind)
        found = [c for d in developments for c in changes.at(d, among=wanted)]
        added = 0
        with self.db.write(lock=False) as sql:
            for sub in behind:
                moved = sql.execute(
                    "UPDATE {p}hook_subscriptions SET cursor = ? WHERE id = ? AND cursor = ?",
                    [max(reached, sub.cursor), sub.id, sub.cursor],
                )
                if moved.cursor.rowcount != 1:  # another process enqueued these meanwhile
                    continue
                mine = [c for c in found if c.position > sub.cursor and sub.wants(c.scope)]
                for change in mine:
                    added += self._insert(sql, sub.id, change)
        return added

    def _insert(self, sql: Sql, subscription: str, change: PositionChange) -> int:
        inserted = sql.execute(
            "INSERT INTO {p}hook_deliveries (id, subscription, position, scope, key, payload, status, attempts,"
            " next_attempt, last_error, created, delivered) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, NULL)"
            " ON CONFLICT (id) DO NOTHING",
            [
                delivery_id(subscription, change),
                subscription,
                change.position,
                change.scope[0],
                change.scope[1],
                payload(change).decode(),
                PENDING,
                self.clock(),
                now_text(),
            ],
        )
        return int(inserted.cursor.rowcount or 0)

    # -- delivering -------------------------------------------------------------------

    def due(self) -> bool:
        """Whether any delivery of an active subscription is due now (a read: no lock taken)."""
        with self.db.read() as sql:
            row = sql.execute(
                "SELECT 1 FROM {p}hook_deliveries WHERE status = ? AND next_attempt <= ?"
                " AND subscription IN (SELECT id FROM {p}hook_subscriptions WHERE status = ?) LIMIT 1",
                [PENDING, self.clock(), ACTIVE],
            ).fetchone()
        return row is not None

    def claim(self, lease: float, limit: int = 10) -> list[Claimed]:
        """Lease deliveries due now for one attempt each (committed before any request is sent)."""
        now = self.clock()
        skip = " FOR UPDATE SKIP LOCKED" if self.db.numbered else ""
        with self.db.write(lock=False) as sql:
            rows = sql.execute(
                "SELECT id, subscription, payload, attempts FROM {p}hook_deliveries"
                " WHERE status = ? AND next_attempt <= ?"
                " AND subscription IN (SELECT id FROM {p}hook_subscriptions WHERE status = ?)"
                " ORDER BY position, next_attempt LIMIT ?" + skip,
                [PENDING, now, ACTIVE, limit],
            ).fetchall()
            claimed = []
            for ident, subscription, body, attempts in rows:
                sql.execute(
                    "UPDATE {p}hook_deliveries SET attempts = ?, next_attempt = ? WHERE id = ?",
                    [attempts + 1, now + lease, ident],
                )
                url, secret = sql.execute(
                    "SELECT url, secret FROM {p}hook_subscriptions WHERE id = ?", [subscription]
                ).fetchone()
                claimed.append(Claimed(ident, subscription, url, secret, body.encode(), attempts + 1))
        return claimed

    def succeeded(self, claimed: Claimed) -> None:
        """The receiver took it (2xx): delivered; the subscriber's failures start again from nought."""
        with self.db.write(lock=False) as sql:
            sql.execute(
                "UPDATE {p}hook_deliveries SET status = ?, delivered = ?, last_error = NULL WHERE id = ?",
                [DELIVERED, now_text(), claimed.id],
            )
            sql.execute("UPDATE {p}hook_subscriptions SET failures = 0 WHERE id = ?", [claimed.subscription])

    def failed(self, claimed: Claimed, error: str, *, base: float, pause_after: int) -> None:
        """The attempt failed: try again after the back-off; pause the subscriber after ``pause_after`` in a row."""
        with self.db.write(lock=False) as sql:
            sql.execute(
                "UPDATE {p}hook_deliveries SET next_attempt = ?, last_error = ? WHERE id = ? AND status = ?",
                [self.clock() + backoff(claimed.attempt, base), error[:500], claimed.id, PENDING],
            )
            sql.execute("UPDATE {p}hook_subscriptions SET failures = failures + 1 WHERE id = ?", [claimed.subscription])
            sql.execute(
                "UPDATE {p}hook_subscriptions SET status = ?, reason = ? WHERE id = ? AND status = ? AND failures >= ?",
                [
                    PAUSED,
                    f"paused after {pause_after} failed deliveries in a row; the last: {error[:300]}",
                    claimed.subscription,
                    ACTIVE,
                    pause_after,
                ],
            )


def _wanted(subscriptions: Iterable[Subscription]) -> set[Scope] | None:
    """The scopes any of them follows (None: every scope, as one of them has no filter)."""
    wanted: set[Scope] = set()
    for sub in subscriptions:
        if not sub.conflicts and not sub.agendas:
            return None
        wanted |= {("conflict", c) for c in sub.conflicts} | {("agenda", a) for a in sub.agendas}
    return wanted


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
