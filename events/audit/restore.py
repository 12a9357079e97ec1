"""Backups that keep the hash chain: every stored event exported as it is, and restored verbatim.

Exporting developments and importing them again (``export`` then ``import``
NDJSON) records new events: each gets a new record time (the event's
``timestamp``, part of the stored bytes the chain hashes) and the next free
position (PostgreSQL leaves gaps where an insert failed; an import does not), so
the restored log's chain head differs and old signed checkpoints no longer meet
it.  A backup therefore carries each stored event as the log holds it:

    {"backup": "conflict-status", "version": 1}                       first line
    {"record": {"position", "id", "version", "topic", "state", "hash", "prev_hash"}}
    {"checkpoint": {"position", "hash", "signed_at", "key_id", "public_key", "signature"}}
    {"tree_head": {"tree_size", "position", "root", "signed_at", "key_id", "vkey", "note"}}
    {"end": {"records": N, "head": POSITION, "head_hash": HEX}}       last line

``state`` is the stored RFC 8785 JSON as text, so that its bytes come back
exactly.  ``restore`` writes the records into an empty log, in one transaction,
at their positions, with the index rows, chain links and Merkle tree the insert
path would have written, recomputing the chain as it goes: a record whose hash
differs from the one exported, a missing end line, or a log that is not empty
stops it, and nothing is written.  The restored log's ``verify`` meets the same
head and every checkpoint and signed tree head signed before the backup (a
backup of an earlier version, without tree heads, restores as well).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from events.log.application import ConflictLog
from events.log.chain import GENESIS, entry_hash
from events.log.index import INSERT_DEVELOPMENT, INSERT_KEY, INSERT_REF, INSERT_REGISTRY, rows_for
from events.log.library import transaction
from events.log.postgres import PostgresLogStore
from events.log.tree import NOTE_COLUMNS
from events.vocabulary.errors import DomainError

FORMAT = "conflict-status"
VERSION = 1
RECORD_FIELDS = ("position", "id", "version", "topic", "state", "hash", "prev_hash")
CHECKPOINT_FIELDS = ("position", "hash", "signed_at", "key_id", "public_key", "signature")
TREE_HEAD_FIELDS = tuple(NOTE_COLUMNS.split(", "))
BATCH = 1000


class BackupProblem(DomainError):
    """The backup cannot be restored as it is (or not into this log)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True, slots=True)
class Record:
    """A stored event as the backup carries it."""

    position: int
    id: str
    version: int
    topic: str
    state: bytes
    hash: str
    prev_hash: str


@dataclass(frozen=True)
class Restored:
    records: int
    checkpoints: int
    head: int
    head_hash: str


def backup_lines(log: ConflictLog) -> Iterator[dict[str, Any]]:
    """The log as backup lines (see the module's docstring), streamed."""
    chain = log.store
    bound = chain.walk_bound()
    yield {"backup": FORMAT, "version": VERSION}
    count, head, head_hash = 0, 0, GENESIS
    links = chain.stream_links(bound)
    for row in chain.stream_rows(bound):
        link = next(links, None)
        if link is None or link.position != row.position:
            raise BackupProblem(f"the chain has no link for position {row.position}: run verify before a backup")
        yield {
            "record": {
                "position": row.position,
                "id": row.id,
                "version": row.version,
                "topic": row.topic,
                "state": row.state.decode("utf-8"),
                "hash": link.hash,
                "prev_hash": link.prev_hash,
            }
        }
        count, head, head_hash = count + 1, row.position, link.hash
    for values in chain.checkpoint_rows(position=None):
        if values[0] <= head:
            yield {"checkpoint": dict(zip(CHECKPOINT_FIELDS, values, strict=True))}
    for values in chain.note_rows():
        if values[1] <= head:
            yield {"tree_head": dict(zip(TREE_HEAD_FIELDS, values, strict=True))}
    yield {"end": {"records": count, "head": head, "head_hash": head_hash}}


def restore(log: ConflictLog, lines: Iterable[Any]) -> Restored:
    """Write a backup into the empty ``log``, verbatim, or nothing (``BackupProblem``)."""
    writer = _Writer(log)
    with transaction(log.recorder, commit=True) as cursor:
        writer.lock(cursor)
        if writer.has_events(cursor):
            raise BackupProblem("the log is not empty: restore a backup into a new database only")
        return _restore_into(writer, cursor, iter(lines))


def _restore_into(writer: _Writer, cursor: Any, lines: Iterator[Any]) -> Restored:
    first = next(lines, None)
    if not isinstance(first, dict) or first.get("backup") != FORMAT or first.get("version") != VERSION:
        raise BackupProblem(f'not a backup: the first line must be {{"backup": "{FORMAT}", "version": {VERSION}}}')
    prev, head, count, checkpoints = GENESIS, 0, 0, 0
    pending: list[Record] = []
    for number, line in enumerate(lines, start=2):
        if not isinstance(line, dict) or len(line) != 1:
            raise BackupProblem(f"line {number}: expected one of record, checkpoint, tree_head, end")
        kind, value = next(iter(line.items()))
        if kind == "record":
            record = _checked_record(value, prev, head, number)
            pending.append(record)
            prev, head, count = record.hash, record.position, count + 1
            if len(pending) >= BATCH:
                writer.write_records(cursor, pending)
                pending.clear()
        elif kind == "checkpoint":
            writer.write_records(cursor, pending)
            pending.clear()
            writer.write_checkpoint(cursor, _checked_checkpoint(value, number))
            checkpoints += 1
        elif kind == "tree_head":
            writer.write_records(cursor, pending)
            pending.clear()
            writer.recorder.insert_note(cursor, _checked_tree_head(value, number))
        elif kind == "end":
            writer.write_records(cursor, pending)
            if value != {"records": count, "head": head, "head_hash": prev}:
                raise BackupProblem(f"line {number}: the end line does not match the {count} records read")
            if next(lines, None) is not None:
                raise BackupProblem(f"line {number + 1}: nothing may follow the end line")
            writer.after(cursor, head)
            return Restored(count, checkpoints, head, prev)
        else:
            raise BackupProblem(f"line {number}: expected one of record, checkpoint, tree_head, end, not {kind!r}")
    raise BackupProblem("the backup ends before its end line: it is cut short")


