"""Dates as upstream files write them, turned into EDTF days, months or years.

Accepted: ISO days with or without a time (``2014-01-22``, ``2014-01-22T00:00:00``,
``2014-01-22 00:00:00``), ``2014/01/22``, compact ``20140122`` (GDELT),
``22.01.2014``, slash dates as spreadsheets write them (``1/22/2014``, read as
month/day/year unless the first number exceeds 12, then as day/month/year), and
imprecise ``2014-05`` or ``2014``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}}){_TIME}$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DOTTED = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}$")
_SLASHED = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, slots=True)
class UpstreamDate:
    """A date read from a cell: its EDTF text and the first and last day it allows."""

    text: str
    first: date
    last: date


@lru_cache(maxsize=8192)
def read_date(cell: str) -> UpstreamDate:
    """Parse a date cell, or raise ``ValueError`` with a message fit for a report.

    Cached: a data set repeats the same few thousand days over many rows.
    """
    value = cell.strip()
    if not value:
        raise ValueError("the date is empty")
    try:
        return _read(value)
    except ValueError:
        raise ValueError(
            f"'{value[:40]}' is not a date this importer reads (such as 2014-01-22, 2014-01-22T00:00:00, "
            "1/22/2014, 22.01.2014, 20140122, 2014-05 or 2014)"
        ) from None


def _read(value: str) -> UpstreamDate:
    for pattern, order in ((_ISO, "ymd"), (_COMPACT, "ymd"), (_DOTTED, "dmy")):
        match = pattern.match(value)
        if match:
            return _day(*_ordered(match.groups(), order))
    match = _SLASHED.match(value)
    if match:
        first, second, year = (int(g) for g in match.groups())
        month, day = (second, first) if first > 12 else (first, second)
        return _day(year, month, day)
    match = _MONTH.match(value)
    if match:
        year, month = int(match[1]), int(match[2])
        last = calendar.monthrange(year, month)[1]
        return UpstreamDate(f"{year:04d}-{month:02d}", date(year, month, 1), date(year, month, last))
    match = _YEAR.match(value)
    if match:
        year = int(match[1])
        return UpstreamDate(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))
    raise ValueError(value)


def _ordered(groups: tuple[str | None, ...], order: str) -> tuple[int, int, int]:
    numbers = [int(g) for g in groups if g is not None][:3]
    if order == "dmy":
        numbers.reverse()
    return numbers[0], numbers[1], numbers[2]


def _day(year: int, month: int, day: int) -> UpstreamDate:
    value = date(year, month, day)  # raises ValueError for 2014-02-30
    return UpstreamDate(value.isoformat(), value, value)


def span(start: UpstreamDate, end: UpstreamDate) -> UpstreamDate:
    """One EDTF value from a start and an end cell: a day, or an interval ``start/end``."""
    if end.last < start.first:
        raise ValueError(f"ends ({end.text}) before it starts ({start.text})")
    if start.text == end.text:
        return start
    return UpstreamDate(f"{start.text}/{end.text}", start.first, end.last)
