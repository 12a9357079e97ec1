"""NDJSON: developments one JSON object a line, as ``export`` writes them.

A line without an ``id`` gets an idempotency key from its content (RFC 8785
bytes), so importing the same file twice adds nothing.  Lines are written in
batches (one transaction each); a bad line stops the import naming its line and
field: the batches before it stay stored, nothing of the failing batch is, and
importing the same file again after fixing the line resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import rfc8785

from events.importers.collector import collector_paused
from events.importers.writing import BatchRefused, Writer
from events.log.admission import Submission
from events.log.application import ConflictLog
from events.vocabulary.errors import DomainError


@dataclass
class NdjsonSummary:
    """What an NDJSON import did."""

    read: int = 0
    added: int = 0
    unchanged: int = 0
    rejected: int = 0

    def line(self) -> str:
        return (
            f"rows read: {self.read}, developments added: {self.added}, "
            f"unchanged: {self.unchanged}, rejected: {self.rejected}"
        )


class NdjsonStopped(DomainError):
    """A line could not be imported: ``detail`` names it; ``summary`` says what was stored before it."""

    def __init__(self, detail: str, summary: NdjsonSummary) -> None:
        super().__init__(detail)
        self.detail = detail
        self.summary = summary


def import_ndjson(
    log: ConflictLog, lines: Iterable[str], batch_size: int = 1000, progress: Callable[[int], None] | None = None
) -> NdjsonSummary:
    """Append the developments of NDJSON ``lines``; see the module's docstring."""
    summary = NdjsonSummary()

    def received(created: bool, line: int) -> None:
        if created:
            summary.added += 1
        else:
            summary.unchanged += 1

    writer: Writer[int] = Writer(log, batch_size, received)
    with collector_paused():
        try:
            for number, raw in _values(lines, summary):
                summary.read += 1
                key = None if isinstance(raw, dict) and raw.get("id") else "ndjson:" + content_key(raw)
                before = writer.written
                writer.add(Submission(raw, key), number)
                if progress is not None and writer.written > before:
                    progress(writer.written - before)
            before = writer.written
            writer.flush()
            if progress is not None:
                progress(writer.written - before)
        except BatchRefused as e:
            raise _stopped(e, summary) from None
    return summary


def _values(lines: Iterable[str], summary: NdjsonSummary) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            message = (
                f"malformed JSON: {e.msg} at column {e.colno}"
                if isinstance(e, json.JSONDecodeError)
                else ("JSON nested too deeply")
            )
            raise NdjsonStopped(f"line {number}: {message}", summary) from None


def _stopped(refused: BatchRefused[int], summary: NdjsonSummary) -> NdjsonStopped:
    problems = getattr(refused.error, "problems", [])
    lines = [f"line {refused.tags[p.index]}: {p.field}: {p.message}" for p in problems if p.index is not None]
    summary.rejected += len({p.index for p in problems if p.index is not None}) or len(refused.tags)
    detail = "\n".join(lines) or str(refused.error)
    return NdjsonStopped(f"import stopped; nothing of this batch was stored:\n{detail}\n{summary.line()}", summary)


def content_key(raw: Any) -> str:
    """An idempotency key from a line's content: the SHA-256 of its RFC 8785 bytes."""
    try:
        return hashlib.sha256(rfc8785.dumps(raw)).hexdigest()
    except Exception:  # not canonicalisable (floats out of range...): the vocabulary will refuse it anyway
        return hashlib.sha256(repr(raw).encode()).hexdigest()
