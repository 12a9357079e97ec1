"""Reading tabular files as their exporters write them.

Columns are found by name, never by position: header names are compared after
trimming, lower-casing, and turning spaces, hyphens and dots into underscores,
and each column may be known under several aliases.  A column the data set means
as whole numbers (ids, codes, counts) reads ``15960.0`` as ``15960``, as
spreadsheets and pandas write them; a row of HXL hashtags right under the header
(``#event+id``, as the Humanitarian Data Exchange publishes files) is skipped.  Bytes are UTF-8 (with or
without a byte-order mark); a line that is not UTF-8 is read as cp1252, the
usual culprit, and the import says so.  Every row remembers the line it starts
on, so that a problem can be named by line and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from events.importers.plan import ImportProblem, MissingColumns

csv.field_size_limit(16 * 1024 * 1024)

#: how deeply an uploaded JSON value may nest: a UCDP API page is 4 levels deep, a PLOVER record 5;
#: anything near the parser's own limit would make later steps (cells, checks) recurse past Python's
MAX_JSON_DEPTH = 64
TOO_DEEP = f"JSON nested too deeply: at most {MAX_JSON_DEPTH} levels of arrays and objects"


@dataclass(frozen=True, slots=True)
class Column:
    """A column a mapper reads: its canonical name and the other names it goes by."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    #: the data set means whole numbers here (one, or a list): ``15960.0`` is read as ``15960``
    integer: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


#: a whole number written as a float (``15960.0``, ``3.00``), alone or in a list such as ``369.0, 365.0``
_FLOAT_INTEGER = re.compile(r"(?<![\d.])([+-]?\d+)\.0+(?![\d.])")


def whole_numbers(cell: str) -> str:
    """``'15960.0'`` → ``'15960'``; ``'369.0, 365.0'`` → ``'369, 365'``; other text as it is (``'2.5'`` stays)."""
    return _FLOAT_INTEGER.sub(r"\1", cell) if "." in cell else cell


def normalise_header(name: str) -> str:
    """``' Date Start '`` → ``date_start``; ``'ref '`` → ``ref``."""
    return re.sub(r"[\s.\-]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its cells by canonical column name, and where it starts."""

    line: int
    #: the cells, trimmed
    cells: dict[str, str]

    def get(self, name: str) -> str:
        """The trimmed cell of a column ('' when the file has no such column)."""
        return self.cells.get(name, "")


@dataclass
class Table:
    """A file's header and rows, with the columns a mapper asked for resolved."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)
    #: "line" for text tables, "record" for JSON arrays (what a row's number counts)
    unit: str = "line"

    def resolve(self, columns: Sequence[Column]) -> Iterator[Row]:
        """Rows with cells under canonical names; raise ``MissingColumns`` naming every missing one."""
        positions: dict[str, int] = {}
        for index, name in enumerate(self.header):
            positions.setdefault(normalise_header(name), index)
        chosen: dict[str, int] = {}
        missing: list[Column] = []
        for column in columns:
            found = next((positions[n] for n in column.names() if n in positions), None)
            if found is not None:
                chosen[column.name] = found
            elif column.required:
                missing.append(column)
        if missing:
            raise MissingColumns([(c.name, c.aliases) for c in missing], [h.strip() for h in self.header if h.strip()])
        integers = {column.name for column in columns if column.integer and column.name in chosen}
        for line, cells in self.rows:
            row = {name: cells[i].strip() if i < len(cells) else "" for name, i in chosen.items()}
            for name in integers:
                row[name] = whole_numbers(row[name])
            yield Row(line, row)


def decode(data: bytes) -> tuple[str, list[str]]:
    """The text of a file, and notes on how it was decoded."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), ["the file is UTF-16"]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    odd: list[int] = []
    texts = []
    for number, raw in enumerate(lines, start=1):
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("utf-8", errors=_CP1252_FALLBACK))
            odd.append(number)
    shown = ", ".join(map(str, odd[:5])) + (" ..." if len(odd) > 5 else "")
    return "\n".join(texts), [f"{len(odd)} line(s) were not UTF-8 and were read as cp1252 (line {shown})"]


