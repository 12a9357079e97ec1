"""No date breaks a read: the extremes the date policy allows fold, answer and draw; what it refuses is a 422.

The policy (``events.vocabulary.occurred``): every date lies between 1000-01-01
and 2999-12-31, and a development's ``occurred`` ends at most a year from now.
Developments stored before the policy, with days outside it, are read clamped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.log.development import Development
from events.vocabulary.occurred import FIRST_DAY, LAST_DAY
from events.vocabulary.validation import FUTURE_SLACK_DAYS, Draft
from service.settings import Settings
from tests.conftest import app_for, make_token

HORIZON = date.today() + timedelta(days=FUTURE_SLACK_DAYS)
#: what a development's occurred may be, at the edges
OCCURRED = [
    FIRST_DAY.isoformat(),
    (FIRST_DAY + timedelta(days=1)).isoformat(),
    HORIZON.isoformat(),
    f"{FIRST_DAY.isoformat()}/{HORIZON.isoformat()}",
    "1000",
    f"{FIRST_DAY.isoformat()}/1000-12-31",
]
#: what a date in data, or a question, may be, at the edges
ANY_DAY = [FIRST_DAY.isoformat(), LAST_DAY.isoformat(), (LAST_DAY - timedelta(days=1)).isoformat(), "2999"]
ASKED = [FIRST_DAY.isoformat(), (FIRST_DAY + timedelta(days=29)).isoformat(), date.today().isoformat(),
         LAST_DAY.isoformat()]  # fmt: skip


@pytest.fixture
def sqlite_app(sqlite_url: str) -> Iterator[Flask]:
    with app_for(Settings(database_url=sqlite_url)) as flask_app:
        yield flask_app


def development(kind: str, occurred: str, conflict: str, data: dict[str, Any], actors: list[str]) -> dict[str, Any]:
    return {
        "type": kind,
        "occurred": occurred,
        "conflicts": [conflict] if conflict else [],
        "actors": actors,
        "sources": [{"name": "an edge of the calendar"}],
        "summary": f"{kind} on {occurred}",
        "data": data,
    }


def history(conflict: str, fought: str, agreed: str, said: str, due: str, scheduled: str) -> list[dict[str, Any]]:
    return [
        development("ConflictRegistered", FIRST_DAY.isoformat(), "", {"conflict": conflict, "name": conflict}, []),
        development("CeasefireAgreed", agreed, conflict, {"parties": ["UKR", "RUS"], "effective": due}, []),
        development(
            "FightingReported",
            fought,
            conflict,
            {"description": "clashes", "deaths": {"best": 3, "low": 1, "high": 9}, "violence": "state-based"},
            ["UKR"],
        ),
        development("CeasefireViolated", said, conflict, {"description": "broken"}, []),
        development(
            "CommitmentMade",
            said,
            conflict,
            {"commitment": "c", "description": "d", "parties": ["UKR"], "due": due},
            [],
        ),
        development("SummitScheduled", said, conflict, {"summit": "s", "date": scheduled}, []),
        development("IntensityAssessed", fought, conflict, {"period": fought[:4], "level": "war"}, []),
        development("MeetingHeld", said, conflict, {"format": "in_person"}, ["UKR", "RUS"]),
        development("ConflictEnded", said, conflict, {}, []),
    ]


def every_read(client: FlaskClient, conflict: str, ids: list[str], agenda: bool = True) -> list[str]:
    """The read routes (API and pages) that do not answer 200 for this conflict and the RUS-UKR agenda."""
    reads = ["/v1/conflicts", "/v1/agendas", "/", f"/conflicts/{conflict}?window=all", f"/audit/{conflict}",
             f"/v1/audit/diff?conflict={conflict}&from={FIRST_DAY.isoformat()}&to={LAST_DAY.isoformat()}",
             f"/v1/conflicts/{conflict}/timeline", f"/developments/{ids[-1]}"]  # fmt: skip
    for day in ASKED:
        reads += [
            f"/v1/conflicts/{conflict}?as_of={day}",
            f"/v1/audit/replay?conflict={conflict}&as_of={day}",
            f"/conflicts/{conflict}?as_of={day}",
            f"/conflicts/{conflict}?as_of={day}&window=all",
        ]
        if agenda:
            reads += [f"/v1/agendas/RUS/UKR?as_of={day}", f"/agendas/RUS/UKR?as_of={day}"]
    return [path for path in reads if client.get(path).status_code != 200]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fought=st.sampled_from(OCCURRED),
    agreed=st.sampled_from(OCCURRED),
    said=st.sampled_from(OCCURRED),
    due=st.sampled_from(ANY_DAY),
    scheduled=st.sampled_from(ANY_DAY),
)
def test_the_extremes_the_policy_allows_fold_answer_and_draw_on_every_read_route(
    sqlite_app: Flask, sqlite_url: str, fought: str, agreed: str, said: str, due: str, scheduled: str
) -> None:
    client = sqlite_app.test_client()
    token = {"Authorization": f"Bearer {make_token(sqlite_url, 'submitter')}"}
    conflict = f"edge-{uuid.uuid4().hex[:8]}"
    response = client.post(
        "/v1/events/batch", json=history(conflict, fought, agreed, said, due, scheduled), headers=token
    )
    assert response.status_code == 201, response.json
    assert every_read(client, conflict, [i["id"] for i in response.json["items"]]) == []


def test_a_date_outside_the_policy_is_a_422_naming_the_field_and_the_range(client: FlaskClient, auth: Any) -> None:
    raw = development("StatementIssued", "0001-01-05", "", {"by": "FRA", "text": "t"}, ["FRA"])
    response = client.post("/v1/events", json=raw, headers=auth("submitter"))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "occurred"
    assert "1000-01-01 to 2999-12-31" in response.json["errors"][0]["message"]
    for asked in ("0999-12-31", "3000-01-01"):
        response = client.get(f"/v1/conflicts/x?as_of={asked}")
        assert response.status_code == 422 and response.json["errors"][0]["field"] == "as_of"
    assert client.get("/v1/audit/diff?conflict=x&from=0500-01-01&to=2020-01-01").status_code == 422


def test_a_development_stored_before_the_policy_with_a_day_outside_it_breaks_no_read(
    client: FlaskClient, auth: Any, app: Flask
) -> None:
    registration = development("ConflictRegistered", "2014-04-06", "", {"conflict": "old", "name": "Old"}, [])
    assert client.post("/v1/events", json=registration, headers=auth("submitter")).status_code == 201
    log = app.extensions["conflict_status"].log
    ids = []
    for kind, day, data in (
        ("StatementIssued", date(1, 1, 5), {"by": "FRA", "text": "a typo in the year"}),
        ("FightingReported", date(9999, 12, 31), {"description": "clashes"}),
    ):
        draft = Draft(
            type=kind,
            occurred=day.isoformat(),
            earliest=day,
            latest=day,
            conflicts=["old"],
            actors=["FRA", "RUS"],
            persons=[],
            sources=[{"name": "accepted before the date policy"}],
            summary="stored when any day was taken",
            data=data,
        )
        ident = uuid.uuid4()
        log.save(Development.recorded(draft, ident))  # as an older version stored it
        ids.append(str(ident))
    assert every_read(client, "old", ids, agenda=False) == []
    store = app.extensions["conflict_status"].projections  # the writer's: readers never write
    assert store.rebuild() == log.head()  # what `conflict-status rebuild` runs
    answer = client.get(f"/v1/conflicts/old?as_of={LAST_DAY.isoformat()}").json
    assert answer["fighting"]["last_report"] == LAST_DAY.isoformat()  # read clamped into the range