def _checked_record(value: Any, prev: str, head: int, number: int) -> Record:
    try:
        record = Record(
            int(value["position"]),
            str(value["id"]),
            int(value["version"]),
            str(value["topic"]),
            str(value["state"]).encode("utf-8"),
            str(value["hash"]),
            str(value["prev_hash"]),
        )
    except (KeyError, TypeError, ValueError):
        raise BackupProblem(f"line {number}: a record needs {', '.join(RECORD_FIELDS)}") from None
    if record.position <= head:
        raise BackupProblem(f"line {number}: position {record.position} is not after {head}")
    digest = entry_hash(record.position, record.id, record.version, record.topic, record.state, prev)
    if record.prev_hash != prev or digest != record.hash:
        raise BackupProblem(
            f"line {number}: the record at position {record.position} does not hash to the chain the backup "
            "carries: the backup was altered or cut"
        )
    return record


def _checked_tree_head(value: Any, number: int) -> list[Any]:
    if not isinstance(value, dict) or set(value) != set(TREE_HEAD_FIELDS):
        raise BackupProblem(f"line {number}: a tree head has exactly {', '.join(TREE_HEAD_FIELDS)}")
    return [value[name] for name in TREE_HEAD_FIELDS]


def _checked_checkpoint(value: Any, number: int) -> list[Any]:
    if not isinstance(value, dict) or set(value) != set(CHECKPOINT_FIELDS):
        raise BackupProblem(f"line {number}: a checkpoint has exactly {', '.join(CHECKPOINT_FIELDS)}")
    return [value[name] for name in CHECKPOINT_FIELDS]


class _Writer:
    """Inserts of the restore, on either backend, through the log's recorder and one cursor."""

    def __init__(self, log: ConflictLog) -> None:
        recorder: Any = log.recorder
        self.recorder = recorder
        self.postgres = isinstance(recorder, PostgresLogStore)
        self.events: str = recorder._table(recorder.events_table)
        self.column: str = recorder.position_column
        self.chain: str = recorder._table("event_chain")
        self.checkpoints: str = recorder._table("signed_checkpoints")

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def lock(self, cursor: Any) -> None:
        if self.postgres:  # the lock every insert takes: no writer slips in while the log is restored
            cursor.execute(f"LOCK TABLE {self.events} IN EXCLUSIVE MODE")

    def has_events(self, cursor: Any) -> bool:
        cursor.execute(f"SELECT 1 FROM {self.events} LIMIT 1")
        return cursor.fetchone() is not None

    def write_records(self, cursor: Any, records: list[Record]) -> None:
        if not records:
            return
        cursor.executemany(
            self.sql(
                f"INSERT INTO {self.events} ({self.column}, originator_id, originator_version, topic, state) "
                "VALUES (?,?,?,?,?)"
            ),
            [(r.position, self.recorder._stored_id(r.id), r.version, r.topic, r.state) for r in records],
        )
        cursor.executemany(
            self.sql(f"INSERT INTO {self.chain} (position, id, hash, prev_hash) VALUES (?,?,?,?)"),
            [(r.position, r.id, r.hash, r.prev_hash) for r in records],
        )
        rows = [row for r in records if (row := rows_for(r.position, _uuid(r.id), r.topic, r.state)) is not None]
        prefix = self.recorder.prefix
        cursor.executemany(self.sql(INSERT_DEVELOPMENT.format(p=prefix)), [row.development for row in rows])
        refs = [ref for row in rows for ref in row.refs]
        if refs:
            cursor.executemany(self.sql(INSERT_REF.format(p=prefix)), refs)
        registry = [row.registry for row in rows if row.registry]
        if registry:
            cursor.executemany(self.sql(INSERT_REGISTRY.format(p=prefix)), registry)
        keys = [row.key for row in rows if row.key]
        if keys:
            cursor.executemany(self.sql(INSERT_KEY.format(p=prefix)), keys)

    def write_checkpoint(self, cursor: Any, values: list[Any]) -> None:
        cursor.execute(
            self.sql(f"INSERT INTO {self.checkpoints} ({', '.join(CHECKPOINT_FIELDS)}) VALUES (?,?,?,?,?,?)"),
            values,
        )

    def after(self, cursor: Any, head: int) -> None:
        """Grow the Merkle tree over the restored chain, and move PostgreSQL's position sequence past the head."""
        self.recorder.grow_tree_in(cursor)
        if self.postgres and head:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{self.events}', '{self.column}'), {int(head)})")


def _uuid(ident: str) -> UUID | str:
    try:
        return UUID(ident)
    except ValueError:
        return ident
