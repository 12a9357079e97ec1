"""Hostile input: schemathesis generates requests from /openapi.json, valid and not, against the app.

Every operation of the OpenAPI document is called with a bounded number of
generated requests, with an admin token (so that bodies reach the parsers and
the log), on both backends.  No answer may be a 5xx (but the documented 503 of a
read whose ``min_position`` the read side has not reached), every error is
problem+json, and every answer conforms to the document.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig

from events.log.admission import Submission
from service.app import create_app
from service.settings import Settings
from tests.api.test_api_events import CALL, REGISTRATION, is_problem
from tests.conftest import make_token, seed_lines

EXAMPLES = 15
CONFIG = SchemathesisConfig.from_dict(
    {
        # unknown query parameters are refused (422), so negative cases may add them (the default)
        "generation": {"allow-extra-parameters": True},
        # an over-long batch is refused as too large (413), like an over-long body
        "checks": {
            "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422]}
        },
    }
)


@pytest.fixture
def seeded_app(database_url: str) -> Iterator[Flask]:
    """The app over a log holding the seed article, so that reads meet real conflicts and agendas.

    Generated requests leave live feeds unclosed (the test client streams them),
    so the app has room for as many as the test opens.
    """
    app = create_app(Settings(database_url=database_url, stream_slots=10_000, read_wait=0))
    runtime = app.extensions["conflict_status"]
    runtime.log.submit_many([Submission(json.loads(line)) for line in seed_lines()])
    app.config["ADMIN_TOKEN"] = make_token(database_url, "admin")
    yield app
    runtime.close()


def briefly(case: Any) -> Any:
    """A live feed ends within 20 ms (its default is 30 s)."""
    if case.operation.path == "/v1/events/stream" and isinstance(case.query, dict):
        wait = case.query.get("wait")
        if wait is None or (isinstance(wait, int | float) and not isinstance(wait, bool) and wait > 0.02):
            case.query["wait"] = 0.02
    return case


def sendable(case: Any) -> bool:
    """Whether the case can be sent as generated: a parameter with an empty name is dropped on the way.

    Schemathesis may add a query parameter named ``""`` to a negative case; its
    client leaves it out of the URL, so what is sent is a valid request that the
    check then expects refused.  (Sent, ``?=x`` is refused: see
    ``test_an_unnamed_query_parameter_is_refused_like_any_unknown_one``.)
    """
    return not any(isinstance(part, dict) and "" in part for part in (case.query, case.headers))


@schemathesis.check
def errors_are_problem_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx and 5xx answer is application/problem+json with type, title, status and detail."""
    if response.status_code < 400:
        return None
    given = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    media_type = given[0] if isinstance(given, list) else given
    assert media_type.startswith("application/problem+json"), f"{response.status_code} as {media_type}"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == response.status_code
    return True


@schemathesis.check
def no_server_error_but_a_lagging_read(ctx: Any, response: Any, case: Any) -> bool | None:
    """No 5xx, but a 503 that says the read side has not reached ``min_position`` yet (with ``Retry-After``)."""
    if response.status_code < 500:
        return None
    body = response.json()
    assert response.status_code == 503 and body["type"].endswith("/not-yet-reflected"), body
    assert "min_position" in (case.query or {}) and {k.lower() for k in response.headers} >= {"retry-after"}
    return True


