"""Importers: the data sets research groups already hold, turned into developments.

Each format has one small module that maps upstream rows to developments and
knows nothing of the log (``ucdp_ged``, ``ucdp_pa``, ``plover``); ``tables`` and
``dates`` read real files (columns by name, aliases, byte-order marks, cp1252
bytes, several date formats); ``running`` applies a plan to the log
idempotently (``decisions``): the upstream data set and row id determine each
development's id, so a re-import adds nothing and a changed row becomes a
``DevelopmentCorrected``.  ``ndjson`` and ``backup`` read the service's own
files; every importer writes through ``writing.Writer``, one row loop.
"""

from events.importers.outcome import ImportFailed, ImportOptions, ImportSummary
from events.importers.plan import ImportProblem, MissingColumns, Report
from events.importers.running import FORMATS, run_import

__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportOptions",
    "ImportProblem",
    "ImportSummary",
    "MissingColumns",
    "Report",
    "run_import",
]
