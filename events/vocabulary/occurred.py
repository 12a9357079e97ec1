"""World time: when a development happened, as an EDTF string and the days it allows.

The Library of Congress Extended Date/Time Format says how vague a date is:
``2019-12`` is some day of December 2019, ``2019-12-09/2020-06-26`` some day
between the two, ``2020-06-26~`` about that day.  A development counts as of a
date once it had *certainly* happened, so every ``occurred`` is kept with the
earliest and the latest day it allows.

Approximate and uncertain qualifiers (``~``, ``?``, ``%``) mark the source's doubt
about the stated day; the bounds are those of the stated value (the ``edtf``
package's strict bounds), not the package's padded guesses of a year either side,
which would keep every approximate development out of every answer for a year.
"""

from __future__ import annotations

import calendar
import math
import re
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import edtf

from events.vocabulary.errors import FieldError

#: The days any date of the vocabulary may allow, and any question may ask about.  Wide enough
#: for any history an analyst records (UCDP's data start in 1946, the Correlates of War in 1816),
#: and a thousand years from either end of the calendar Python computes in (years 1 to 9999), so
#: that every window, margin and step computed from an allowed day is itself a day: a typo such as
#: ``0001-01-05`` or ``9999-12-31`` is refused at the door instead of breaking the reads.
FIRST_DAY = date(1000, 1, 1)
LAST_DAY = date(2999, 12, 31)
OUT_OF_RANGE = f"outside the days the service takes ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"


@dataclass(frozen=True, slots=True)
class Occurred:
    """An EDTF value with the first and last day it allows."""

    text: str
    earliest: date
    latest: date

    def certainly_by(self, day: date) -> bool:
        """True once the development had certainly happened on ``day``."""
        return self.latest <= day

    def straddles(self, day: date) -> bool:
        """True when it may or may not have happened by ``day``."""
        return self.earliest <= day < self.latest


def parse_occurred(text: object, field: str = "occurred") -> Occurred:
    """Parse an EDTF string, or raise ``FieldError`` naming ``field``."""
    if not isinstance(text, str) or not text.strip():
        raise FieldError(field, "expected an EDTF date such as 2020-06-26, 2019-12 or 2019-12-09/2020-06-26")
    return _parse(text.strip(), field)


@lru_cache(maxsize=8192)
def _parse(text: str, field: str) -> Occurred:
    """Parse stripped EDTF text (values repeat: a batch or an import often holds the same dates)."""
    return _in_range(_parse_unchecked(text, field), field)


def _parse_unchecked(text: str, field: str) -> Occurred:
    """The days an EDTF value allows, wherever they are (``FieldError`` when it is not EDTF)."""
    if len(text) > 64:
        raise FieldError(field, "an EDTF date is at most 64 characters")
    plain = _plain(text)
    if plain is not None:
        return plain
    try:
        value = edtf.parse_edtf(text)
    except Exception:  # the edtf parser raises several exception types
        raise FieldError(
            field,
            f"'{text}' is not a valid EDTF date (examples: 2020-06-26, 2019-12, 2020, "
            "2019-12-09/2020-06-26, 2020-06-26~)",
        ) from None
    earliest = _day(value.lower_strict(), field, text, "start")
    latest = _day(value.upper_strict(), field, text, "end")
    if earliest is None:
        earliest = FIRST_DAY
    if latest is None:
        raise FieldError(
            field,
            f"'{text}' has an open or unknown end; give the latest day it may have happened",
        )
    if latest < earliest:
        raise FieldError(field, f"'{text}' ends before it starts")
    return Occurred(text=text, earliest=earliest, latest=latest)


def _in_range(value: Occurred, field: str) -> Occurred:
    """The value, when every day it allows lies between ``FIRST_DAY`` and ``LAST_DAY``."""
    if value.earliest < FIRST_DAY or value.latest > LAST_DAY:
        verb = "is" if value.earliest == value.latest else "reaches"
        raise FieldError(field, f"'{value.text}' {verb} {OUT_OF_RANGE}")
    return value


def clamp(day: date) -> date:
    """A day moved into ``FIRST_DAY``..``LAST_DAY``: how projections read days stored before the range was enforced."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def stored_occurred(text: str) -> Occurred:
    """An EDTF value the log already holds, its days clamped into the range (never refused: it was accepted once)."""
    try:
        return parse_occurred(text)
    except FieldError:
        pass
    try:
        value = _parse_unchecked(text.strip(), "occurred")
    except FieldError:  # unreadable now (an older parser took it): it counts at the last day, as of every date
        return Occurred(text, FIRST_DAY, LAST_DAY)
    return Occurred(value.text, clamp(value.earliest), clamp(value.latest))


def check_day(day: date, field: str) -> date:
    """A day asked about (``as_of``, a side of a diff), when it lies between ``FIRST_DAY`` and ``LAST_DAY``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FieldError(field, f"{day.isoformat()} is {OUT_OF_RANGE}")
    return day


_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _plain(text: str) -> Occurred | None:
    """A plain day, month or year, or an interval of two, read without the ``edtf`` parser.

    The parser takes about 10 ms a value; these forms are nearly every date
    submitted.  Anything else (or anything odd about these) goes to the parser,
    which gives the same bounds and the precise error message.
    """
    start, slash, end = text.partition("/")
    first = _plain_bounds(start)
    if first is None:
        return None
    if not slash:
        return Occurred(text=text, earliest=first[0], latest=first[1])
    last = _plain_bounds(end)
    if last is None or last[1] < first[0]:
        return None
    return Occurred(text=text, earliest=first[0], latest=last[1])


def _plain_bounds(text: str) -> tuple[date, date] | None:
    match = _PLAIN.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if day is not None and month is not None:
            return date(year, month, day), date(year, month, day)
        if month is not None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, calendar.IllegalMonthError):
        return None


def _day(value: object, field: str, text: str, side: str) -> date | None:
    """Turn an ``edtf`` bound (a ``struct_time`` or ±infinity) into a date."""
    if isinstance(value, float) and math.isinf(value):
        return None
    if not isinstance(value, time.struct_time):
        raise FieldError(field, f"'{text}' has no usable {side} day")
    try:
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    except ValueError:
        raise FieldError(field, f"'{text}' has a {side} {OUT_OF_RANGE}") from None
