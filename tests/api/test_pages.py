"""Pages for people, through the Flask test client on SQLite: what they show, and how they fail.

The browser tests (tests/test_pages_browser.py) drive the same pages in Chromium
against a real ``serve`` process; these check the server side alone, fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from projections.audit import Auditor
from projections.queries import ScopeNotFound
from service.app import create_app
from service.pages import charts
from service.settings import Settings
from tests.conftest import make_token, seed_lines

SEP = " \u203a "  # how the audit page writes a field path: ceasefire > status


@pytest.fixture
def pages_app(sqlite_url: str) -> Iterator[Flask]:
    app = create_app(Settings(database_url=sqlite_url))
    app.config["TESTING"] = True
    yield app
    app.extensions["conflict_status"].close()


@pytest.fixture
def submitter(sqlite_url: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(sqlite_url, 'submitter')}"}


@pytest.fixture
def seeded(pages_app: Flask, submitter: dict[str, str]) -> FlaskClient:
    client = pages_app.test_client()
    response = client.post(
        "/v1/events/batch",
        data="\n".join(seed_lines()),
        headers={**submitter, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.json
    return client


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """The page's visible text, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def fighting(conflict: str, occurred: str, best: int) -> dict[str, Any]:
    return {
        "type": "FightingReported",
        "occurred": occurred,
        "conflicts": [conflict],
        "actors": ["UKR", "RUS"],
        "sources": [{"name": "test report"}],
        "summary": f"Fighting with {best} deaths.",
        "data": {"description": "shelling", "deaths": {"best": best, "low": best, "high": best + 2}},
    }


# -- the overview -----------------------------------------------------------------------


def test_the_overview_lists_every_conflict_with_the_newest_development_first(seeded: FlaskClient) -> None:
    html = page(seeded, "/")
    names = re.findall(r'<a href="/conflicts/([a-z-]+)">', html)
    assert set(names[:3]) == {"ukraine-east", "libya", "syria"}
    assert "violated" in html and "called" in html
    assert "Latest assessment" not in html  # no column that is empty for conflicts never assessed
    assert 'href="/agendas/FRA/RUS"' in html


def test_the_overview_lists_the_recent_developments_for_the_live_list_to_follow(seeded: FlaskClient) -> None:
    html = page(seeded, "/")
    assert 'data-after="21"' in html
    assert 'data-stream="/v1/events/stream"' in html
    assert "The complete ceasefire promised for the end of 2019 did not hold." in html


def test_the_overview_gives_the_latest_assessments_trend_in_the_conflicts_summary(
    seeded: FlaskClient, submitter: dict[str, str]
) -> None:
    assessed = {
        "type": "StatusAssessed",
        "occurred": "2020-06-30",
        "conflicts": ["libya"],
        "actors": [],
        "sources": [{"name": "monthly watch"}],
        "summary": "Libya deteriorated in June.",
        "data": {"trend": "deteriorated", "alert": "conflict_risk", "period": "2020-06"},
    }
    assert seeded.post("/v1/events", json=assessed, headers=submitter).status_code == 201
    html = page(seeded, "/")
    row = re.search(r'<a href="/conflicts/libya">.*?</tr>', html, re.S)
    assert row is not None and "trend deteriorated" in row.group(0)
    assert html.index('href="/conflicts/libya"') < html.index('href="/conflicts/ukraine-east"')


def test_an_empty_log_gives_an_overview_that_says_how_to_start(pages_app: Flask) -> None:
    html = page(pages_app.test_client(), "/")
    assert "holds no conflict yet" in html


# -- a conflict -------------------------------------------------------------------------


