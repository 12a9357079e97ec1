"""The audit pages' proof that each development is in the latest signed tree, and the agenda's audit page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from tests.audit_helpers import Database
from tests.conftest import app_for, make_token, seed_lines


@pytest.fixture
def seeded(sqlite_url: str, tmp_path: Path) -> Iterator[FlaskClient]:
    """The seed article's 21 developments, tree heads signed at 5, 10, 15 and 20."""
    settings = Settings(database_url=sqlite_url, signing_key_file=str(tmp_path / "key.pem"), checkpoint_every=5)
    with app_for(settings) as app:
        client = seed(app, sqlite_url)
        yield client


def seed(app: Flask, url: str) -> FlaskClient:
    client = app.test_client()
    answer = client.post(
        "/v1/events/batch",
        data="\n".join(seed_lines()),
        headers={"Authorization": f"Bearer {make_token(url, 'submitter')}", "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 201, answer.json
    return client


def steps(client: FlaskClient, path: str) -> dict[int, str]:
    """Each replay step's inclusion line, by position."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    html = answer.text
    found = re.findall(r'id="step-(\d+)".*?<p class="meta inclusion" data-state="(\w+)">(.*?)</p>', html, re.S)
    return {
        int(position): f"{state}: {' '.join(re.sub('<[^>]+>', '', text).split())}" for position, state, text in found
    }


def test_each_step_of_a_conflict_s_audit_says_it_is_in_the_latest_signed_tree(seeded: FlaskClient) -> None:
    shown = steps(seeded, "/audit/ukraine-east")
    assert len(shown) == 12
    signed = {p: line for p, line in shown.items() if p <= 20}
    assert all(line.startswith("included: in the signed log Leaf ") for line in signed.values())
    assert "Leaf 19 of the tree of 20 signed" in shown[20]
    assert "/v1/audit/proof/inclusion?position=20&amp;size=20" in seeded.get("/audit/ukraine-east").text
    assert shown[21].startswith("later: not yet signed")
    html = seeded.get("/audit/ukraine-east").text
    assert 'id="tree-head-note"' in html and "conflict-status/log\n20\n" in html


def test_a_row_changed_after_signing_shows_as_not_in_the_signed_log(seeded: FlaskClient, sqlite_url: str) -> None:
    Database(sqlite_url).alter(8, b"Official Elysee", b"Official Elysie")
    shown = steps(seeded, "/audit/ukraine-east")
    assert shown[8].startswith("fails: not in the signed log")
    assert all(line.startswith("included") for p, line in shown.items() if p not in (8, 21))


def test_an_agenda_has_the_audit_page_conflicts_have_linked_from_its_page(seeded: FlaskClient) -> None:
    agenda = seeded.get("/agendas/RUS/FRA").text
    assert 'href="/audit/agendas/FRA/RUS"' in agenda
    shown = steps(seeded, "/audit/agendas/FRA/RUS")
    assert shown and all(line.startswith(("included", "later")) for line in shown.values())
    assert steps(seeded, "/audit/agendas/rus/fra") == shown
    html = seeded.get("/audit/agendas/FRA/RUS?from=2020-06-25&to=2020-06-26").text
    assert "Audit of the agenda FRA \u2013 RUS" in html and 'id="differences"' in html


def test_an_unknown_agenda_s_audit_is_a_404_page(seeded: FlaskClient) -> None:
    answer = seeded.get("/audit/agendas/FRA/XXX", headers={"Accept": "text/html"})
    assert (answer.status_code, answer.mimetype) == (404, "text/html")
