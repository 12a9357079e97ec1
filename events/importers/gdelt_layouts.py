"""GDELT event exports: their three header-less layouts, and one row read into typed fields.

The columns are those of GDELT's codebooks ("The GDELT Event Database Data
Format Codebook" V1.03 and V2.0): tab-separated, no header, one event a line.

- 57 columns: GDELT 1.0 historical files (up to March 2013), without ``SOURCEURL``;
- 58 columns: GDELT 1.0 daily files (from April 2013), with ``SOURCEURL``;
- 61 columns: GDELT 2.0 (from February 2015): each geography gains an
  ``ADM2Code`` after its ``ADM1Code``, and ``DATEADDED`` is ``YYYYMMDDHHMMSS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from events.importers.plan import ImportProblem, RowProblem

_ACTOR = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_GEO_1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO_2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_EVENT = (
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
)


def _layout(geo: tuple[str, ...], url: bool) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID",
        "SQLDATE",
        "MonthYear",
        "Year",
        "FractionDate",
        *(f"Actor1{name}" for name in _ACTOR),
        *(f"Actor2{name}" for name in _ACTOR),
        *_EVENT,
        *(f"{who}Geo_{name}" for who in ("Actor1", "Actor2", "Action") for name in geo),
        "DATEADDED",
        *(("SOURCEURL",) if url else ()),
    )


#: layout name -> its columns, in file order
LAYOUTS = {
    "GDELT 1.0 historical": _layout(_GEO_1, url=False),
    "GDELT 1.0 daily": _layout(_GEO_1, url=True),
    "GDELT 2.0": _layout(_GEO_2, url=True),
}
#: number of columns -> layout name
BY_WIDTH = {len(columns): name for name, columns in LAYOUTS.items()}


def layout_of(first_line: str) -> str:
    """The layout a file is in, from its first line; ``ImportProblem`` naming the layouts when none fits."""
    cells = first_line.rstrip("\r\n").split("\t")
    name = BY_WIDTH.get(len(cells))
    if name is None or not cells[0].strip().isdigit():
        expected = ", ".join(f"{width} ({layout})" for width, layout in sorted(BY_WIDTH.items()))
        what = f"{len(cells)} tab-separated columns" if name is None else f"a first cell '{cells[0][:20]}'"
        raise ImportProblem(
            f"the file's first line has {what}; a GDELT event export has no header, "
            f"a GLOBALEVENTID first and {expected} columns"
        )
    return name


@dataclass(frozen=True, slots=True)
class Actor:
    """One of a GDELT event's two actors, as CAMEO codes it."""

    code: str
    name: str
    country: str  # CAMEO country code (ISO alpha-3 for most states)
    known_group: str
    types: tuple[str, ...]

    @property
    def present(self) -> bool:
        return bool(self.code or self.name)


@dataclass(frozen=True, slots=True)
class GdeltRow:
    """One line of a GDELT event export, with the fields the importer reads."""

    line: int
    event_id: str
    day: str  # ISO date
    added: str
    actor1: Actor
    actor2: Actor
    is_root: bool
    code: str
    base_code: str
    root_code: str
    quad_class: int | None
    goldstein: float | None
    mentions: int
    sources: int
    articles: int
    tone: float | None
    geo_type: int | None
    place: str
    fips: str
    lat: float | None
    lon: float | None
    url: str


def read_row(cells: list[str], line: int, layout: str) -> GdeltRow:
    """A row of ``layout`` in typed fields; ``RowProblem`` naming the column when a required one is unreadable."""
    names = LAYOUTS[layout]
    if len(cells) != len(names):
        raise RowProblem(f"the line has {len(cells)} columns; the {layout} layout of the file has {len(names)}")
    row = dict(zip(names, (c.strip() for c in cells), strict=True))
    event_id = row["GLOBALEVENTID"]
    if not event_id.isdigit():
        raise RowProblem(f"GLOBALEVENTID '{event_id[:20]}' is not a number", "GLOBALEVENTID")
    code = row["EventCode"]
    if not (code.isdigit() and 2 <= len(code) <= 4):
        raise RowProblem(f"EventCode '{code[:20]}' is not a CAMEO code (2 to 4 digits)", "EventCode")
    return GdeltRow(
        line=line,
        event_id=event_id,
        day=_day(row["SQLDATE"]),
        added=row["DATEADDED"],
        actor1=_actor(row, "Actor1"),
        actor2=_actor(row, "Actor2"),
        is_root=row["IsRootEvent"] == "1",
        code=code,
        base_code=row["EventBaseCode"],
        root_code=row["EventRootCode"] or code[:2],
        quad_class=_whole(row["QuadClass"]),
        goldstein=_decimal(row["GoldsteinScale"]),
        mentions=_whole(row["NumMentions"]) or 0,
        sources=_whole(row["NumSources"]) or 0,
        articles=_whole(row["NumArticles"]) or 0,
        tone=_decimal(row["AvgTone"]),
        geo_type=_whole(row["ActionGeo_Type"]),
        place=row["ActionGeo_FullName"],
        fips=row["ActionGeo_CountryCode"].upper(),
        lat=_decimal(row["ActionGeo_Lat"]),
        lon=_decimal(row["ActionGeo_Long"]),
        url=row.get("SOURCEURL", ""),
    )


def _actor(row: dict[str, str], who: str) -> Actor:
    types = tuple(t for t in (row[f"{who}Type{n}Code"] for n in (1, 2, 3)) if t)
    return Actor(
        code=row[f"{who}Code"],
        name=row[f"{who}Name"],
        country=row[f"{who}CountryCode"].upper(),
        known_group=row[f"{who}KnownGroupCode"].upper(),
        types=types,
    )


def _day(cell: str) -> str:
    if len(cell) != 8 or not cell.isdigit():
        raise RowProblem(f"SQLDATE '{cell[:20]}' is not a date written YYYYMMDD", "SQLDATE")
    text = f"{cell[:4]}-{cell[4:6]}-{cell[6:]}"
    try:
        date.fromisoformat(text)
    except ValueError:
        raise RowProblem(f"SQLDATE '{cell}' is no day of the calendar", "SQLDATE") from None
    return text


def _whole(cell: str) -> int | None:
    """GDELT writes counts as integers; ``3.0`` is read as 3 too."""
    try:
        number = float(cell)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 0 else None


def _decimal(cell: str) -> float | None:
    try:
        number = float(cell)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
