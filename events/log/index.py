"""The log's own index, written in the same transaction as the events it indexes.

For every stored development: its position, id, type, world-time bounds and
digest; the conflicts and actors it names (with those of a correction's
replacement, and the development a correction or retraction targets); and for
registrations, the registry row whose uniqueness makes a second registration of
the same id fail atomically; for a development submitted under an idempotency
key, the key's row, whose uniqueness binds the key to one development.  Because
the rows are derived from the stored bytes alone, the index can always be
rebuilt from the events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Notification, StoredEvent

from events.log.development import KEY_FIELD, RECORDED_TOPIC, REGISTERED_TOPIC
from events.vocabulary.actors import actors_of

INDEXED_TOPICS = (RECORDED_TOPIC, REGISTERED_TOPIC)


@dataclass(frozen=True, slots=True)
class IndexRows:
    """What one stored development adds to the index tables."""

    development: tuple[int, str, str, str, str, str, str]  # position, id, type, earliest, latest, digest, recorded_at
    refs: list[tuple[int, str, str]]  # position, kind (conflict|actor|target), ref
    registry: tuple[str, str, int] | None  # kind (conflict|actor), key, position
    key: tuple[str, str, int] | None = None  # idempotency key digest, development id, position


def rows_for(position: int, originator_id: UUID | str, topic: str, state: bytes) -> IndexRows | None:
    """The index rows of one stored event, or None when it is not a development."""
    if topic not in INDEXED_TOPICS:
        return None
    body: dict[str, Any] = _loads(state)
    ident = str(originator_id)
    timestamp = body["timestamp"]
    recorded_at = timestamp["_data_"] if isinstance(timestamp, dict) else str(timestamp)
    refs = set(_refs(body))
    data = body.get("data") or {}
    if body["type"] in ("DevelopmentCorrected", "DevelopmentRetracted"):
        refs.add(("target", data["target"]))
        if isinstance(data.get("replacement"), dict):
            refs.update(_refs(data["replacement"]))
    registry = None
    if body["type"] == "ConflictRegistered":
        registry = ("conflict", data["conflict"], position)
    elif body["type"] == "ActorRegistered":
        registry = ("actor", data["actor"], position)
    key = body.get(KEY_FIELD)
    return IndexRows(
        development=(position, ident, body["type"], body["earliest"], body["latest"], body["digest"], recorded_at),
        refs=[(position, kind, ref) for kind, ref in sorted(refs)],
        registry=registry,
        key=(key, ident, position) if key else None,
    )


def _loads(state: bytes) -> Any:
    try:
        return orjson.loads(state)
    except orjson.JSONDecodeError:  # what orjson refuses (a lone surrogate) the standard parser reads
        return json.loads(state)


def _refs(body: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for conflict in body.get("conflicts") or ():
        yield ("conflict", conflict)
    for actor in actors_of(body):  # those its data and persons name count too
        yield ("actor", actor)


def table_statements(prefix: str, serial_key: str) -> list[str]:
    """CREATE statements of the index tables; ``prefix`` qualifies names (a schema)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {prefix}development_index ("
        f"position {serial_key} PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, "
        "earliest TEXT NOT NULL, latest TEXT NOT NULL, digest TEXT NOT NULL, recorded_at TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS development_index_type ON {prefix}development_index (type, position)",
        f"CREATE INDEX IF NOT EXISTS development_index_recorded ON {prefix}development_index (recorded_at)",
        f"CREATE TABLE IF NOT EXISTS {prefix}development_refs ("
        f"kind TEXT NOT NULL, ref TEXT NOT NULL, position {serial_key} NOT NULL, PRIMARY KEY (kind, ref, position))",
        f"CREATE INDEX IF NOT EXISTS development_refs_position ON {prefix}development_refs (position)",
        f"CREATE TABLE IF NOT EXISTS {prefix}registry ("
        f"kind TEXT NOT NULL, key TEXT NOT NULL, position {serial_key} NOT NULL, PRIMARY KEY (kind, key))",
        f"CREATE TABLE IF NOT EXISTS {prefix}development_keys ("
        f"key TEXT PRIMARY KEY, id TEXT NOT NULL, position {serial_key} NOT NULL)",
    ]


INSERT_DEVELOPMENT = "INSERT INTO {p}development_index VALUES (?,?,?,?,?,?,?)"
INSERT_REF = "INSERT INTO {p}development_refs (position, kind, ref) VALUES (?,?,?)"
INSERT_REGISTRY = "INSERT INTO {p}registry (kind, key, position) VALUES (?,?,?)"
INSERT_KEY = "INSERT INTO {p}development_keys (key, id, position) VALUES (?,?,?)"