def _cp1252(error: UnicodeError) -> tuple[str, int]:
    """Decode the offending bytes as cp1252 (latin-1 for the five bytes cp1252 leaves undefined)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in chunk), error.end


_CP1252_FALLBACK = "conflict-status-cp1252"
codecs.register_error(_CP1252_FALLBACK, _cp1252)


def read_delimited(text: str, delimiter: str | None = None) -> Table:
    """A CSV (or tab- or semicolon-separated) text as a table; the first row is the header."""
    if not text.strip():
        raise ImportProblem("the file is empty")
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if delimiter is None:
        delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    notes: list[str] = []
    header: list[str] | None = None
    try:
        start = 1
        for cells in reader:
            if header is None:
                header = cells
            elif not rows and hxl_tags(cells):
                notes.append(f"line {start} holds HXL hashtags ({_shown_tags(cells)}), not data: skipped")
            elif any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as e:
        raise ImportProblem(f"line {reader.line_num}: the file is not well-formed CSV: {e}") from None
    return Table(header or [], rows, notes)


#: an HXL hashtag with its attributes: ``#event+id``, ``#adm1+name``, ``#geo+lat``
_HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(?:\s*\+[a-z][a-z0-9_]*)*$", re.IGNORECASE)


def hxl_tags(cells: Sequence[str]) -> bool:
    """Whether a row is an HXL hashtag row: every filled cell a hashtag, and at least one filled."""
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(_HXL_TAG.match(c) for c in filled)


def _shown_tags(cells: Sequence[str]) -> str:
    filled = [c.strip() for c in cells if c.strip()]
    return ", ".join(filled[:3]) + (" ..." if len(filled) > 3 else "")


def read_headerless(text: str, names: Sequence[str], delimiter: str = "\t") -> Table:
    """A delimited text without a header row, its columns named by a known layout."""
    if not text.strip():
        raise ImportProblem("the file is empty")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE)
    rows = []
    start = 1
    for cells in reader:
        if any(c.strip() for c in cells):
            rows.append((start, cells))
        start = reader.line_num + 1
    return Table(list(names), rows)


def records_table(records: Sequence[Any], what: str = "record") -> Table:
    """A JSON array of objects (one a row) as a table; a row's number is its place in the array."""
    header: list[str] = []
    seen: set[str] = set()
    rows: list[tuple[int, list[str]]] = []
    objects = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise ImportProblem(f"{what} {number} is not a JSON object")
        objects.append((number, record))
        for key in record:
            if key not in seen:
                seen.add(key)
                header.append(str(key))
    for number, record in objects:
        rows.append((number, [_cell(record.get(key)) for key in header]))
    return Table(header, rows, unit="record")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_table(data: bytes) -> Table:
    """A table from CSV/TSV bytes, or from JSON: an array of row objects or a UCDP API page."""
    text, notes = decode(data)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("[", "{"):
        value = load_json(stripped)
        if isinstance(value, dict):
            value = value.get("Result", value.get("rows"))
        if not isinstance(value, list):
            raise ImportProblem("a JSON body must be an array of rows, or an object with a 'Result' array")
        table = records_table(value, "row")
    else:
        table = read_delimited(text)
    table.notes = notes + table.notes
    return table


class MalformedJson(ImportProblem):
    """The file is not JSON that can be read: malformed, or nested deeper than ``MAX_JSON_DEPTH``."""


def load_json(text: str) -> Any:
    """An uploaded file's JSON value; ``MalformedJson`` when it is malformed or nested deeper than ``MAX_JSON_DEPTH``.

    orjson parses without recursing in Python; what it refuses (its own depth
    limit, NaN, integers past 64 bits, lone surrogates) the standard parser
    reads or explains, and a value nested too deeply for it is a problem, not a
    ``RecursionError``.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            raise MalformedJson(f"malformed JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
        except RecursionError:
            raise MalformedJson(TOO_DEEP) from None
    if json_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise MalformedJson(TOO_DEEP)
    return value


def json_depth(value: Any, stop: int) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), counted without recursion up to ``stop + 1``."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        depth += 1
        if depth > stop:
            return depth
        deepest = max(deepest, depth)
        pending.extend((child, depth) for child in item if isinstance(child, dict | list))
    return deepest
