"""Finding, taking away and following, in Chromium: search, CSV, print, the chart by keyboard and on a phone, live tabs.

Against a real ``serve`` of one worker with one feed slot (``STREAM_SLOTS=1``), so
that a second browser's live list is refused and must poll.  The machine's Chromium
is used as in ``test_pages_browser``; without it these tests skip and say why.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.chromium import PHONE, TIMEOUT_MS, screenshot, seeded_server, tab
from tests.e2e.server import Server

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seeded_server(tmp_path_factory.mktemp("finding"), workers=1, extra_env={"STREAM_SLOTS": "1"}) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with tab(browser, console_errors=False, accept_downloads=True) as opened:
        yield opened


def statement(summary: str) -> dict[str, Any]:
    return {
        "type": "StatementIssued",
        "occurred": "2020-06-27",
        "conflicts": ["libya"],
        "actors": ["FRA"],
        "sources": [{"name": "browser test"}],
        "summary": summary,
        "data": {"by": "FRA", "text": "A statement."},
    }


# -- finding and taking away ------------------------------------------------------------


def test_searching_the_overview_keeps_the_search_in_the_address_and_finds_one_conflict(
    server: Server, page: Any
) -> None:
    page.goto(server.url + "/")
    page.get_by_label("Search").fill("ukraine")
    page.get_by_label("violated").check()
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"\?q=ukraine&status=violated"))
    assert "region=" not in page.url and "sort=" not in page.url  # blanks are left out of the address
    rows = page.locator("table.conflicts tbody tr")
    assert rows.count() == 1
    assert "Eastern Ukraine" in rows.first.inner_text()
    assert "1 of 3 conflicts match." in page.locator("#found").inner_text()
    screenshot(page, "overview-search")


def test_the_overview_downloads_the_conflicts_it_shows_as_csv(server: Server, page: Any) -> None:
    page.goto(server.url + "/?region=North+Africa")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these as CSV").click()
    assert download.value.suggested_filename == "conflicts.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("conflict,name,region,ceasefire,summary")
    assert len(lines) == 2 and lines[1].startswith("libya,Libya,North Africa,")


def test_printing_a_conflict_gives_a_few_pages_without_form_controls(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/ukraine-east")
    page.emulate_media(media="print")
    assert page.locator("form.controls").is_hidden()
    assert page.locator("#timeline-csv").is_hidden()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 4, pages


# -- the chart, by keyboard and on a phone ----------------------------------------------


def test_the_chart_is_one_tab_stop_that_arrows_move_in_and_escape_leaves(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/ukraine-east?window=all")
    links = page.locator("#timeline-chart a")
    assert links.count() > 5
    links.first.focus()
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second != first and second == links.nth(1).get_attribute("href")
    assert links.nth(1).get_attribute("tabindex") == "0" and links.first.get_attribute("tabindex") == "-1"
    page.keyboard.press("Tab")  # Tab leaves the chart: focus is past it, not on its next dot
    assert page.evaluate("document.activeElement.closest('svg') === null")
    page.keyboard.press("Shift+Tab")  # and back in: the link last used is the chart's one stop
    assert page.evaluate("document.activeElement.getAttribute('href')") == second
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "timeline-chart-figure"
    page.keyboard.press("Tab")  # after Escape, Tab goes past the chart too
    assert page.evaluate("document.activeElement.closest('figure') === null")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == second


def visible_in_scroller(page: Any, selector: str) -> bool:
    script = """(selector) => {
      const fig = document.querySelector('#timeline-chart-figure, #agenda-chart-figure');
      const view = fig.querySelector('.chart-scroll').getBoundingClientRect();
      return [...fig.querySelectorAll(selector)].some(el => {
        const box = el.getBoundingClientRect();
        return box.right > view.left && box.left < view.right;
      });
    }"""
    return bool(page.evaluate(script, selector))


def test_on_a_phone_the_chart_shows_the_as_of_marker_and_says_it_scrolls(server: Server, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    try:
        phone = context.new_page()
        phone.goto(server.url + "/conflicts/ukraine-east?as_of=2019-12-20")
        assert visible_in_scroller(phone, ".marker")
        assert visible_in_scroller(phone, "circle")
        assert phone.locator(".scroll-hint").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "conflict-chart-phone")
        phone.goto(server.url + "/agendas/FRA/RUS")
        assert visible_in_scroller(phone, "circle"), "the agenda's dots are off-screen"
        screenshot(phone, "agenda-chart-phone")
    finally:
        context.close()


# -- the time controls ------------------------------------------------------------------


def test_show_leaves_the_record_time_out_of_the_address_when_it_is_the_head(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/ukraine-east")
    page.get_by_label("Date of the world (as of)").fill("2020-01-15")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2020-01-15"))
    assert "known_at" not in page.url


def test_after_back_the_slider_says_what_the_page_says(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/ukraine-east?as_of=2020-07-01")
    head = page.locator("#known_at-out").inner_text()
    slider = page.get_by_label("Record time (known at log position)")
    slider.focus()
    for _ in range(12):
        page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"known_at="))
    page.go_back()
    page.wait_for_url(re.compile(r"as_of=2020-07-01$"))
    assert f"log position {head} of" in page.locator("#asked").inner_text()
    assert slider.input_value() == head
    assert page.locator("#known_at-out").inner_text() == head


def test_audit_this_conflict_keeps_the_date_asked(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/ukraine-east?as_of=2020-01-15")
    page.get_by_role("link", name="Audit this conflict at this point").click()
    page.wait_for_url(re.compile(r"/audit/ukraine-east\?from=2020-01-14&to=2020-01-15"))


# -- the live list ----------------------------------------------------------------------


def test_tabs_of_one_browser_share_one_feed_and_each_shows_a_new_development(server: Server, browser: Any) -> None:
    context = browser.new_context()
    streams: list[str] = []
    context.on("request", lambda r: streams.append(r.url) if "/v1/events/stream" in r.url else None)
    try:
        tabs = [context.new_page() for _ in range(4)]  # more tabs than the service's feed slots
        for tab in tabs:
            tab.set_default_timeout(TIMEOUT_MS)
            tab.goto(server.url + "/")
        # the leader follows the feed (or polls, while a feed of an earlier test still holds the slot)
        tabs[0].locator("#live-status").filter(has_text=re.compile("Following the log live:|checking")).wait_for()
        summary = f"Seen by every tab ({uuid.uuid4().hex[:8]})."
        posted = requests.post(server.url + "/v1/events", json=statement(summary), headers=server.token("submitter"))
        assert posted.status_code == 201, posted.text
        for tab in tabs:
            tab.locator("#live-list li").first.filter(has_text=summary).wait_for()
        assert len(streams) == 1, streams
        assert "through another tab" in tabs[3].locator("#live-status").inner_text()
    finally:
        context.close()


def wait_for_a_free_feed_slot(server: Server) -> None:
    """Until the feed answers: a closed tab's feed holds its slot until the server's next heartbeat finds it gone."""
    for _ in range(60):
        answer = requests.get(f"{server.url}/v1/events/stream?after=0&limit=1&wait=0.1", timeout=30)
        if answer.status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError("the feed slot stayed busy for 30 s")


def test_a_browser_refused_the_feed_polls_and_catches_up(server: Server, browser: Any) -> None:
    first, second = browser.new_context(), browser.new_context()  # two browsers: no tab to share with
    try:
        wait_for_a_free_feed_slot(server)
        holder = first.new_page()
        holder.goto(server.url + "/")
        holder.locator("#live-status").filter(has_text="Following the log live:").wait_for()
        refused = requests.get(server.url + "/v1/events/stream", headers={"Accept": "text/event-stream"}, timeout=30)
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        late = second.new_page()
        late.set_default_timeout(TIMEOUT_MS)
        late.goto(server.url + "/")
        late.locator("#live-status").filter(has_text="checking for new developments").wait_for()
        summary = f"Caught up by polling ({uuid.uuid4().hex[:8]})."
        posted = requests.post(server.url + "/v1/events", json=statement(summary), headers=server.token("submitter"))
        assert posted.status_code == 201, posted.text
        late.locator("#live-list li").first.filter(has_text=summary).wait_for()
        screenshot(late, "overview-live-polling")
    finally:
        first.close()
        second.close()
