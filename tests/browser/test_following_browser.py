"""Following changes, in Chromium: the "What changed" page, its Atom feeds, and a webhook to a local receiver.

Against a real ``serve`` of one worker, loaded with the seed article, whose
webhook deliverer looks at its outbox every 0.2 s.  The developments posted here
are commitments with names of their own, so each changes its conflict whatever
the other tests posted.  Chromium as ``tests.browser.chromium`` finds it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest
import requests
from standardwebhooks.webhooks import Webhook

from service.pages.views import fact, shown
from tests.browser.chromium import PHONE, TIMEOUT_MS, screenshot, seeded_server, tab
from tests.e2e.server import Server
from tests.receiver import receiving

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SEED_RANGE = "/changes?from=2020-01-15&to=2020-06-27"
FEED = 'link[rel="alternate"][type="application/atom+xml"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seeded_server(tmp_path_factory.mktemp("following"), workers=1, extra_env={"WEBHOOK_POLL": "0.2"}) as running:
        yield running


@pytest.fixture(scope="module")
def submitter(server: Server) -> dict[str, str]:
    return server.token("submitter")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with tab(browser) as opened:
        yield opened


def commit(server: Server, headers: dict[str, str]) -> dict[str, Any]:
    """Post a commitment of France and Russia on Libya, named for this call; the stored development."""
    name = f"talks-{uuid.uuid4().hex[:8]}"
    development = {
        "type": "CommitmentMade",
        "occurred": "2020-06-27",
        "conflicts": ["libya"],
        "actors": ["FRA", "RUS"],
        "sources": [{"name": "browser test"}],
        "summary": f"France and Russia committed to {name}.",
        "data": {"commitment": name, "description": "talks on Libya", "parties": ["FRA", "RUS"], "due": "2020-12-31"},
    }
    posted = requests.post(server.url + "/v1/events", json=development, headers=headers, timeout=30)
    assert posted.status_code == 201, posted.text
    stored: dict[str, Any] = posted.json()
    return stored


def section(page: Any, label: str) -> Any:
    """The page's section of one conflict or agenda that changed."""
    return page.locator("section.changed").filter(has=page.get_by_role("heading", name=label, exact=False))


def scope_labels(page: Any) -> list[str]:
    """The conflicts and agendas the page lists, in its order."""
    return [text.strip() for text in page.locator("section.changed h2 a").all_inner_texts()]


def fits(page: Any, width: int) -> None:
    """The page does not scroll sideways at this width."""
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page scrolls sideways ({scrolled} px wide at {width} px)"


# -- the page -----------------------------------------------------------------------------


def test_what_changed_is_reached_from_the_header_and_keeps_its_two_dates_through_back_and_reload(
    server: Server, page: Any
) -> None:
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="What changed").click()
    page.wait_for_url(re.compile(r"/changes$"))
    page.get_by_label("From", exact=True).fill("2020-01-15")
    page.get_by_label("To", exact=True).fill("2020-06-27")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(re.escape(SEED_RANGE) + "$"))
    assert sorted(scope_labels(page)) == ["FRA \u2013 RUS", "libya", "ukraine-east"]
    basis = section(page, "libya").locator("tr").filter(has_text="ceasefire \u203a basis")
    assert "Berlin Conference, UN Security Council Resolution 2510" in basis.locator("td.after").inner_text()
    basis.locator("details.evidence summary").click()
    evidence = basis.locator("details.evidence a", has_text="ceasefire")
    assert re.fullmatch(r"/developments/[0-9a-f-]{36}", evidence.get_attribute("href") or "")
    fits(page, 1280)
    screenshot(page, "changes")
    said = page.locator("#changes-summary").inner_text()
    evidence.click()
    page.wait_for_url(re.compile(r"/developments/"))
    page.go_back()
    page.wait_for_url(re.compile(re.escape(SEED_RANGE) + "$"))
    assert page.get_by_label("From", exact=True).input_value() == "2020-01-15"
    assert page.locator("#changes-summary").inner_text() == said
    page.reload()
    assert page.get_by_label("To", exact=True).input_value() == "2020-06-27"
    assert page.locator("#changes-summary").inner_text() == said


def test_a_range_that_runs_backwards_shows_the_pages_notice_and_keeps_what_was_typed(server: Server, page: Any) -> None:
    page.goto(server.url + "/changes")
    page.get_by_label("From", exact=True).fill("2020-06-27")
    page.get_by_label("To", exact=True).fill("2020-01-15")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"from=2020-06-27&to=2020-01-15"))
    notice = page.get_by_role("alert")
    assert "later than to" in notice.inner_text() and "swap them" in notice.inner_text()
    assert page.get_by_label("From", exact=True).input_value() == "2020-06-27"
    assert page.locator("section.changed").count() == 0
    page.get_by_label("From", exact=True).fill("last week")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"from=last\+week"))
    assert "is neither a date (2020-01-15), a log position (42), nor both" in notice.inner_text()
    assert "Traceback" not in page.content()


