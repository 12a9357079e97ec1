"""The log's own index, written in the same transaction as the events it indexes.

For every stored development: its position, id, type, world-time bounds and
digest; the conflicts and actors it names (with those of a correction's
replacement, and the development a correction or retraction targets); and for
registrations, the registry row whose uniqueness makes a second registration of
the same id fail atomically.  Because the rows are derived from the stored bytes
alone, the index can always be rebuilt from the events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from events.development import RECORDED_TOPIC, REGISTERED_TOPIC

INDEXED_TOPICS = (RECORDED_TOPIC, REGISTERED_TOPIC)


@dataclass(frozen=True, slots=True)
class IndexRows:
    """What one stored development adds to the index tables."""

    development: tuple[int, str, str, str, str, str, str]  # position, id, type, earliest, latest, digest, recorded_at
    refs: list[tuple[int, str, str]]  # position, kind (conflict|actor|target), ref
    registry: tuple[str, str, int] | None  # kind (conflict|actor), key, position


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
    return IndexRows(
        development=(position, ident, body["type"], body["earliest"], body["latest"], body["digest"], recorded_at),
        refs=[(position, kind, ref) for kind, ref in sorted(refs)],
        registry=registry,
    )


def _loads(state: bytes) -> Any:
    try:
        return orjson.loads(state)
    except orjson.JSONDecodeError:  # what orjson refuses (a lone surrogate) the standard parser reads
        return json.loads(state)


def _refs(body: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for conflict in body.get("conflicts") or ():
        yield ("conflict", conflict)
    for actor in body.get("actors") or ():
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
    ]
