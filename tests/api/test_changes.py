"""What changed across every conflict and agenda: /v1/changes, its page and the Atom feeds, on both backends."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest

from tests.api.test_acceptance import submit_seed


@pytest.fixture
def seeded(client: Any, auth: Any) -> Any:
    submit_seed(client, auth)
    return client


def by_scope(answer: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["scope"]["kind"], c["scope"]["id"]): c for c in answer["changes"]}


def fields_of(change: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {d["field"]: (d["before"], d["after"]) for d in change["differences"]}


def test_changes_between_two_dates_list_every_conflict_and_agenda_that_differs_with_evidence(seeded: Any) -> None:
    answer = seeded.get("/v1/changes?from=2020-01-15&to=2020-06-27").json
    changed = by_scope(answer)
    libya = fields_of(changed[("conflict", "libya")])
    assert libya["ceasefire.status"] == ("none", "called")
    ukraine = fields_of(changed[("conflict", "ukraine-east")])
    assert ukraine["ceasefire.status"][1] == "violated"
    assert ("agenda", "FRA-RUS") in changed
    evidence = changed[("conflict", "libya")]["differences"][0]["evidence"]
    assert evidence and all(len(e) == 36 for e in evidence)
    assert answer["from"]["as_of"] == "2020-01-15" and answer["to"]["as_of"] == "2020-06-27"
    assert answer["next_after"] is None and answer["examined"] == answer["candidates"]


def test_changes_between_two_positions_compare_only_what_the_developments_between_them_touched(seeded: Any) -> None:
    head = seeded.get("/v1/changes?from=0").json["computed_for"]["head"]
    last = seeded.get(f"/v1/changes?from={head - 1}&to={head}").json
    assert last["candidates"] <= 2  # the last development of the seed touches one conflict or agenda
    everything = seeded.get("/v1/changes?from=0").json
    assert everything["candidates"] >= 3 and ("conflict", "libya") in by_scope(everything)


def test_nothing_changed_answers_an_empty_list(seeded: Any) -> None:
    answer = seeded.get("/v1/changes?from=2020-06-27&to=2020-06-27").json
    assert answer["changes"] == [] and answer["next_after"] is None


def test_from_later_than_to_is_refused_naming_the_field(seeded: Any) -> None:
    response = seeded.get("/v1/changes?from=2020-06-27&to=2020-01-15")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"][0]["field"] == "from"
    assert "later than" in response.json["detail"]


def test_a_position_past_the_head_or_an_unreadable_point_is_refused(seeded: Any) -> None:
    past = seeded.get("/v1/changes?from=1&to=99999")
    assert past.status_code == 422 and past.json["errors"][0]["field"] == "to"
    assert "past the log's head" in past.json["detail"]
    garbled = seeded.get("/v1/changes?from=yesterday")
    assert garbled.status_code == 422 and garbled.json["errors"][0]["field"] == "from"


def test_changes_page_through_the_scopes_with_a_cursor(seeded: Any) -> None:
    first = seeded.get("/v1/changes?from=2019-01-01&limit=2").json
    assert first["examined"] == 2 and first["next_after"]
    seen = [c["scope"]["id"] for c in first["changes"]]
    after = first["next_after"]
    while after:
        page = seeded.get(f"/v1/changes?from=2019-01-01&limit=2&after={after}").json
        seen += [c["scope"]["id"] for c in page["changes"]]
        after = page["next_after"]
    whole = seeded.get("/v1/changes?from=2019-01-01").json
    assert seen == [c["scope"]["id"] for c in whole["changes"]]


def test_the_page_shows_what_changed_and_keeps_the_points_in_its_address(seeded: Any) -> None:
    page = seeded.get("/changes?from=2020-01-15&to=2020-06-27")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "What changed between two dates" in html
    assert 'value="2020-01-15"' in html and 'value="2020-06-27"' in html
    assert 'href="/conflicts/libya"' in html and "ceasefire \u203a status" in html
    assert 'type="application/atom+xml"' in html


def test_the_page_says_why_two_points_cannot_be_compared(seeded: Any) -> None:
    html = seeded.get("/changes?from=2020-06-27&to=2020-01-15").get_data(as_text=True)
    assert 'id="changes-error"' in html and "later than" in html
    nothing = seeded.get("/changes?from=2020-06-27&to=2020-06-27").get_data(as_text=True)
    assert 'id="nothing-changed"' in nothing


def test_the_home_page_links_to_the_changes_page_and_the_feed(seeded: Any) -> None:
    html = seeded.get("/").get_data(as_text=True)
    assert 'href="/changes"' in html and 'href="/v1/changes.atom"' in html


def test_the_feed_of_everything_is_valid_atom_with_one_entry_per_change(seeded: Any) -> None:
    response = seeded.get("/v1/changes.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    entries = parsed.entries
    assert entries and len({e.id for e in entries}) == len(entries)
    assert any("libya" in e.title for e in entries)
    first = entries[0]
    assert first.link.startswith("http://localhost/audit/") and "#step-" in first.link
    assert "http://localhost/developments/" in first.content[0].value
    assert "→" in first.content[0].value and first.updated
    again = feedparser.parse(seeded.get("/v1/changes.atom").data)
    assert parsed.feed.id == again.feed.id and [e.id for e in entries] == [e.id for e in again.entries]


def test_a_conflicts_feed_holds_only_its_changes_and_is_linked_from_its_page(seeded: Any) -> None:
    parsed = feedparser.parse(seeded.get("/v1/conflicts/libya/changes.atom").data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries and all(e.title.startswith("libya:") for e in parsed.entries)
    assert {link.rel: link.href for link in parsed.feed.links}["alternate"] == "http://localhost/conflicts/libya"
    html = seeded.get("/conflicts/libya").get_data(as_text=True)
    assert 'href="/v1/conflicts/libya/changes.atom"' in html


def test_an_unknown_conflicts_feed_is_a_404(seeded: Any) -> None:
    response = seeded.get("/v1/conflicts/atlantis/changes.atom")
    assert response.status_code == 404 and response.content_type == "application/problem+json"


def test_an_empty_log_has_an_empty_valid_feed(client: Any) -> None:
    parsed = feedparser.parse(client.get("/v1/changes.atom").data)
    assert not parsed.bozo and parsed.entries == []
