"""Charts that stay light: counts per period past a hundred dots, each period linking to its own chart."""

from __future__ import annotations

from datetime import date, timedelta

from service.pages import charts


def marks(count: int, first: date, every: int = 1) -> list[charts.Mark]:
    days = [first + timedelta(days=every * n) for n in range(count)]
    return [charts.Mark(d, d, f"development {n}", f"/developments/{n}") for n, d in enumerate(days)]


def zoom(first: date, last: date) -> str:
    return f"/zoom?from={first}&to={last}"


def test_a_lane_that_can_zoom_draws_dots_up_to_a_hundred_and_counts_per_period_past_them() -> None:
    few = charts.draw(
        [charts.Lane("Developments", marks=marks(100, date(2020, 1, 1)), zoom=zoom)],
        date(2020, 1, 1),
        date(2020, 12, 31),
    )
    assert len(few.lanes[0].dots) == 100 and not few.binned
    many = charts.draw(
        [charts.Lane("Developments", marks=marks(101, date(2020, 1, 1)), zoom=zoom)],
        date(2020, 1, 1),
        date(2020, 12, 31),
    )
    lane = many.lanes[0]
    assert lane.dots == [] and lane.binned == "month"
    assert sum(int(r.label.split(" ")[0]) for r in lane.rects) == 101
    assert lane.rects[0].href == "/zoom?from=2020-01-01&to=2020-01-31"
    assert lane.rects[0].label.startswith("31 developments from 2020-01-01 to 2020-01-31")


def test_a_lane_that_cannot_zoom_keeps_its_dots_however_many() -> None:
    chart = charts.draw(
        [charts.Lane("Contacts", marks=marks(300, date(2020, 1, 1)))], date(2020, 1, 1), date(2020, 12, 31)
    )
    assert chart.lanes[0].binned == "" and chart.lanes[0].dots


def test_the_period_grows_with_the_span_so_that_a_chart_never_has_more_than_36_bars() -> None:
    for days, period in ((120, "week"), (365, "month"), (5 * 365, "quarter"), (12 * 365, "year")):
        start = date(2014, 1, 1)
        name, counted = charts.bins(marks(days, start), start, start + timedelta(days=days))
        assert name == period
        assert len(counted) <= charts.MAX_BINS
        assert sum(n for _, _, n in counted) == days


def test_weeks_start_on_monday_and_quarters_on_the_first_of_january_april_july_october() -> None:
    _, weeks = charts.bins(marks(1, date(2020, 1, 2)), date(2020, 1, 1), date(2020, 3, 1))
    assert weeks == [(date(2019, 12, 30), date(2020, 1, 5), 1)]
    _, quarters = charts.bins(marks(1, date(2020, 5, 17)), date(2016, 1, 1), date(2020, 12, 31))
    assert quarters == [(date(2020, 4, 1), date(2020, 6, 30), 1)]


def test_a_narrow_screen_looks_first_at_the_marker_else_at_the_latest_dot() -> None:
    lane = charts.Lane("Developments", marks=marks(3, date(2020, 1, 1), every=30))
    marked = charts.draw([lane], date(2020, 1, 1), date(2020, 12, 31), date(2020, 6, 1))
    assert marked.marker_x is not None and marked.focus == round(marked.marker_x / marked.width, 3)
    unmarked = charts.draw([lane], date(2020, 1, 1), date(2020, 12, 31))
    assert unmarked.focus == round(max(d.x for d in unmarked.lanes[0].dots) / unmarked.width, 3)
