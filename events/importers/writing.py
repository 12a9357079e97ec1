"""The one row loop every importer ends in: submissions written a batch (one transaction) at a time.

Each submission carries a tag of the caller's (a line number, an outcome to
count); ``Writer.add`` queues it and writes the batch once it holds
``batch_size``, ``Writer.flush`` writes what is left.  Whether each submission
was stored by this import (or was in the log already) is handed back with its
tag.  When a batch is refused, nothing of it is stored (the log
writes a batch in one transaction) and ``BatchRefused`` says which tags it held
and how many submissions were written before it: the batches before it stay
stored, and importing the same file again resumes where it stopped, since what
is stored is recognised by its id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.vocabulary.errors import DomainError

Tag = TypeVar("Tag")


class BatchRefused(DomainError, Generic[Tag]):
    """The log refused a batch: ``error`` says why, ``tags`` are the batch's, ``written`` came before it."""

    def __init__(self, error: DomainError, tags: list[Tag], written: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.tags = tags
        self.written = written


@dataclass
class Writer(Generic[Tag]):
    """Writes tagged submissions in batches; ``received`` is called with each one's tag and whether it was stored."""

    log: ConflictLog
    batch_size: int
    received: Callable[[bool, Tag], None]
    written: int = 0
    _batch: list[tuple[Submission, Tag]] = field(default_factory=list)

    def add(self, submission: Submission, tag: Tag) -> None:
        """Queue one submission; a full batch is written at once."""
        self._batch.append((submission, tag))
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write the queued submissions in one transaction (``BatchRefused`` if the log refuses them)."""
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        try:
            created = self.log.append_many([submission for submission, _ in batch])
        except DomainError as e:
            raise BatchRefused(e, [tag for _, tag in batch], self.written) from e
        for stored, (_, tag) in zip(created, batch, strict=True):
            self.received(stored, tag)
        self.written += len(batch)
