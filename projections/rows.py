"""How the projections' rows are written and read: items, states, snapshots, as compact JSON.

Every module of the store (``catch_up``, ``rebuild``, ``answers``) reads and
writes the tables of ``projections.database`` through these functions, so that
a row has one form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson

from events.log.application import ConflictLog
from events.vocabulary.errors import DevelopmentNotFound
from projections.database import FOLDS_NAME, TRACKING_NAME, Sql
from projections.items import RECORD_KEEPING, Item, Scope, original_item

WorldKey = tuple[str, int]  # (latest day as ISO text, position)


def compact(value: Any) -> str:
    """The compact JSON that items, states and snapshots are stored as (orjson: several times faster)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


loads = orjson.loads


def item_row(scope: Scope, item: Item, content: str | None = None) -> tuple[Any, ...]:
    """A ``proj_items`` row; ``content`` is the item's content as JSON, when already made."""
    return (
        scope[0],
        scope[1],
        item.latest.isoformat(),
        item.position,
        item.recorded,
        item.superseded,
        item.earliest.isoformat(),
        item.id,
        item.corrected_by,
        content if content is not None else compact(item.content),
    )


ITEM_COLUMNS = "latest, position, recorded, superseded, earliest, id, corrected_by, content"


def item_from_row(row: Sequence[Any]) -> Item:
    latest, position, recorded, superseded, earliest, ident, corrected_by, content = row
    return Item(
        id=ident,
        position=position,
        recorded=recorded,
        superseded=superseded,
        earliest=date.fromisoformat(earliest),
        latest=date.fromisoformat(latest),
        content=loads(content),
        corrected_by=corrected_by,
    )


def item_json(item: Item) -> str:
    return compact(
        {
            "id": item.id,
            "position": item.position,
            "recorded": item.recorded,
            "earliest": item.earliest.isoformat(),
            "latest": item.latest.isoformat(),
            "content": item.content,
            "corrected_by": item.corrected_by,
        }
    )


def item_from_json(text: str) -> Item:
    raw = loads(text)
    return Item(
        id=raw["id"],
        position=raw["position"],
        recorded=raw["recorded"],
        superseded=None,
        earliest=date.fromisoformat(raw["earliest"]),
        latest=date.fromisoformat(raw["latest"]),
        content=raw["content"],
        corrected_by=raw["corrected_by"],
    )


def world_key(item: Item) -> WorldKey:
    """Where an item stands in world order: (latest day, position)."""
    return (item.latest.isoformat(), item.position)


def state_row(sql: Sql, scope: Scope) -> tuple[dict[str, Any], str] | None:
    row = sql.execute(
        "SELECT state, max_latest FROM {p}proj_state WHERE scope = ? AND key = ?", [scope[0], scope[1]]
    ).fetchone()
    return (loads(row[0]), row[1]) if row else None


def save_state(sql: Sql, scope: Scope, state: dict[str, Any], max_latest: str) -> None:
    text = compact(state)
    sql.execute("DELETE FROM {p}proj_state WHERE scope = ? AND key = ?", [scope[0], scope[1]])
    sql.execute(
        "INSERT INTO {p}proj_state (scope, key, state, max_latest) VALUES (?,?,?,?)",
        [scope[0], scope[1], text, max_latest],
    )


def write_snapshot(sql: Sql, scope: Scope, state: dict[str, Any], key: WorldKey, valid_from: int) -> None:
    sql.execute(
        "DELETE FROM {p}proj_snapshots WHERE scope = ? AND key = ? AND latest = ? AND position = ? AND valid_from = ?",
        [scope[0], scope[1], key[0], key[1], valid_from],
    )
    sql.execute(
        "INSERT INTO {p}proj_snapshots (scope, key, latest, position, valid_from, valid_to, state)"
        " VALUES (?,?,?,?,?,NULL,?)",
        [scope[0], scope[1], key[0], key[1], valid_from, compact(state)],
    )


def insert_items(sql: Sql, rows: list[tuple[Any, ...]]) -> None:
    sql.executemany("INSERT INTO {p}proj_items (scope, key, " + ITEM_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def tracked_position(sql: Sql) -> int:
    """The log position the projections reflect."""
    row = sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ?", [TRACKING_NAME]).fetchone()
    return int(row[0]) if row else 0


def set_tracked(sql: Sql, position: int) -> None:
    sql.execute("UPDATE {p}proj_tracking SET position = ? WHERE name = ?", [position, TRACKING_NAME])


def fold_version(sql: Sql) -> int:
    """The version of the folds the stored states were made by (0 when older than the marker)."""
    row = sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ?", [FOLDS_NAME]).fetchone()
    return int(row[0]) if row else 0


def set_fold_version(sql: Sql, version: int) -> None:
    sql.execute("UPDATE {p}proj_tracking SET position = ? WHERE name = ?", [version, FOLDS_NAME])


def live_version(sql: Sql, log: ConflictLog, target: str) -> Item | None:
    """The version of ``target`` that counts at the tracked position (None when retracted or not an original).

    ``proj_versions`` holds the live version of every corrected or retracted
    development; any other development counts as it was recorded.
    """
    row = sql.execute("SELECT item FROM {p}proj_versions WHERE id = ?", [target]).fetchone()
    if row is not None:
        return item_from_json(row[0]) if row[0] is not None else None
    try:
        original = log.get(target)
    except DevelopmentNotFound:
        return None
    return None if original.type in RECORD_KEEPING else original_item(original)


def unfolded_rows(scope: Scope, entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """``proj_unfolded`` rows of a state's versions whose fold failed."""
    return [(scope[0], scope[1], e["id"], e["recorded"], e["type"], e["error"]) for e in entries]


UNFOLDED_COLUMNS = "scope, key, id, recorded, type, error"


def replace_unfolded(sql: Sql, settled: dict[Scope, list[dict[str, Any]]]) -> None:
    """Make ``proj_unfolded`` list, for each settled scope, the versions its new state left out."""
    sql.executemany("DELETE FROM {p}proj_unfolded WHERE scope = ? AND key = ?", [list(scope) for scope in settled])
    rows = [row for scope, entries in settled.items() for row in unfolded_rows(scope, entries)]
    sql.executemany("INSERT INTO {p}proj_unfolded (" + UNFOLDED_COLUMNS + ") VALUES (?,?,?,?,?,?)", rows)
