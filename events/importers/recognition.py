"""Which format a file is in, told from its header or its shape, before anything is imported.

``RECOGNISERS`` is the registry: a format's name, what a file of it looks like
(the words an unrecognised file's message uses), and a test that looks at the
first part of the file (``Sample``) and answers how it knew (``"by its
header"``) or None.  A new format plugs in with one entry.  The first entry
that answers wins, so the more specific headers come first.

Header tests compare the first row's names as ``tables`` reads them (trimmed,
lower-cased, spaces, hyphens and dots as underscores; a byte-order mark, a
leading index column, semicolons or tabs do not matter), against the columns
each mapper requires, so recognition and import agree on what a header is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import orjson

from events.importers import acled, ucdp_acd, ucdp_ged, ucdp_pa
from events.importers.plan import ImportProblem
from events.importers.plover import CAMEO_COLUMNS
from events.importers.tables import Column, decode, normalise_header

#: how much of a file is looked at
SAMPLE_BYTES = 64 * 1024
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.){1,80})"\s*:')
_GDELT_COLUMNS = (57, 58, 61)


@dataclass(frozen=True)
class Sample:
    """The start of a file, decoded, with what the tests ask of it."""

    text: str

    @cached_property
    def lines(self) -> list[str]:
        """The first non-blank lines (the last one may be cut short)."""
        return [line for line in self.text.splitlines()[:20] if line.strip()]

    @cached_property
    def is_json(self) -> bool:
        return self.text.lstrip()[:1] in ("[", "{")

    @cached_property
    def delimiter(self) -> str:
        first = self.lines[0] if self.lines else ""
        return max(",\t;", key=first.count)

    @cached_property
    def header(self) -> set[str]:
        """The first row's column names, normalised (empty for JSON)."""
        if self.is_json or not self.lines:
            return set()
        cells = next(csv.reader([self.lines[0]], delimiter=self.delimiter), [])
        return {normalise_header(cell) for cell in cells}

    @cached_property
    def json_keys(self) -> set[str]:
        """The object keys that appear in the sampled JSON text (for JSON files)."""
        return set(_JSON_KEY.findall(self.text)) if self.is_json else set()


@dataclass(frozen=True)
class Recogniser:
    """A format, what its files look like, and how it is told apart."""

    format: str
    expects: str
    recognise: Callable[[Sample], str | None]


@dataclass(frozen=True)
class Recognised:
    format: str
    how: str

    def text(self) -> str:
        return f"recognised as {self.format} {self.how}"


def _has(names: set[str], columns: Sequence[Column]) -> bool:
    return all(any(n in names for n in column.names()) for column in columns if column.required)


def _required(columns: Sequence[Column]) -> str:
    return ", ".join(column.name for column in columns if column.required)


def _by_columns(columns: Sequence[Column]) -> Callable[[Sample], str | None]:
    """A table format: its required columns in a CSV header, or as the fields of JSON rows."""

    def recognise(sample: Sample) -> str | None:
        if _has(sample.header, columns):
            return "by its header"
        if _has(sample.json_keys, columns):
            return "by its fields"
        return None

    return recognise


def _ndjson(sample: Sample) -> str | None:
    """One JSON development a line: the first line is a whole object with a type."""
    if not sample.lines or not sample.lines[0].lstrip().startswith("{"):
        return None
    try:
        first = orjson.loads(sample.lines[0])
    except orjson.JSONDecodeError:
        return None
    if isinstance(first, dict) and "type" in first:
        return "by its shape (a development on each line)"
    return None


def _ndjson_at_last(sample: Sample) -> str | None:
    """What nothing else recognised and opens with an object is read as NDJSON, whose import names a bad line."""
    if sample.lines and sample.lines[0].lstrip().startswith("{"):
        return "by its shape (a JSON object opens its first line)"
    return None


def _plover_json(sample: Sample) -> str | None:
    if sample.text.lstrip().startswith("[") and {"event", "id"} <= sample.json_keys:
        return "by its fields (PLOVER records)"
    return None