def test_the_conflict_page_shows_the_ceasefire_commitment_overdue_as_of_mid_january_2020(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?as_of=2020-01-15")
    row = re.search(r'<tr class="overdue" id="commitment-paris-2019-ceasefire">.*?</tr>', html, re.S)
    assert row is not None
    assert "badge-overdue" in row.group(0)
    assert 'value="2020-01-15"' in html  # the date control shows the asked date


def test_the_conflict_page_today_shows_the_violated_ceasefire_and_the_proposed_berlin_summit(
    seeded: FlaskClient,
) -> None:
    text = text_of(page(seeded, "/conflicts/ukraine-east"))
    assert "violated" in text
    assert "normandy-berlin-2020 Normandy format" in text and "no date set" in text
    assert "fulfilled" in text and "broken" in text


def test_each_fact_links_to_the_developments_behind_it_and_their_sources(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/libya")
    ceasefire = html[html.index('id="ceasefire-h"') : html.index('id="assessment-h"')]
    assert "Putin and Macron called for a ceasefire in Libya" in ceasefire
    assert re.search(r'href="/developments/[0-9a-f-]{36}"', ceasefire)
    assert re.search(r'href="/v1/events/[0-9a-f-]{36}"', ceasefire)
    assert "Sources:" in ceasefire and "Kremlin" in ceasefire


def test_as_of_mid_december_2019_the_exchange_is_listed_as_uncertain(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?as_of=2019-12-15")
    uncertain = html[html.index('id="uncertain-h"') :]
    assert "The prisoner exchange took place at a later time." in uncertain[: uncertain.index("</section>")]


def test_known_at_counts_only_what_was_recorded_by_then(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?known_at=9")
    assert "as known at log position <strong>9</strong> of 21" in html
    assert "normandy-berlin-2020" not in html  # proposed at position 16


def test_the_date_controls_and_steps_keep_the_view_in_the_url(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?as_of=2020-01-15&known_at=12")
    assert '<form class="controls" method="get" action="/conflicts/ukraine-east"' in html
    assert 'name="as_of"' in html and 'name="known_at"' in html and 'value="12"' in html
    assert 'href="/conflicts/ukraine-east?as_of=2019-12-09&amp;known_at=12"' in html  # previous day
    assert 'href="/conflicts/ukraine-east?as_of=2020-06-26&amp;known_at=12"' in html  # next day


def test_the_timeline_chart_draws_ceasefire_bands_and_each_development(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?window=all")
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="band band-none"' in chart and 'class="band band-violated"' in chart
    assert chart.count('class="dot dot-') == 12
    assert "Deaths reported" not in chart


def test_deaths_from_fighting_reports_are_drawn_as_bars(seeded: FlaskClient, submitter: dict[str, str]) -> None:
    for occurred, best in (("2020-07-01", 3), ("2020-07-10", 12)):
        assert seeded.post("/v1/events", json=fighting("ukraine-east", occurred, best), headers=submitter).status_code
    html = page(seeded, "/conflicts/ukraine-east")
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert "Deaths reported" in chart
    assert chart.count('class="band band-bar"') == 2
    assert "12 deaths reported (2020-07-10)" in chart


def test_a_busy_conflict_lists_its_newest_hundred_developments_and_says_how_many_more(
    seeded: FlaskClient, submitter: dict[str, str]
) -> None:
    batch = [fighting("ukraine-east", f"2020-07-{1 + i % 28:02d}", i) for i in range(110)]
    assert seeded.post("/v1/events/batch", json=batch, headers=submitter).status_code == 201
    html = page(seeded, "/conflicts/ukraine-east")
    listed = html[html.index("Developments in this span") :]
    assert listed.count('<li>\n      <a href="/developments/') == 100
    assert "The newest 100 of 121;" in text_of(listed)  # 110 and the seed's 11 of the last year


def test_an_unknown_conflict_is_a_404_page_that_suggests_the_closest_id(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-eas", status=404)
    assert "No such conflict" in html
    assert 'Did you mean <a href="/conflicts/ukraine-east">ukraine-east</a>?' in html


def test_the_api_keeps_answering_problem_json_for_the_same_unknown_conflict(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/conflicts/ukraine-eas")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_path_nothing_answers_is_an_html_page_for_a_browser_and_problem_json_for_the_api(
    seeded: FlaskClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = seeded.get("/conflict/ukraine-east", headers=browser)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)
    for path, headers in (("/conflict/ukraine-east", {}), ("/v1/nothing", browser)):
        response = seeded.get(path, headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", path


def test_a_retracted_registration_keeps_the_overview_and_every_page_up(
    pages_app: Flask, submitter: dict[str, str]
) -> None:
    client = pages_app.test_client()

    def submit(development: dict[str, Any]) -> str:
        response = client.post("/v1/events", json=development, headers=submitter)
        assert response.status_code == 201, response.json
        return str(response.json["id"])

    def retract(target: str) -> None:
        submit(
            {
                "type": "DevelopmentRetracted",
                "occurred": "2020-07-01",
                "sources": [{"name": "Desk"}],
                "summary": "Recorded by mistake.",
                "data": {"target": target, "reason": "recorded by mistake"},
            }
        )

    registration = submit(
        {
            "type": "ConflictRegistered",
            "occurred": "2014-05",
            "sources": [{"name": "UCDP"}],
            "summary": "Libya registered.",
            "data": {"conflict": "libya", "name": "Libya"},
        }
    )
    meeting = submit(
        {
            "type": "MeetingHeld",
            "occurred": "2020-06-26",
            "actors": ["FRA", "RUS"],
            "sources": [{"name": "Kremlin statement"}],
            "summary": "A call.",
            "data": {"format": "video_call"},
        }
    )
    retract(registration)
    retract(meeting)
    assert "libya" in page(client, "/")
    assert "libya" in page(client, "/conflicts/libya")
    page(client, "/conflicts/libya?as_of=2010-01-01")
    page(client, "/audit/libya")
    page(client, "/agendas/FRA/RUS")
    page(client, f"/developments/{registration}")
    answer = client.get("/v1/conflicts/libya").json
    assert (answer["conflict"], answer["name"], answer["developments"]) == ("libya", None, 0)
    assert client.get("/v1/agendas/RUS/FRA").json["contacts"] == []
    assert client.get("/v1/conflicts/lybia").status_code == 404  # an id the log never had is still unknown


def test_a_date_or_position_that_cannot_be_read_is_a_400_page(seeded: FlaskClient) -> None:
    assert "is not a date" in page(seeded, "/conflicts/ukraine-east?as_of=15/01/2020", status=400)
    assert "neither a log position" in page(seeded, "/conflicts/ukraine-east?known_at=yesterday", status=400)
    assert "must be a whole number" in page(seeded, "/conflicts/ukraine-east?window=long", status=400)


# -- an agenda, a development -----------------------------------------------------------


def test_the_agenda_page_lists_the_ten_topics_with_who_raised_them_in_either_order(seeded: FlaskClient) -> None:
    html = page(seeded, "/agendas/RUS/FRA")
    topics = html[html.index('id="topics-h"') : html.index('id="contacts-h"')]
    assert len(re.findall(r'<th scope="row">', topics)) == 10
    assert re.search(r'<th scope="row">libya</th>\s*<td data-label="Raised by">RUS, FRA</td>', topics)
    text = text_of(html)
    assert "2020-06-26 : video call" in text
    assert "Both called for a ceasefire in libya" in text
    assert html.count('class="dot dot-topic"') >= 10


def test_an_unknown_agenda_is_a_404_page(seeded: FlaskClient) -> None:
    assert "No such agenda" in page(seeded, "/agendas/FRA/DEU", status=404)


def test_a_development_page_shows_its_sources_and_links_to_its_json(seeded: FlaskClient) -> None:
    first = seeded.get("/v1/events?limit=1&type=CeasefireCalled").json["items"][0]
    html = page(seeded, f"/developments/{first['id']}")
    assert "Kremlin" in html and f'href="/v1/events/{first["id"]}"' in html
    assert "No such development" in page(seeded, "/developments/not-an-id", status=404)


# -- the audit --------------------------------------------------------------------------


def test_the_audit_page_shows_the_replay_as_steps_with_what_changed(seeded: FlaskClient) -> None:
    html = page(seeded, "/audit/ukraine-east")
    steps = html[html.index('id="replay-h"') : html.index('id="diff-h"')]
    assert steps.count('<li class="step"') == 12
    violated = steps[steps.index('id="step-20"') :]
    changed = f'ceasefire{SEP}status</th><td data-label="Before" class="before">agreed</td>'
    changed += '<td data-label="After" class="after">violated</td>'
    assert changed in violated


def test_the_audit_page_diffs_two_chosen_points_with_evidence(seeded: FlaskClient) -> None:
    html = page(seeded, "/audit/ukraine-east?from=2020-01-15&to=2020-06-26")
    differences = html[html.index('id="differences"') :]
    assert f'paris-2019-ceasefire{SEP}status</th><td data-label="From" class="before">overdue</td>' in differences
    assert "Evidence:" in differences


def test_the_audit_page_shows_the_verification_and_the_latest_signed_checkpoint(
    seeded: FlaskClient, sqlite_url: str
) -> None:
    auditor = {"Authorization": f"Bearer {make_token(sqlite_url, 'auditor')}"}
    signed = seeded.post("/v1/audit/checkpoints", headers=auditor).json
    html = page(seeded, "/audit/ukraine-east")
    assert "intact" in html and "21 developments up to position 21" in html
    checkpoint = html[html.index('id="checkpoint"') :]
    assert signed["signature"] in checkpoint and signed["key_id"] in checkpoint


def test_a_replay_the_auditor_refuses_is_a_notice_and_the_rest_of_the_page_stays(
    seeded: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ScopeNotFound("conflict", "ukraine-east")

    monkeypatch.setattr(Auditor, "replay", refuse)
    html = page(seeded, "/audit/ukraine-east")
    assert "The replay could not be made:" in html and "unknown conflict &#39;ukraine-east&#39;" in html
    assert 'id="differences"' in html and "intact" in html


def test_a_diff_side_that_cannot_be_read_is_shown_as_a_notice(seeded: FlaskClient) -> None:
    html = page(seeded, "/audit/ukraine-east?from=soon&to=2020-06-26")
    assert "The diff could not be made:" in html


# -- closed networks, accessibility, settings -------------------------------------------


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.html_lang: str | None = None
        self.landmarks: set[str] = set()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.inputs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"] or "")
        if tag == "link" and a.get("href") and a.get("rel") != "alternate":  # an alternate is not loaded
            self.urls.append(a["href"] or "")
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("main", "header", "footer", "nav"):
            self.landmarks.add(tag)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        if tag == "input" and a.get("type") != "hidden":
            self.inputs.append(a.get("id") or "")


@pytest.mark.parametrize(
    "path",
    ["/", "/conflicts/ukraine-east", "/agendas/FRA/RUS", "/audit/ukraine-east", "/conflicts/nowhere", "/changes"],
)
def test_every_page_loads_only_its_own_assets_and_has_a_language_landmarks_and_labels(
    seeded: FlaskClient, path: str
) -> None:
    response = seeded.get(path)
    parsed = Assets()
    parsed.feed(response.get_data(as_text=True))
    assert parsed.html_lang == "en"
    assert {"main", "header", "footer", "nav"} <= parsed.landmarks
    assert all(i and i in parsed.label_for for i in parsed.inputs), parsed.inputs
    assert parsed.urls
    for url in parsed.urls:
        assert url.startswith("/static/"), url
        assert seeded.get(url).status_code == 200, url
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_pages_are_closed_when_reads_need_a_token(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, reads_need_token=True))
    try:
        html = page(app.test_client(), "/", status=403)
        assert "reader token" in html
    finally:
        app.extensions["conflict_status"].close()


# -- the chart geometry -----------------------------------------------------------------


def test_ticks_are_years_over_a_long_span_and_days_over_a_short_one() -> None:
    years = charts.ticks(date(2014, 4, 1), date(2020, 7, 1))
    assert [t.label for t in years] == ["2015", "2016", "2017", "2018", "2019", "2020"]
    days = charts.ticks(date(2020, 6, 25), date(2020, 6, 27))
    assert [t.label for t in days] == ["2020-06-25", "2020-06-26", "2020-06-27"]


def test_developments_on_one_day_are_stacked_and_a_vague_date_spans_its_days() -> None:
    marks = [charts.Mark(date(2020, 6, 26), date(2020, 6, 26), f"m{i}", f"/d/{i}") for i in range(3)]
    vague = charts.Mark(date(2019, 12, 9), date(2020, 6, 26), "vague", "/d/v")
    chart = charts.draw([charts.Lane("Developments", marks=[*marks, vague])], date(2019, 12, 1), date(2020, 7, 1))
    dots = chart.lanes[0].dots
    assert len({d.x for d in dots}) == 1 and len({d.y for d in dots}) == 4
    assert next(d for d in dots if d.label == "vague").x_from < dots[0].x


def test_a_bands_label_is_drawn_only_where_it_fits() -> None:
    bands = [
        charts.Band(date(2020, 1, 1), date(2020, 1, 2), "ceasefire agreed", "agreed"),
        charts.Band(date(2020, 1, 2), date(2020, 12, 31), "ceasefire violated", "violated"),
    ]
    rects = charts.draw([charts.Lane("Ceasefire", bands=bands)], date(2020, 1, 1), date(2020, 12, 31)).lanes[0].rects
    assert [r.text for r in rects] == ["", "ceasefire violated"]


# -- finding on the overview ------------------------------------------------------------


def test_the_overview_finds_conflicts_by_words_status_and_region_from_its_address(seeded: FlaskClient) -> None:
    def found(query: str) -> list[str]:
        html = page(seeded, f"/?{query}")
        return re.findall(r'<th scope="row"><a href="/conflicts/([a-z-]+)">', html)

    assert found("q=ukraine") == ["ukraine-east"]
    assert found("region=North+Africa") == ["libya"]
    assert found("status=violated") == ["ukraine-east"]
    assert found("q=ukraine&status=agreed") == []
    assert "No conflict matches this search" in page(seeded, "/?q=atlantis")
    assert "1 of 3 conflicts match." in text_of(page(seeded, "/?q=syria"))


def test_the_overview_keeps_the_search_in_its_form_and_its_csv_link(seeded: FlaskClient) -> None:
    html = page(seeded, "/?q=ukr&status=violated&region=Europe&sort=name")
    assert 'name="q" value="ukr"' in html
    assert 'value="violated" checked' in html
    assert "<option selected>Europe</option>" in html
    assert 'href="/v1/conflicts?format=csv&amp;q=ukr&amp;status=violated&amp;region=Europe&amp;sort=name"' in html
    assert 'id="ignored-parameters"' not in html


def test_a_search_the_overview_cannot_read_is_an_error_page_that_says_why(seeded: FlaskClient) -> None:
    assert "is not a ceasefire status" in page(seeded, "/?status=peaceful", 400)
    assert "the regions are: Europe, Middle East, North Africa" in page(seeded, "/?region=Mars", 400)
    assert "is not an order" in page(seeded, "/?sort=size", 400)


# -- small defects a reader met ---------------------------------------------------------


def test_a_developments_page_writes_deaths_in_words_and_names_registered_actors(
    seeded: FlaskClient, submitter: dict[str, str]
) -> None:
    group = {
        "type": "ActorRegistered",
        "occurred": "2014-04",
        "actors": [],
        "sources": [{"name": "UCDP actor list"}],
        "summary": "The Donetsk People's Republic is registered.",
        "data": {"actor": "UCDP-5914", "name": "DPR", "kind": "group"},
    }
    assert seeded.post("/v1/events", json=group, headers=submitter).status_code == 201
    report = {**fighting("ukraine-east", "2020-03-02", 12), "actors": ["UKR", "UCDP-5914"]}
    created = seeded.post("/v1/events", json=report, headers=submitter)
    assert created.status_code == 201, created.json
    text = text_of(page(seeded, f"/developments/{created.json['id']}"))
    assert "12 (low 12, high 14)" in text
    assert '"best"' not in text
    assert "DPR UCDP-5914" in text  # the name, with its code beside it


def test_audit_this_conflict_keeps_the_date_and_record_time_asked(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?as_of=2020-01-15&known_at=10")
    assert 'href="/audit/ukraine-east?from=2020-01-14%4010&amp;to=2020-01-15%4010" id="audit-link"' in html
    assert 'href="/audit/ukraine-east" id="audit-link"' in page(seeded, "/conflicts/ukraine-east")
    assert "?from=2020-01-14&amp;to=2020-01-15" in page(seeded, "/agendas/FRA/RUS?as_of=2020-01-15")
    audit = page(seeded, "/audit/ukraine-east?from=2020-01-14%4010&to=2020-01-15%4010")
    assert "2020-01-15@10" in audit


def test_the_docs_page_fits_a_phone_and_every_answer_finds_the_services_icon(seeded: FlaskClient) -> None:
    docs = seeded.get("/docs").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in docs
    assert 'rel="icon"' in docs
    icon = seeded.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"


# -- charts that stay light -------------------------------------------------------------


def test_a_crowded_chart_counts_per_period_and_each_period_opens_its_own_chart_of_dots(
    seeded: FlaskClient, submitter: dict[str, str]
) -> None:
    reports = [fighting("ukraine-east", f"2021-{1 + n // 28:02d}-{1 + n % 28:02d}", 1) for n in range(120)]
    batch = "\n".join(json.dumps(r) for r in reports)
    headers = {**submitter, "Content-Type": "application/x-ndjson"}
    assert seeded.post("/v1/events/batch", data=batch, headers=headers).status_code == 201
    html = page(seeded, "/conflicts/ukraine-east")
    assert "counted per month" in html
    assert '<a href="/conflicts/ukraine-east?as_of=2021-01-31&amp;window=31" tabindex="-1">' in html
    assert "28 developments from 2021-01-01 to 2021-01-31" in html
    january = page(seeded, "/conflicts/ukraine-east?as_of=2021-01-31&window=31")
    assert "counted per" not in january
    assert january.count('class="dot dot-FightingReported"') == 28


def test_a_chart_is_one_tab_stop_however_many_links_it_holds(seeded: FlaskClient) -> None:
    for path in ("/conflicts/ukraine-east?window=all", "/agendas/FRA/RUS"):
        html = page(seeded, path)
        svg = html[html.index("<svg") : html.index("</svg>")]
        links = re.findall(r"<a\b[^>]*>", svg)
        assert len(links) > 5
        assert sum('tabindex="0"' in a for a in links) == 1
        assert all('tabindex="-1"' in a for a in links if 'tabindex="0"' not in a)
        assert 'src="/static/pages/chart.js"' in html


def test_the_conflict_page_links_its_timeline_as_csv_for_the_point_it_shows(seeded: FlaskClient) -> None:
    html = page(seeded, "/conflicts/ukraine-east?as_of=2020-01-15&known_at=10")
    assert 'href="/v1/conflicts/ukraine-east/timeline?format=csv&amp;as_of=2020-01-15&amp;known_at=10"' in html
    response = seeded.get("/v1/conflicts/ukraine-east/timeline?format=csv&as_of=2020-01-15&known_at=10")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'href="/v1/conflicts/ukraine-east/timeline?format=csv"' in page(seeded, "/conflicts/ukraine-east")


def test_a_conflict_with_many_earlier_ceasefires_lists_the_newest_ten_and_says_where_the_rest_are(
    seeded: FlaskClient, submitter: dict[str, str]
) -> None:
    calls = [
        {
            "type": "CeasefireCalled",
            "occurred": f"2021-{month:02d}-01",
            "conflicts": ["syria"],
            "actors": ["FRA"],
            "sources": [{"name": "test"}],
            "summary": f"A ceasefire is called in month {month}.",
            "data": {"called_by": ["FRA"]},
        }
        for month in range(1, 13)
    ]
    batch = "\n".join(json.dumps(c) for c in calls)
    headers = {**submitter, "Content-Type": "application/x-ndjson"}
    assert seeded.post("/v1/events/batch", data=batch, headers=headers).status_code == 201
    html = page(seeded, "/conflicts/syria")
    table = html[html.index('id="ceasefire-history"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    assert body.count("<tr>") == 10
    assert "The newest 10 of 11 earlier ceasefires" in text_of(html)


def test_a_conflicts_parties_are_named_where_a_name_is_registered(
    seeded: FlaskClient, submitter: dict[str, str]
) -> None:
    group = {
        "type": "ActorRegistered",
        "occurred": "2014-04",
        "actors": [],
        "sources": [{"name": "UCDP actor list"}],
        "summary": "The Donetsk People's Republic is registered.",
        "data": {"actor": "UCDP-5914", "name": "DPR", "kind": "group"},
    }
    assert seeded.post("/v1/events", json=group, headers=submitter).status_code == 201
    registered = {
        "type": "ConflictRegistered",
        "occurred": "2014-04",
        "actors": ["UKR"],
        "sources": [{"name": "UCDP conflict record"}],
        "summary": "The conflict in Donetsk is registered.",
        "data": {"conflict": "donetsk", "name": "Donetsk", "parties": ["UKR", "UCDP-5914"]},
    }
    assert seeded.post("/v1/events", json=registered, headers=submitter).status_code == 201
    assert "Parties: UKR, DPR (UCDP-5914)" in text_of(page(seeded, "/conflicts/donetsk"))
