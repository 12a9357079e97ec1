"""The pages in a real browser: Chromium driven by Playwright against a real ``serve`` process.

Chromium is the machine's, as ``tests.browser.chromium`` finds it (these tests
skip without it, except in CI).  Each test saves a screenshot under
``test-artifacts/``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.browser.chromium import TIMEOUT_MS, screenshot, seeded_server, tab
from tests.e2e.server import Server

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with seeded_server(tmp_path_factory.mktemp("pages"), workers=2) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with tab(browser) as opened:
        yield opened


def test_the_overview_lists_the_seed_articles_conflicts(server: Server, page: Any) -> None:
    page.goto(server.url + "/")
    rows = page.locator("table.conflicts tbody tr")
    assert rows.count() == 3
    names = [rows.nth(i).locator("th a").first.inner_text() for i in range(3)]
    assert sorted(names) == ["Eastern Ukraine", "Libya", "Syria"]
    assert "violated" in rows.filter(has_text="Eastern Ukraine").inner_text()
    screenshot(page, "overview")


def test_moving_the_ukraine_date_control_to_mid_january_2020_shows_the_ceasefire_commitment_overdue(
    server: Server, page: Any
) -> None:
    page.goto(server.url + "/conflicts/ukraine-east")
    commitment = page.locator("#commitment-paris-2019-ceasefire")
    assert "broken" in commitment.inner_text()
    page.get_by_label("Date of the world (as of)").fill("2020-01-15")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2020-01-15"))
    assert "overdue" in commitment.inner_text()
    assert "overdue" in (commitment.get_attribute("class") or "")
    assert page.locator("#ceasefire-status").inner_text().strip() == "agreed"
    assert page.locator("#timeline-chart .marker").count() == 1
    screenshot(page, "conflict")


def test_the_record_time_control_shows_what_was_known_then_and_stays_in_the_url(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/ukraine-east?as_of=2020-07-01")
    slider = page.get_by_label("Record time (known at log position)")
    slider.focus()
    for _ in range(12):  # 21 -> 9, with the keyboard
        page.keyboard.press("ArrowLeft")
    assert page.locator("#known_at-out").inner_text() == "9"
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2020-07-01&known_at=9"))
    assert "as known at log position 9 of" in page.locator("#asked").inner_text()
    assert page.locator("text=normandy-berlin-2020").count() == 0


def test_the_live_list_shows_a_development_posted_during_the_test(server: Server, page: Any) -> None:
    page.goto(server.url + "/")
    status = page.locator("#live-status")
    status.filter(has_text="Following the log live").wait_for()
    summary = f"A statement posted while the page was open ({uuid.uuid4().hex[:8]})."
    development = {
        "type": "StatementIssued",
        "occurred": "2020-06-27",
        "conflicts": ["libya"],
        "actors": ["FRA"],
        "sources": [{"name": "browser test"}],
        "summary": summary,
        "data": {"by": "FRA", "text": "A statement."},
    }
    posted = requests.post(server.url + "/v1/events", json=development, headers=server.token("submitter"), timeout=30)
    assert posted.status_code == 201, posted.text
    first = page.locator("#live-list li").first
    first.filter(has_text=summary).wait_for()
    assert f"#{posted.json()['position']}" in first.inner_text()
    screenshot(page, "overview-live")


def test_the_audit_page_shows_the_replay_steps(server: Server, page: Any) -> None:
    page.goto(server.url + "/audit/ukraine-east")
    steps = page.locator("li.step")
    assert steps.count() >= 12
    violated = page.locator("#step-20")
    assert "The fighting in eastern Ukraine continues." in violated.inner_text()
    assert re.search(r"ceasefire . status\s+agreed\s+violated", violated.locator("table").inner_text())
    assert "intact" in page.locator("#verify-result").inner_text()
    page.get_by_label("From").fill("2020-01-15")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"from=2020-01-15"))
    assert "overdue" in page.locator("#differences").inner_text()
    screenshot(page, "audit")


def test_the_agenda_page_shows_the_topics_on_a_timeline(server: Server, page: Any) -> None:
    page.goto(server.url + "/agendas/FRA/RUS")
    assert page.locator("#topics-h + .table-scroll tbody tr").count() == 10
    assert page.locator("#agenda-chart circle").count() >= 13
    screenshot(page, "agenda")


def test_a_keyboard_user_can_skip_to_the_content_and_open_a_facts_evidence(server: Server, page: Any) -> None:
    page.goto(server.url + "/conflicts/libya")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    evidence = page.locator("#ceasefire-h ~ details.evidence").first
    evidence.locator("summary").focus()
    page.keyboard.press("Enter")
    assert evidence.get_attribute("open") is not None
    assert "Kremlin" in evidence.inner_text()


def test_the_conflict_page_reads_on_a_phone(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(server.url + "/conflicts/ukraine-east")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width} px wide)"
        screenshot(phone, "conflict-phone")
    finally:
        context.close()


def test_the_api_docs_render_every_operation_under_their_strict_policy(server: Server, page: Any) -> None:
    """Swagger UI starts from the service's own script: a CSP violation would be a console error (see ``page``).

    Swagger UI reads the whole document before it shows anything, which on a
    busy machine takes longer than a page of ours: this test waits up to a minute.
    """
    page.set_default_timeout(4 * TIMEOUT_MS)
    answer = page.goto(server.url + "/docs")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    page.locator(".opblock").first.wait_for()
    operations = len(requests.get(server.url + "/openapi.json", timeout=30).json()["paths"])
    assert page.locator(".opblock").count() >= operations
    screenshot(page, "docs")
