"""Lists and timelines as CSV: ``Accept: text/csv`` or ``?format=csv``.

The rows are written by the standard ``csv`` module (every cell quoted as RFC 4180
needs, a header row first) and served with a file name in ``Content-Disposition``.
A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, as OWASP's
advice on CSV injection has it: developments carry text from outside sources, and
opening an export must never run it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, request

CSV = "text/csv"
JSON = "application/json"
#: what ``format`` may be
FORMATS = ("json", "csv")
#: the first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: the OpenAPI description of a CSV answer, a second content type of a route's 200 (``alt_response``)
CSV_RESPONSE: dict[str, Any] = {
    "content_type": CSV,
    "schema": {"type": "string"},
    "description": "the answer: JSON, or CSV with ?format=csv or Accept: text/csv (a header row, then one row "
    "an item; cells that would start a formula are prefixed with an apostrophe)",
}


def wanted(format: str | None) -> bool:
    """True when the request asks for CSV: ``format=csv``, or no ``format`` and ``Accept`` prefers ``text/csv``."""
    if format is not None:
        return format == "csv"
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match([JSON, CSV]) == CSV and accept[CSV] > accept[JSON]


def cell(value: Any) -> str | int | float:
    """One value as a CSV cell: nothing as empty, lists joined by '; ', records as JSON, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = "; ".join(str(v) for v in value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The header and rows as CSV text (CRLF line ends, minimal quoting)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A ``text/csv`` answer to download as ``filename``."""
    answer = Response(table(header, rows), mimetype=CSV)
    answer.headers["Content-Type"] = f"{CSV}; charset=utf-8; header=present"
    answer.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    answer.headers["Vary"] = "Accept"
    return answer


# -- the answers as rows ----------------------------------------------------------------

CONFLICT_COLUMNS = (
    "conflict",
    "name",
    "region",
    "ceasefire",
    "summary",
    "developments",
    "last_development_occurred",
    "last_development_type",
    "last_development_summary",
    "last_development_id",
)


def conflicts(answer: dict[str, Any]) -> Response:
    """``GET /v1/conflicts`` as CSV: one conflict a row."""

    def row(item: dict[str, Any]) -> list[Any]:
        last = item["last_development"] or {}
        return [
            item["conflict"],
            item["name"],
            item.get("region"),
            item["ceasefire"],
            item["summary"],
            item["developments"],
            last.get("occurred"),
            last.get("type"),
            last.get("summary"),
            str(last["id"]) if last else None,
        ]

    return response("conflicts.csv", CONFLICT_COLUMNS, (row(i) for i in answer["items"]))


TIMELINE_COLUMNS = (
    "position",
    "id",
    "occurred",
    "occurred_earliest",
    "occurred_latest",
    "type",
    "summary",
    "conflicts",
    "actors",
    "sources",
    "source_urls",
    "corrected_by",
    "data",
)


def timeline(conflict: str, items: Iterable[dict[str, Any]]) -> Response:
    """A conflict's developments as CSV: one development a row, world-time order, sources named with URLs."""

    def row(item: dict[str, Any]) -> list[Any]:
        sources = item["sources"] or []
        return [
            item["position"],
            str(item["id"]),
            item["occurred"],
            item["occurred_earliest"],
            item["occurred_latest"],
            item["type"],
            item["summary"],
            item["conflicts"],
            item["actors"],
            [s.get("name") or "" for s in sources],
            [s.get("url") or "" for s in sources],
            str(item["corrected_by"]) if item["corrected_by"] else None,
            item["data"],
        ]

    return response(f"{conflict}-timeline.csv", TIMELINE_COLUMNS, (row(i) for i in items))


AGENDA_COLUMNS = ("agenda", "parties", "summary", "last_contact", "developments")


def agendas(answer: dict[str, Any]) -> Response:
    """``GET /v1/agendas`` as CSV: one agenda a row."""
    rows = ([a["agenda"], a["parties"], a["summary"], a["last_contact"], a["developments"]] for a in answer["items"])
    return response("agendas.csv", AGENDA_COLUMNS, rows)