def index_rows(stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> list[IndexRows]:
    """The index rows of newly stored events (those that are developments)."""
    rows = []
    for stored, position in zip(stored_events, positions, strict=True):
        row = rows_for(position, stored.originator_id, stored.topic, stored.state)
        if row is not None:
            rows.append(row)
    return rows


class IndexQueries:
    """Reads of the index, shared by both backends; ``_rows`` runs one query."""

    prefix = ""
    events_table = "stored_events"
    position_column = "rowid"

    def _rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _originator(self, value: Any) -> Any:
        return value

    def _table(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def index_by_ids(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Index rows (position, id, type, digest, ...) of the given development ids."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"SELECT * FROM {self._table('development_index')} WHERE id IN ({marks})", chunk):
                found[row["id"]] = row
        return found

    def key_owners(self, digests: Sequence[str]) -> dict[str, str]:
        """The development each idempotency key digest is bound to (digests bound to none are left out)."""
        found: dict[str, str] = {}
        for start in range(0, len(digests), 500):
            chunk = list(digests[start : start + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT key, id FROM {self._table('development_keys')} WHERE key IN ({marks})"
            for row in self._rows(sql, chunk):
                found[row["key"]] = row["id"]
        return found

    def registry_since(self, position: int) -> list[dict[str, Any]]:
        """Registry rows (kind, key, position) recorded after ``position``."""
        return self._rows(
            f"SELECT kind, key, position FROM {self._table('registry')} WHERE position > ? ORDER BY position",
            [position],
        )

    def registry_rows(self, kind: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(keys))
        return self._rows(
            f"SELECT kind, key, position FROM {self._table('registry')} WHERE kind = ? AND key IN ({marks})",
            [kind, *keys],
        )

    def select_positions(
        self,
        *,
        after: int,
        limit: int,
        types: Sequence[str] = (),
        conflict: str | None = None,
        actor: str | None = None,
        occurred_from: str | None = None,
        occurred_to: str | None = None,
    ) -> list[int]:
        """Positions of developments matching the filters, in log order.

        ``occurred_from``/``occurred_to`` keep developments whose allowed days
        overlap the range.
        """
        sql = f"SELECT d.position FROM {self._table('development_index')} d"
        where = ["d.position > ?"]
        params: list[Any] = [after]
        for kind, value in (("conflict", conflict), ("actor", actor)):
            if value is not None:
                alias = f"r_{kind}"
                sql += f" JOIN {self._table('development_refs')} {alias} ON {alias}.position = d.position"
                where.append(f"{alias}.kind = ? AND {alias}.ref = ?")
                params += [kind, value]
        if types:
            where.append(f"d.type IN ({','.join('?' * len(types))})")
            params += list(types)
        if occurred_from is not None:
            where.append("d.latest >= ?")
            params.append(occurred_from)
        if occurred_to is not None:
            where.append("d.earliest <= ?")
            params.append(occurred_to)
        sql += " WHERE " + " AND ".join(where) + " ORDER BY d.position LIMIT ?"
        params.append(limit)
        return [row["position"] for row in self._rows(sql, params)]

    def select_stored(self, positions: Sequence[int]) -> list[Notification]:
        """The stored events at the given positions, in position order."""
        out: list[Notification] = []
        for start in range(0, len(positions), 500):
            chunk = list(positions[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._rows(
                f"SELECT {self.position_column} AS position, originator_id, originator_version, topic, state "
                f"FROM {self._table(self.events_table)} WHERE {self.position_column} IN ({marks}) "
                f"ORDER BY {self.position_column}",
                chunk,
            )
            out += [
                Notification(
                    id=row["position"],
                    originator_id=self._originator(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in rows
            ]
        return out

    def position_at(self, recorded_at: str) -> int:
        """The newest position recorded at or before an ISO timestamp (UTC, as stored); 0 if none."""
        rows = self._rows(
            f"SELECT MAX(position) AS p FROM {self._table('development_index')} WHERE recorded_at <= ?", [recorded_at]
        )
        return int(rows[0]["p"] or 0)

    def count_developments(self) -> int:
        rows = self._rows(f"SELECT COUNT(*) AS n FROM {self._table('development_index')}", [])
        return int(rows[0]["n"])
