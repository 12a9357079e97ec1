"""The log's REST API through the Flask test client, on both backends."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.conftest import seed_lines

REGISTRATION = {
    "type": "ConflictRegistered",
    "occurred": "2014-05",
    "sources": [{"name": "UCDP"}],
    "summary": "Libya registered.",
    "data": {"conflict": "libya", "name": "Libya"},
}
CALL = {
    "type": "CeasefireCalled",
    "occurred": "2020-06-26",
    "conflicts": ["libya"],
    "actors": ["FRA", "RUS"],
    "sources": [{"name": "Kremlin statement"}],
    "summary": "Both called for a ceasefire in Libya.",
    "data": {"called_by": ["FRA", "RUS"]},
}


def is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = response.json
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-Id"]  # every problem can be quoted by its request
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.fixture
def writer(client: Any, auth: Any) -> dict[str, str]:
    headers = auth("submitter")
    assert client.post("/v1/events", json=REGISTRATION, headers=headers).status_code == 201
    return headers


def test_a_submitted_development_answers_201_with_its_location_and_record(client: Any, writer: dict[str, str]) -> None:
    response = client.post("/v1/events", json=CALL, headers=writer)
    assert response.status_code == 201
    body = response.json
    assert body["position"] == 2 and body["created"] is True
    assert body["recorded_at"] and body["occurred_latest"] == "2020-06-26"
    assert response.headers["Location"] == f"http://localhost/v1/events/{body['id']}"
    assert client.get(response.headers["Location"]).json["id"] == body["id"]
    fetched = client.get(f"/v1/events/{body['id']}").json
    assert fetched["summary"] == CALL["summary"] and fetched["position"] == 2


def test_the_same_idempotency_key_answers_with_the_original_record(client: Any, writer: dict[str, str]) -> None:
    first = client.post("/v1/events", json=CALL, headers={**writer, "Idempotency-Key": "call-1"})
    again = client.post("/v1/events", json=CALL, headers={**writer, "Idempotency-Key": "call-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["created"] is False
    other = client.post(
        "/v1/events", json={**CALL, "summary": "Else."}, headers={**writer, "Idempotency-Key": "call-1"}
    )
    assert is_problem(other, 409)["errors"][0]["field"] == "id"
    assert client.get("/v1/events").json["head"] == 2


def test_a_key_with_a_new_id_for_the_same_content_is_a_409_naming_both_ids(client: Any, writer: dict[str, str]) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    keyed = {**writer, "Idempotency-Key": "call-2"}
    assert client.post("/v1/events", json={**CALL, "id": first}, headers=keyed).status_code == 201
    problem = is_problem(client.post("/v1/events", json={**CALL, "id": second}, headers=keyed), 409)
    assert problem["errors"][0]["field"] == "id"
    assert first in problem["errors"][0]["message"] and second in problem["errors"][0]["message"]
    again = client.post("/v1/events", json=CALL, headers=keyed)  # the key alone answers its development
    assert (again.status_code, again.json["id"]) == (200, first)
    assert client.get("/v1/events").json["head"] == 2


def test_a_client_chosen_id_is_kept_and_repeats_are_harmless(client: Any, writer: dict[str, str]) -> None:
    ident = str(uuid.uuid4())
    assert client.post("/v1/events", json={**CALL, "id": ident}, headers=writer).json["id"] == ident
    assert client.post("/v1/events", json={**CALL, "id": ident}, headers=writer).status_code == 200


def test_a_batch_is_stored_whole_and_answers_each_item(client: Any, auth: Any) -> None:
    response = client.post("/v1/events/batch", json=[REGISTRATION, CALL], headers=auth("submitter"))
    assert response.status_code == 201
    assert response.json["created"] == 2
    assert [i["position"] for i in response.json["items"]] == [1, 2]


def test_a_batch_answers_each_item_with_where_it_was_recorded_not_its_content(client: Any, auth: Any) -> None:
    items = client.post("/v1/events/batch", json=[REGISTRATION, CALL], headers=auth("submitter")).json["items"]
    assert set(items[1]) == {"id", "position", "recorded_at", "type", "digest", "hash", "prev_hash", "created"}
    stored = client.get(f"/v1/events/{items[1]['id']}").json
    shared = {"id", "position", "recorded_at", "type", "hash", "prev_hash"}
    assert {k: stored[k] for k in shared} == {k: items[1][k] for k in shared}
    assert items[1]["prev_hash"] == items[0]["hash"]


def test_a_lone_surrogate_is_refused_as_malformed_json(client: Any, auth: Any) -> None:
    body = json.dumps({**CALL, "summary": "half a pair: \ud800"})
    response = client.post("/v1/events", data=body, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400 and "lone surrogate" in response.json["detail"]


def test_a_nul_in_a_summary_or_a_name_is_a_422_naming_the_field(client: Any, writer: dict[str, str]) -> None:
    persons = [{"name": "Vladimir\u0000Putin", "represents": "RUS"}]
    body = json.dumps({**CALL, "summary": "Both called\u0000.", "persons": persons})
    answer = client.post("/v1/events", data=body, headers={**writer, "Content-Type": "application/json"})
    fields = [e["field"] for e in is_problem(answer, 422)["errors"]]
    assert fields == ["persons[0].name", "summary"]
    assert "U+0000" in answer.json["detail"]
    assert client.get("/v1/events").json["head"] == 1


def test_an_ndjson_batch_is_accepted(client: Any, auth: Any) -> None:
    body = "\n".join(seed_lines()) + "\n\n"
    response = client.post(
        "/v1/events/batch", data=body, headers={**auth("submitter"), "Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 201 and response.json["created"] == 21
    again = client.post(
        "/v1/events/batch", data=body, headers={**auth("submitter"), "Content-Type": "application/x-ndjson"}
    )
    assert again.status_code == 200 and again.json["unchanged"] == 21


def test_a_batch_with_bad_items_stores_nothing_and_names_each_item_and_field(client: Any, auth: Any) -> None:
    bad = {**CALL, "conflicts": ["lybia"]}
    broken = {k: v for k, v in CALL.items() if k != "summary"}
    response = client.post("/v1/events/batch", json=[REGISTRATION, CALL, broken, bad], headers=auth("submitter"))
    body = is_problem(response, 422)
    assert body["errors"] == [{"field": "summary", "message": "is required", "index": 2}]
    response = client.post("/v1/events/batch", json=[REGISTRATION, CALL, bad], headers=auth("submitter"))
    body = is_problem(response, 422)
    assert body["errors"] == [
        {"field": "conflicts[0]", "message": "unknown conflict 'lybia'; did you mean 'libya'?", "index": 2}
    ]
    assert client.get("/v1/events").json["items"] == []


def test_an_oversized_batch_is_refused(client: Any, auth: Any) -> None:
    response = client.post("/v1/events/batch", json=[CALL] * 10_001, headers=auth("submitter"))
    assert "10000" in is_problem(response, 413)["detail"]


def test_malformed_json_is_a_400_naming_the_place(client: Any, auth: Any) -> None:
    response = client.post("/v1/events", data='{"type": ', headers={**auth(), "Content-Type": "application/json"})
    assert "line 1, column 10" in is_problem(response, 400)["detail"]
    deep = "[" * 100_000 + "]" * 100_000
    is_problem(client.post("/v1/events/batch", data=deep, headers={**auth(), "Content-Type": "application/json"}), 400)
    nan = client.post("/v1/events", data='{"x": NaN}', headers={**auth(), "Content-Type": "application/json"})
    is_problem(nan, 400)


def test_a_body_that_is_not_json_is_refused_with_415(client: Any, auth: Any) -> None:
    response = client.post("/v1/events", data="type=x", headers={**auth(), "Content-Type": "text/plain"})
    is_problem(response, 415)


def test_schema_violations_are_422_with_field_errors(client: Any, writer: dict[str, str]) -> None:
    response = client.post("/v1/events", json={**CALL, "occurred": "2019-02-30", "actors": "FRA"}, headers=writer)
    fields = [e["field"] for e in is_problem(response, 422)["errors"]]
    assert fields == ["occurred", "actors"]


def test_writes_need_a_submitter_token(client: Any, auth: Any) -> None:
    assert "bearer token" in is_problem(client.post("/v1/events", json=CALL), 401)["detail"]
    wrong = client.post("/v1/events", json=CALL, headers=auth("reader"))
    assert "submitter" in is_problem(wrong, 403)["detail"]
    bogus = client.post("/v1/events", json=CALL, headers={"Authorization": "Bearer cs_not-a-token"})
    is_problem(bogus, 401)


def test_pages_follow_the_cursor_and_the_link_header(client: Any, auth: Any) -> None:
    client.post(
        "/v1/events/batch", data="\n".join(seed_lines()), headers={**auth(), "Content-Type": "application/x-ndjson"}
    )
    first = client.get("/v1/events?limit=8&type=CommitmentMade&type=MeetingHeld&type=ConflictRegistered")
    assert first.json["next_after"] is None and len(first.json["items"]) == 6
    page = client.get("/v1/events?limit=8")
    assert page.json["next_after"] == 8
    assert 'rel="next"' in page.headers["Link"] and "after=8" in page.headers["Link"]
    rest = client.get("/v1/events?limit=100&after=8").json["items"]
    assert [i["position"] for i in page.json["items"] + rest] == list(range(1, 22))


def test_filters_by_conflict_actor_and_world_time(client: Any, auth: Any) -> None:
    client.post(
        "/v1/events/batch", data="\n".join(seed_lines()), headers={**auth(), "Content-Type": "application/x-ndjson"}
    )
    syria = client.get("/v1/events?conflict=syria").json["items"]
    assert {i["type"] for i in syria} == {"ConflictRegistered", "MeetingHeld", "BriefingGiven"}
    before = client.get("/v1/events?actor=UKR&occurred_to=2019-12-31").json["items"]
    assert {i["type"] for i in before} == {
        "ConflictRegistered",
        "SummitHeld",
        "CeasefireAgreed",
        "CommitmentMade",
        "CommitmentFulfilled",
    }
    bad = client.get("/v1/events?limit=0&occurred_from=June")
    assert {e["field"] for e in is_problem(bad, 422)["errors"]} == {"limit", "occurred_from"}


def test_an_unknown_development_or_route_is_a_problem(client: Any) -> None:
    is_problem(client.get(f"/v1/events/{uuid.uuid4()}"), 404)
    is_problem(client.get("/v1/events/not-a-uuid"), 404)
    is_problem(client.get("/nowhere"), 404)
    is_problem(client.delete("/v1/events"), 405)


def test_an_unexpected_error_is_a_500_with_a_request_id_and_no_trace(client: Any, app: Any, monkeypatch: Any) -> None:
    runtime = app.extensions["conflict_status"]

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(runtime.log, "read", explode)
    response = client.get("/v1/events", headers={"X-Request-Id": "req-123"})
    body = is_problem(response, 500)
    assert body["request_id"] == "req-123" and response.headers["X-Request-Id"] == "req-123"
    assert "secret" not in json.dumps(body)


def test_reads_can_be_made_to_need_a_reader_token(database_url: str, auth: Any) -> None:
    from service.app import create_app
    from service.settings import Settings

    closed = create_app(Settings(database_url=database_url, reads_need_token=True)).test_client()
    is_problem(closed.get("/v1/events"), 401)
    assert closed.get("/v1/events", headers=auth("reader")).status_code == 200
    assert closed.get("/healthz").status_code == 200


def test_openapi_31_and_the_docs_are_served_without_a_cdn(client: Any) -> None:
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert "/v1/events/batch" in spec["paths"] and "Submission" in spec["components"]["schemas"]
    assert spec["paths"]["/v1/events"]["post"]["security"] == [{"bearer": []}]
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page and "//cdn" not in page and "unpkg" not in page
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_the_docs_and_pages_allow_no_inline_script_and_no_framing(client: Any) -> None:
    docs = client.get("/docs")
    assert re.findall(r"<script[^>]*>", docs.get_data(as_text=True)) == [
        '<script src="/docs/assets/swagger-ui-standalone-preset.js">',
        '<script src="/docs/assets/swagger-ui-bundle.js">',
        '<script src="/static/pages/docs.js">',
    ]
    for path in ("/docs", "/", "/no-such-page"):
        answer = client.get(path, headers={"Accept": "text/html"})
        policy = dict(d.strip().split(" ", 1) for d in answer.headers["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'", path
        assert "unsafe" not in policy.get("connect-src", "") + policy.get("default-src", ""), path
        assert answer.headers["X-Frame-Options"] == "DENY", path
    assert client.get("/openapi.json").headers["X-Frame-Options"] == "DENY"


def test_health_reports_the_database_and_head(client: Any) -> None:
    body = client.get("/healthz").json
    assert body["status"] == "ok" and body["head"] == 0


def test_an_imported_developments_origin_is_shown(client: Any, writer: dict[str, str]) -> None:
    origin = {"dataset": "ucdp-ged", "release": "22.1", "row_id": "155259"}
    created = client.post("/v1/events", json={**CALL, "origin": origin}, headers=writer).json
    assert client.get(f"/v1/events/{created['id']}").json["origin"] == origin
    assert client.get("/v1/events").json["items"][0]["origin"] is None


def test_actors_named_in_data_or_persons_count_as_actors_for_the_index_and_the_filter(
    client: Any, writer: dict[str, str]
) -> None:
    client.post("/v1/events", json=REGISTRATION, headers=writer)
    summit = {
        "type": "SummitProposed",
        "occurred": "2020-06-26",
        "conflicts": ["libya"],
        "actors": ["FRA", "RUS"],
        "persons": [{"name": "Olaf Scholz", "represents": "DEU"}],
        "sources": [{"name": "Elysee"}],
        "summary": "A summit in Berlin would be useful.",
        "data": {"summit": "berlin", "proposed_by": ["FRA", "RUS"], "participants": ["UKR", "DEU", "FRA", "RUS"]},
    }
    created = client.post("/v1/events", json=summit, headers=writer)
    assert created.status_code == 201, created.json
    for actor in ("UKR", "DEU"):
        found = client.get(f"/v1/events?actor={actor}").json["items"]
        assert [d["id"] for d in found] == [created.json["id"]], actor


def test_a_typo_in_actors_is_named_itself_not_through_what_follows_from_it(client: Any, writer: dict[str, str]) -> None:
    client.post("/v1/events", json=REGISTRATION, headers=writer)
    body = is_problem(client.post("/v1/events", json={**CALL, "actors": ["FRX", "RUS"]}, headers=writer), 422)
    assert [e["field"] for e in body["errors"]] == ["actors[0]"]
    assert "'FRX'" in body["errors"][0]["message"] and "'FRA'" in body["errors"][0]["message"]


def test_an_unknown_actor_named_once_in_data_is_refused_by_name_like_one_in_a_list(
    client: Any, writer: dict[str, str]
) -> None:
    client.post("/v1/events", json=REGISTRATION, headers=writer)
    statement = {**CALL, "type": "StatementIssued", "actors": [], "data": {"by": "XYZQ", "text": "t"}}
    body = is_problem(client.post("/v1/events", json=statement, headers=writer), 422)
    assert [(e["field"], "'XYZQ'" in e["message"]) for e in body["errors"]] == [("data.by", True)]
    listed = {**CALL, "actors": [], "data": {"called_by": ["FRA", "XYZQ"]}}
    body = is_problem(client.post("/v1/events", json=listed, headers=writer), 422)
    assert [(e["field"], "'XYZQ'" in e["message"]) for e in body["errors"]] == [("data.called_by[1]", True)]
