"""What an import is asked (options) and what it answers (a summary, or a failure with one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from events.importers.cameo_plover import CameoTable
from events.importers.plan import Report
from events.log.application import MAX_BATCH
from events.vocabulary.errors import DomainError

#: called with (done, total) as an import goes
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    #: the upstream release (GED 22.1); else a ``version`` column or field where the format has one
    release: str | None = None
    #: PLOVER/CAMEO rows: the registered conflict their ceasefires and fighting belong to
    conflict: str | None = None
    #: PLOVER/CAMEO rows: the data set's name in ids and origins (default plover, or gdelt for CAMEO rows)
    dataset: str | None = None
    #: CAMEO-coded rows: the CAMEO-to-PLOVER table (``cameo_plover.read_cameo_table``)
    cameo_table: CameoTable | None = None
    #: acled: ACLED's list of deleted events (CSV of event_id_cnty and deleted_timestamp), retracted
    deletions: bytes | None = None
    #: refuse the whole file, before writing anything, when any row is rejected
    strict: bool = False
    batch_size: int = MAX_BATCH


@dataclass
class ImportSummary:
    format: str
    dataset: str
    rows_read: int = 0
    added: int = 0
    registered: int = 0
    unchanged: int = 0
    corrected: int = 0
    flagged: int = 0
    rejected: int = 0
    reports: list[Report] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        registered = f" (and {self.registered} conflicts or actors registered)" if self.registered else ""
        return (
            f"rows read: {self.rows_read}, developments added: {self.added}{registered}, "
            f"unchanged: {self.unchanged}, corrected: {self.corrected}, flagged: {self.flagged}, "
            f"rejected: {self.rejected}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dataset": self.dataset,
            "rows_read": self.rows_read,
            "added": self.added,
            "registered": self.registered,
            "unchanged": self.unchanged,
            "corrected": self.corrected,
            "flagged": self.flagged,
            "rejected": self.rejected,
            "reports": [r.as_dict() for r in self.reports],
            "notes": self.notes,
        }


class ImportFailed(DomainError):
    """Writing failed part-way (or ``strict`` refused the file): what was stored is in ``summary``."""

    def __init__(self, detail: str, summary: ImportSummary) -> None:
        super().__init__(detail)
        self.detail = detail
        self.summary = summary