def test_on_a_phone_the_changes_read_without_sideways_scrolling(server: Server, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    try:
        phone = context.new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        phone.goto(server.url + SEED_RANGE)
        assert section(phone, "ukraine-east").locator("tbody tr").first.is_visible()
        fits(phone, 390)
        screenshot(phone, "changes-phone")
    finally:
        context.close()


def test_a_keyboard_user_compares_two_positions_and_opens_a_facts_evidence(server: Server, page: Any) -> None:
    page.goto(server.url + "/changes")

    def tab_to(selector: str) -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#from")
    page.keyboard.press("Control+A")
    page.keyboard.type("2020-06-27@10")  # known before France and Russia's call for a ceasefire (position 11)
    tab_to("#to")
    page.keyboard.press("Control+A")
    page.keyboard.type("2020-06-27@21")
    tab_to("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"from=2020-06-27%4010&to=2020-06-27%4021$"))
    assert "libya" in scope_labels(page)
    tab_to("section.changed details.evidence summary")
    page.keyboard.press("Enter")
    opened = page.locator("section.changed details.evidence[open]")
    assert opened.count() == 1 and opened.locator("a").first.is_visible()


# -- the feeds ----------------------------------------------------------------------------


def test_the_feeds_a_page_names_parse_and_hold_a_development_submitted_during_the_test(
    server: Server, submitter: dict[str, str], page: Any
) -> None:
    page.goto(server.url + "/changes")
    every = urljoin(page.url, page.locator(FEED).get_attribute("href"))
    stored = commit(server, submitter)
    answer = page.request.get(every)
    assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.body())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert f"libya: {stored['summary']}" in [entry.title for entry in parsed.entries]

    page.goto(server.url + "/conflicts/libya")
    one = urljoin(page.url, page.locator(FEED + '[title="Changes to libya"]').get_attribute("href"))
    assert one.endswith("/v1/conflicts/libya/changes.atom")
    parsed = feedparser.parse(page.request.get(one).body())
    assert not parsed.bozo, parsed.get("bozo_exception")
    newest = parsed.entries[0]
    assert newest.title == f"libya: {stored['summary']}"
    page.goto(newest.link)  # the entry's link: the audit page's step of that development
    assert stored["summary"] in page.locator(f"#step-{stored['position']}").inner_text()


# -- a webhook ----------------------------------------------------------------------------


def deliveries_until_delivered(server: Server, headers: dict[str, str], ident: str) -> list[dict[str, Any]]:
    """The subscription's deliveries once none is pending (AssertionError after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        answer = requests.get(f"{server.url}/v1/subscriptions/{ident}/deliveries", headers=headers, timeout=30)
        items: list[dict[str, Any]] = answer.json()["items"]
        if items and all(d["status"] == "delivered" for d in items):
            return items
        assert time.monotonic() < deadline, f"still not delivered after 30 s: {items}"
        time.sleep(0.2)


def test_a_webhook_arrives_signed_is_listed_delivered_and_announces_what_the_page_shows(
    server: Server, submitter: dict[str, str], page: Any
) -> None:
    with receiving() as receiver:
        wanted = {"url": receiver.url, "conflicts": ["libya"]}
        made = requests.post(server.url + "/v1/subscriptions", json=wanted, headers=submitter, timeout=30)
        assert made.status_code == 201, made.text
        ident, secret = made.json()["id"], made.json()["secret"]
        try:
            stored = commit(server, submitter)
            received = receiver.wait_for(1, seconds=30)[0]
            message = Webhook(secret).verify(received.body, received.headers)
            delivered = deliveries_until_delivered(server, submitter, ident)
        finally:
            requests.delete(f"{server.url}/v1/subscriptions/{ident}", headers=submitter, timeout=30)
    assert len(receiver.requests) == 1
    assert message["type"] == "conflict.changed"
    data = message["data"]
    assert data["position"] == stored["position"] and data["development"]["id"] == stored["id"]
    assert [(d["position"], d["scope"], d["attempts"]) for d in delivered] == [
        (stored["position"], {"kind": "conflict", "id": "libya"}, 1)
    ]

    position = stored["position"]  # the webhook compared the log just before and just after it, as of today
    page.goto(f"{server.url}/changes")
    page.get_by_label("From", exact=True).fill(str(position - 1))
    page.get_by_label("To", exact=True).fill(str(position))
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(rf"from={position - 1}&to={position}$"))
    assert scope_labels(page) == [data["scope"]["id"]]
    rows = section(page, "libya").locator("tbody tr")
    shown_rows = [
        (rows.nth(i).locator("th").inner_text(), rows.nth(i).locator("td.after").inner_text())
        for i in range(rows.count())
    ]
    assert shown_rows == [(fact(d["field"]), shown(d["after"])) for d in data["differences"]]
    evidence = rows.first.locator("details.evidence a", has_text=stored["summary"])
    assert evidence.get_attribute("href") == f"/developments/{stored['id']}"
