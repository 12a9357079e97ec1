"""Going back before a conflict or an agenda had anything: an empty state that says when it starts, never a 404."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import seed_lines

LIBYA_REGISTERED = "952574bc-c295-520b-8857-8ad790bd291d"  # occurred 2014-05: counts from its last day
FIRST_FRA_RUS_CALL = "6d51155b-1142-5d12-bcc6-875566ce9373"  # occurred 2020-06-26, recorded at position 10


@pytest.fixture
def seeded(client: FlaskClient, auth: Any) -> FlaskClient:
    response = client.post(
        "/v1/events/batch",
        data="\n".join(seed_lines()),
        headers={**auth("submitter"), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.json
    return client


def answer(client: FlaskClient, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def test_a_conflict_asked_before_its_registration_counts_is_empty_and_names_its_first_development(
    seeded: FlaskClient,
) -> None:
    status = answer(seeded, "/v1/conflicts/libya?as_of=1900-01-01")
    assert (status["conflict"], status["name"], status["ceasefire"]["status"]) == ("libya", None, "none")
    assert status["first_development"] == {
        "id": LIBYA_REGISTERED,
        "type": "ConflictRegistered",
        "occurred": "2014-05",
        "summary": "The conflict in Libya is registered.",
        "counts_from": "2014-05-31",
        "known_at": 1,
    }
    assert answer(seeded, "/v1/conflicts/libya?as_of=2014-05-31")["name"] == "Libya"  # the day it names is full


def test_a_conflict_asked_as_known_before_it_was_recorded_is_empty_not_unknown(seeded: FlaskClient) -> None:
    status = answer(seeded, "/v1/conflicts/ukraine-east?known_at=1")  # position 2 registers it
    assert status["name"] is None and status["first_development"]["known_at"] == 2
    assert status["computed_for"]["known_at"] == 1


def test_an_agenda_asked_before_its_first_contact_is_empty_and_names_it(seeded: FlaskClient) -> None:
    agenda = answer(seeded, "/v1/agendas/RUS/FRA?as_of=2000-01-01")
    assert (agenda["contact_count"], agenda["topics"], agenda["developments"]) == (0, [], 0)
    assert agenda["first_development"]["id"] == FIRST_FRA_RUS_CALL
    assert agenda["first_development"]["counts_from"] == "2020-06-26"


def test_a_conflict_nobody_registered_is_still_a_404_problem(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/conflicts/narnia?as_of=1900-01-01")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_the_pages_before_the_first_development_say_so_in_words_and_link_to_its_first_day(
    seeded: FlaskClient,
) -> None:
    conflict = seeded.get("/conflicts/libya?as_of=1900-01-01").get_data(as_text=True)
    assert "Nothing of this conflict counts as of 1900-01-01" in conflict
    assert f'href="/developments/{LIBYA_REGISTERED}"' in conflict
    assert 'href="/conflicts/libya?as_of=2014-05-31">See it on 2014-05-31</a>' in conflict
    agenda = seeded.get("/agendas/FRA/RUS?as_of=2000-01-01").get_data(as_text=True)
    assert "Nothing of this agenda counts as of 2000-01-01" in agenda
    assert 'href="/agendas/FRA/RUS?as_of=2020-06-26">See it on 2020-06-26</a>' in agenda