def test_generated_requests_get_no_5xx_and_answers_that_conform(seeded_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", seeded_app, config=CONFIG)
    # identity: the WSGI transport does not undo a content-coding (answers are compressed when accepted)
    headers = {"Authorization": f"Bearer {seeded_app.config['ADMIN_TOKEN']}", "Accept-Encoding": "identity"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in GenerationMode:

            @given(operation.as_strategy(generation_mode=mode).filter(sendable).map(briefly))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def call(case: Any) -> None:
                case.call_and_validate(
                    headers=headers, excluded_checks=[checks.positive_data_acceptance, checks.not_a_server_error]
                )

            try:
                call()
            except Unsatisfiable:
                pass  # nothing about the operation can be made invalid (no parameters, no body)
            except (Exception, BaseExceptionGroup) as failure:  # try every operation; list the failures together
                failures[f"{mode.value} {operation.label}"] = str(failure)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())


@pytest.fixture
def small_bodies(sqlite_url: str) -> Iterator[tuple[Any, dict[str, str]]]:
    """A client of an app that takes bodies of at most 2,000 bytes, and a submitter's headers."""
    app = create_app(Settings(database_url=sqlite_url, max_body_bytes=2000))
    yield app.test_client(), {"Authorization": f"Bearer {make_token(sqlite_url, 'submitter')}"}
    app.extensions["conflict_status"].close()


def test_a_body_over_max_body_bytes_is_refused_with_413(small_bodies: tuple[Any, dict[str, str]]) -> None:
    client, headers = small_bodies
    big = json.dumps({**CALL, "summary": "x" * 3000})
    for path, media_type in (("/v1/events", "application/json"), ("/v1/events/batch", "application/x-ndjson")):
        refused = client.post(path, data=big, headers={**headers, "Content-Type": media_type})
        assert "too large" in is_problem(refused, 413)["title"]
    assert client.get("/v1/events").json["head"] == 0


def test_pages_and_feeds_larger_than_their_limits_are_refused(client: Any) -> None:
    for path, field in (
        ("/v1/events?limit=1001", "limit"),
        ("/v1/events/stream?limit=100001", "limit"),
        ("/v1/audit/replay?conflict=libya&limit=501", "limit"),
        ("/v1/conflicts/libya/timeline?limit=1001", "limit"),
        ("/v1/audit/checkpoints?limit=1001", "limit"),
        (f"/v1/events?after={2**63}", "after"),
    ):
        assert field in {e["field"] for e in is_problem(client.get(path), 422)["errors"]}, path


def test_deep_or_huge_json_is_refused_cleanly(client: Any, auth: Any) -> None:
    headers = {**auth("submitter"), "Content-Type": "application/json"}
    too_deep = '{"type": "StatementIssued", "data": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert "nested too deeply" in is_problem(client.post("/v1/events", data=too_deep, headers=headers), 400)["detail"]
    nested: Any = "x"
    for _ in range(400):  # deep enough to hurt a recursive checker, shallow enough for the JSON parser
        nested = {"name": nested}
    deep_field = client.post("/v1/events", data=json.dumps({**CALL, "persons": [nested]}), headers=headers)
    assert is_problem(deep_field, 422)["errors"][0]["field"].startswith("persons[0]")
    huge = client.post("/v1/events", data=json.dumps({**CALL, "summary": "x" * 1_000_000}), headers=headers)
    assert is_problem(huge, 422)["errors"][0]["field"] == "summary"
    many = client.post("/v1/events", data=json.dumps({**CALL, "actors": ["FRA"] * 100_000}), headers=headers)
    assert is_problem(many, 422)["errors"][0]["field"] == "actors"


def test_digits_that_are_not_ascii_are_not_positions(client: Any, auth: Any) -> None:
    client.post("/v1/events", json=REGISTRATION, headers=auth("submitter"))
    assert is_problem(client.get("/v1/conflicts/libya?known_at=²"), 422)["errors"][0]["field"] == "known_at"
    feed = client.get("/v1/events/stream?wait=0", headers={"Last-Event-ID": "²"})
    assert is_problem(feed, 400)["errors"][0]["field"] == "Last-Event-ID"


def test_an_unnamed_query_parameter_is_refused_like_any_unknown_one(client: Any, auth: Any) -> None:
    body = is_problem(client.get("/v1/audit/verify?checkpoint=&=null", headers=auth("auditor")), 422)
    assert [error["field"] for error in body["errors"]] == [""]


def test_a_chunked_batch_past_the_limit_is_refused_whole_not_cut(small_bodies: tuple[Any, dict[str, str]]) -> None:
    client, headers = small_bodies

    def line(n: int, pad: int) -> str:
        return (
            json.dumps({**REGISTRATION, "summary": "x" * pad, "data": {"conflict": f"c-{n:02d}", "name": "C"}}) + "\n"
        )

    pad = 200 - len(line(0, 0))
    body = "".join(line(n, pad) for n in range(12)).encode()
    assert len(line(0, pad)) == 200 and body[:2000].endswith(b"\n")  # cut at the limit, the batch would parse
    refused = client.post(
        "/v1/events/batch",
        input_stream=io.BytesIO(body),
        headers={**headers, "Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    is_problem(refused, 413)
    assert client.get("/v1/events").json["head"] == 0
