"""Backups as files: ``export --format backup`` writes one, ``import --format backup`` restores it.

What a backup holds and how it is restored with the same chain head is
``events.audit.restore``; this module reads and writes its lines (NDJSON).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from events.audit.restore import BackupProblem, Restored, backup_lines, restore
from events.log.application import ConflictLog


@dataclass(frozen=True)
class Written:
    """What a backup file holds: how many records, up to which position, and the head's hash."""

    records: int
    head: int
    head_hash: str


def write_backup(log: ConflictLog, output: IO[str]) -> Written:
    """Write the whole log to ``output`` as backup lines; what was written."""
    records = 0
    end: dict[str, Any] = {}
    for line in backup_lines(log):
        output.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        records += "record" in line
        end = line.get("end", end)
    return Written(records, end.get("head", 0), end.get("head_hash", ""))


def read_backup(lines: Iterable[str]) -> Iterator[Any]:
    """The JSON values of a backup's lines (``BackupProblem`` names a malformed one)."""
    for number, text in enumerate(lines, start=1):
        if text.strip():
            try:
                yield json.loads(text)
            except json.JSONDecodeError as e:
                raise BackupProblem(f"line {number}: malformed JSON: {e.msg}") from None
            except RecursionError:
                raise BackupProblem(f"line {number}: JSON nested too deeply") from None


def restore_backup(log: ConflictLog, lines: Iterable[str]) -> Restored:
    """Restore a backup file into the (empty) log; nothing is written unless all of it holds."""
    return restore(log, read_backup(lines))