def _gdelt(sample: Sample) -> str | None:
    """GDELT 1.0/2.0 event exports: tab-separated, no header, a numeric GLOBALEVENTID then a YYYYMMDD day."""
    rows = [line.split("\t") for line in sample.lines[:5]]
    if len(rows) > 1:
        rows = rows[:-1]  # the last sampled line may be cut short
    if rows and all(
        len(cells) in _GDELT_COLUMNS and cells[0].isdigit() and re.fullmatch(r"\d{8}", cells[1]) for cells in rows
    ):
        return f"by its shape (tab-separated, no header, {len(rows[0])} columns)"
    return None


NDJSON = "one JSON development a line, each with type and occurred"
RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser("ndjson", NDJSON, _ndjson),
    Recogniser(
        "ucdp-acd",
        f"UCDP/PRIO Armed Conflict Dataset CSV, a header with {_required(ucdp_acd.COLUMNS)}",
        _by_columns(ucdp_acd.COLUMNS),
    ),
    Recogniser(
        "acled",
        f"ACLED's CSV export, a header with {_required(acled.COLUMNS)}",
        _by_columns(acled.COLUMNS),
    ),
    Recogniser(
        "ucdp-pa",
        f"UCDP Peace Agreements CSV (or UCDP API JSON), a header with {_required(ucdp_pa.COLUMNS)}",
        _by_columns(ucdp_pa.COLUMNS),
    ),
    Recogniser(
        "ucdp-ged",
        f"UCDP GED CSV (or UCDP API JSON), a header with {_required(ucdp_ged.COLUMNS)}",
        _by_columns(ucdp_ged.COLUMNS),
    ),
    Recogniser(
        "gdelt",
        "GDELT 1.0 or 2.0 event rows: tab-separated, no header, 57, 58 or 61 columns, "
        "a numeric GLOBALEVENTID then a YYYYMMDD day",
        _gdelt,
    ),
    Recogniser("plover", "PLOVER JSON records (an array of objects with id and event)", _plover_json),
    Recogniser(
        "plover",
        f"CAMEO-coded rows, tab-separated, a header with {_required(CAMEO_COLUMNS)}",
        _by_columns(CAMEO_COLUMNS),
    ),
    Recogniser("ndjson", NDJSON, _ndjson_at_last),
)


def sample(data: bytes) -> Sample:
    """The start of ``data`` as text (cut at a line's end, decoded as ``tables`` decodes files)."""
    head = data[:SAMPLE_BYTES]
    if len(data) > SAMPLE_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    text, _ = decode(head)
    return Sample(text.lstrip("\ufeff"))


def recognise(data: bytes, formats: Sequence[str] | None = None) -> Recognised:
    """The format of ``data`` and how it was told; ``Unrecognised`` naming the formats when none fits.

    ``formats`` limits the answer to those formats (the ones a caller can import).
    """
    if not data.strip():
        raise ImportProblem("the file is empty")
    seen = sample(data)
    for recogniser in RECOGNISERS:
        how = recogniser.recognise(seen)
        if how is not None:
            if formats is not None and recogniser.format not in formats:
                raise ImportProblem(
                    f"recognised as {recogniser.format} {how}, which is not imported here; "
                    f"the formats imported here are {', '.join(formats)}",
                    [{"field": "format", "message": f"{recogniser.format} is not imported here"}],
                )
            return Recognised(recogniser.format, how)
    raise Unrecognised(formats)


class Unrecognised(ImportProblem):
    """No format recognises the file: the message names each format and what it expects."""

    def __init__(self, formats: Sequence[str] | None = None) -> None:
        shown = [r for r in RECOGNISERS if formats is None or r.format in formats]
        messages = dict.fromkeys(f"{r.format}: {r.expects}" for r in shown)
        errors = [{"field": "format", "message": message} for message in messages]
        names = ", ".join(dict.fromkeys(r.format for r in shown))
        super().__init__(f"the file's format was not recognised; the formats are {names}, each expecting:", errors)
