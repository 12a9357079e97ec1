"""Timeline charts as plain SVG geometry, computed on the server.

The pages draw their charts from these numbers with a Jinja template: no
script, no chart library, no CDN, and the chart is there with JavaScript off.
Nothing here knows the domain: a chart is lanes of dated marks (points or
intervals), bands (a state between two dates) and bars (a count on a day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH = 960
LEFT = 150  # room for lane titles
RIGHT = 24
TOP = 20  # room for the 'as of' label
AXIS = 34  # room for tick labels under the lanes
GAP = 6
DOT_STEP = 11  # vertical distance between dots of one day
MAX_STACK = 12  # dots drawn on one day before "+N"
NOTE_SPACING = 30  # px between two "+N" notes
BAND_HEIGHT = 30
BAR_HEIGHT = 60
CHAR_WIDTH = 6.6  # px of one character of a band's label (11 px sans-serif)
MAX_DOTS = 100  # marks a lane draws as dots; past it (when it can zoom) it draws counts per period
MAX_BINS = 36  # periods a binned lane is cut into, at most
BIN_HEIGHT = 60


@dataclass(frozen=True)
class Mark:
    """Something that happened between ``earliest`` and ``latest`` (the same day for a plain date)."""

    earliest: date
    latest: date
    label: str
    href: str
    kind: str = "development"


@dataclass(frozen=True)
class Band:
    """A state that held from ``start`` until ``end``."""

    start: date
    end: date
    label: str
    kind: str


@dataclass(frozen=True)
class Bar:
    """A count on one day (deaths reported, for instance)."""

    day: date
    value: int
    label: str
    href: str


#: the address of a narrower chart from one day to another (where a binned period's dots are drawn)
Zoom = Callable[[date, date], str]


@dataclass
class Lane:
    """One row of the chart: its marks, bands or bars.

    A lane that can ``zoom`` draws its marks as counts per period (week, month,
    quarter or year) when more than ``MAX_DOTS`` fall in the chart's span: each
    period links to the narrower chart of that period, where the dots are drawn.
    """

    title: str
    marks: list[Mark] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    zoom: Zoom | None = None


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    x_from: float  # where an interval starts (== x for a plain date)
    label: str
    href: str
    kind: str


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    label: str
    kind: str
    text: str  # drawn inside when the rect is wide enough, else ""
    href: str = ""


@dataclass(frozen=True)
class Note:
    x: float
    y: float
    text: str


@dataclass
class DrawnLane:
    title: str
    y: float
    height: float
    dots: list[Dot] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    binned: str = ""  # the period its marks are counted by ("month"), when they are

    @property
    def title_y(self) -> float:
        return self.y + self.height / 2 + 4


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str = "middle"  # "start" or "end" near the chart's edges, so that no label is cut


@dataclass
class Chart:
    """Everything the template needs to draw: sizes, lanes, ticks and an optional 'as of' line."""

    width: int
    height: float
    left: int
    right: int
    lanes: list[DrawnLane]
    ticks: list[Tick]
    start: date
    end: date
    axis_y: float
    marker_x: float | None = None
    marker_label: str = ""

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def focus(self) -> float:
        """Where a narrow screen should look first, as a share of the width: the marker, else the latest dot or bar."""
        if self.marker_x is not None:
            return round(self.marker_x / self.width, 3)
        xs = [d.x for lane in self.lanes for d in lane.dots] + [
            r.x + r.width for lane in self.lanes for r in lane.rects if r.href
        ]
        return round(max(xs) / self.width, 3) if xs else 1.0

    @property
    def binned(self) -> list[DrawnLane]:
        """The lanes drawn as counts per period."""
        return [lane for lane in self.lanes if lane.binned]


def draw(lanes: list[Lane], start: date, end: date, marker: date | None = None, marker_label: str = "") -> Chart:
    """Lay lanes out on one time axis from ``start`` to ``end``."""
    if end <= start:
        end = start + timedelta(days=1)
    scale = _Scale(start, end, LEFT, WIDTH - RIGHT)
    drawn: list[DrawnLane] = []
    y = float(TOP)
    for lane in lanes:
        height = _lane_height(lane, scale)
        drawn.append(_draw_lane(lane, scale, y, height))
        y += height + GAP
    axis_y = y
    chart = Chart(WIDTH, axis_y + AXIS, LEFT, RIGHT, drawn, ticks(start, end, scale), start, end, axis_y)
    if marker is not None and start <= marker <= end:
        chart.marker_x = scale.x(marker)
        chart.marker_label = marker_label or marker.isoformat()
    return chart


def span(days: list[date], marker: date | None = None, window: int | None = None) -> tuple[date, date]:
    """The dates a chart should cover: all of ``days`` (and the marker), or the last ``window`` days of them."""
    if not days and marker is None:
        today = date.today()
        return today - timedelta(days=30), today
    every = [*days, *([marker] if marker else [])]
    start, end = min(every), max(every)
    if window is not None:
        start = max(start, end - timedelta(days=window))
    pad = max(1, (end - start).days // 40)
    return start - timedelta(days=pad), end + timedelta(days=pad)


@dataclass(frozen=True)
class _Scale:
    start: date
    end: date
    left: float
    right: float

    def x(self, day: date) -> float:
        days = (self.end - self.start).days
        clamped = min(max(day, self.start), self.end)
        return round(self.left + (clamped - self.start).days / days * (self.right - self.left), 1)

    def shows(self, day: date) -> bool:
        return self.start <= day <= self.end


def _stacks(marks: list[Mark], scale: _Scale) -> dict[float, list[Mark]]:
    """Marks grouped by the pixel column they fall in (3 px wide), in the order given."""
    columns: dict[float, list[Mark]] = defaultdict(list)
    for mark in marks:
        if scale.shows(mark.latest):
            columns[round(scale.x(mark.latest) / 3) * 3.0].append(mark)
    return columns


def _bar_columns(bars: list[Bar], scale: _Scale) -> dict[float, list[Bar]]:
    """Bars summed by the pixel column they fall in (4 px wide), the largest first in each."""
    columns: dict[float, list[Bar]] = defaultdict(list)
    for bar in bars:
        if scale.shows(bar.day):
            columns[round(scale.x(bar.day) / 4) * 4.0].append(bar)
    return {x: sorted(c, key=lambda b: -b.value) for x, c in columns.items()}


def _bars_label(bars: list[Bar], value: int) -> str:
    if len(bars) == 1:
        return bars[0].label
    first, last = min(b.day for b in bars), max(b.day for b in bars)
    return f"{value:,} in {len(bars)} reports from {first.isoformat()} to {last.isoformat()}; largest: {bars[0].label}"


def _crowded(lane: Lane, scale: _Scale) -> bool:
    """True when the lane can zoom and more of its marks fall in the span than it draws as dots."""
    return lane.zoom is not None and sum(1 for m in lane.marks if scale.shows(m.latest)) > MAX_DOTS


def _week(day: date) -> tuple[date, date]:
    first = day - timedelta(days=day.weekday())
    return first, first + timedelta(days=7)


def _months(step: int) -> Callable[[date], tuple[date, date]]:
    def period(day: date) -> tuple[date, date]:
        index = day.year * 12 + day.month - 1
        index -= index % step
        after = index + step
        return date(index // 12, index % 12 + 1, 1), date(after // 12, after % 12 + 1, 1)

    return period


#: periods to count marks by: (name, its most days, the first day of the period holding a day and of the next)
PERIODS: tuple[tuple[str, int, Callable[[date], tuple[date, date]]], ...] = (
    ("week", 7, _week),
    ("month", 31, _months(1)),
    ("quarter", 92, _months(3)),
    ("year", 366, _months(12)),
    ("decade", 3653, _months(120)),
)


def bins(marks: list[Mark], start: date, end: date) -> tuple[str, list[tuple[date, date, int]]]:
    """The marks between ``start`` and ``end`` counted per period, the shortest period giving at most ``MAX_BINS``.

    Each bin is (first day, last day, count); periods with no mark are left out.
    """
    days = (end - start).days + 1
    name, _, period = next((p for p in PERIODS if days / p[1] <= MAX_BINS), PERIODS[-1])
    counts: dict[tuple[date, date], int] = defaultdict(int)
    for mark in marks:
        if start <= mark.latest <= end:
            counts[period(mark.latest)] += 1
    return name, [(first, after - timedelta(days=1), n) for (first, after), n in sorted(counts.items())]


def _lane_height(lane: Lane, scale: _Scale) -> float:
    height = 0.0
    if lane.bands:
        height = max(height, BAND_HEIGHT)
    if lane.bars:
        height = max(height, BAR_HEIGHT)
    if _crowded(lane, scale):
        return max(height, BIN_HEIGHT)
    if lane.marks:
        deepest = max((len(c) for c in _stacks(lane.marks, scale).values()), default=1)
        height = max(height, 14 + min(deepest, MAX_STACK) * DOT_STEP)
    return max(height, 24)


def _draw_lane(lane: Lane, scale: _Scale, y: float, height: float) -> DrawnLane:
    drawn = DrawnLane(lane.title, y, height)
    for band in lane.bands:
        x0, x1 = scale.x(band.start), scale.x(band.end)
        if x1 - x0 < 0.5:
            continue
        text = band.label if x1 - x0 >= len(band.label) * CHAR_WIDTH + 12 else ""
        title = f"{band.label}: {band.start.isoformat()} to {band.end.isoformat()}"
        drawn.rects.append(Rect(x0, y + 2, round(x1 - x0, 1), height - 4, title, band.kind, text))
    if lane.bars:
        columns = _bar_columns(lane.bars, scale)
        top = max((sum(b.value for b in c) for c in columns.values()), default=0) or 1
        for x, bars in columns.items():
            value = sum(b.value for b in bars)
            h = max(2.0, round(value / top * (height - 16), 1))
            drawn.rects.append(Rect(x - 2, y + height - h, 4, h, _bars_label(bars, value), "bar", "", bars[0].href))
        drawn.notes.append(Note(scale.right - 4, y + 11, f"max {top:,}"))
    if lane.zoom is not None and _crowded(lane, scale):
        _draw_bins(drawn, lane.marks, lane.zoom, scale, y, height)
        return drawn
    noted = float("-inf")
    for column, marks in sorted(_stacks(lane.marks, scale).items()):
        for i, mark in enumerate(marks[:MAX_STACK]):
            dot_y = y + height - 8 - i * DOT_STEP
            drawn.dots.append(Dot(column, dot_y, scale.x(mark.earliest), mark.label, mark.href, mark.kind))
        if len(marks) > MAX_STACK and column - noted >= NOTE_SPACING:  # crowded notes would overlap
            drawn.notes.append(Note(column + 6, y + 10, f"+{len(marks) - MAX_STACK}"))
            noted = column
    return drawn


def _draw_bins(drawn: DrawnLane, marks: list[Mark], zoom: Zoom, scale: _Scale, y: float, height: float) -> None:
    """The lane's marks as one bar a period, its height the count, linking to the period's own chart."""
    name, counted = bins(marks, scale.start, scale.end)
    drawn.binned = name
    top = max((n for _, _, n in counted), default=1)
    for first, last, n in counted:
        x0, x1 = scale.x(first), scale.x(last + timedelta(days=1))
        width = max(2.0, round(x1 - x0 - 1, 1))
        h = max(3.0, round(n / top * (height - 16), 1))
        plural = "s" if n != 1 else ""
        label = f"{n:,} development{plural} from {first.isoformat()} to {last.isoformat()}: open to see them"
        text = f"{n:,}" if width >= len(f"{n:,}") * CHAR_WIDTH + 4 and h >= 16 else ""
        drawn.rects.append(Rect(x0, y + height - h, width, h, label, "bin", text, zoom(first, last)))
    drawn.notes.append(Note(scale.right - 4, y + 11, f"per {name}, max {top:,}"))


MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
DAY_STEPS = (1, 2, 7, 14)
MAX_TICKS = 9


def ticks(start: date, end: date, scale: _Scale | None = None) -> list[Tick]:
    """Round dates between ``start`` and ``end``: days, weeks, months or years, at most about nine."""
    scale = scale or _Scale(start, end, LEFT, WIDTH - RIGHT)
    days = (end - start).days
    for step in DAY_STEPS:
        if days / step <= MAX_TICKS:
            first = start + timedelta(days=(-start.toordinal()) % step)
            found = [first + timedelta(days=step * i) for i in range(days // step + 2)]
            return [_tick(scale, d, d.isoformat()) for d in found if start <= d <= end]
    months = (end.year - start.year) * 12 + end.month - start.month
    step = next((s for s in MONTH_STEPS if months / s <= MAX_TICKS), MONTH_STEPS[-1])
    index = start.year * 12 + start.month - 1
    index += (-index) % step
    found = []
    while True:
        day = date(index // 12, index % 12 + 1, 1)
        if day > end:
            break
        if day >= start:
            found.append(day)
        index += step
    label = (lambda d: str(d.year)) if step % 12 == 0 else (lambda d: d.strftime("%Y-%m"))
    return [_tick(scale, d, label(d)) for d in found]


def _tick(scale: _Scale, day: date, label: str) -> Tick:
    x = scale.x(day)
    room = len(label) * 3.5
    anchor = "start" if x - room < scale.left - 40 else "end" if x + room > scale.right + RIGHT else "middle"
    return Tick(x, label, anchor)
