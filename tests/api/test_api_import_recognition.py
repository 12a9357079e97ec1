"""POST /v1/imports without a format: the file is recognised and the answer says how, or a 422 names the formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CSV = {"Content-Type": "text/csv"}


def post(client: Any, headers: dict[str, str], body: bytes, query: str = "") -> Any:
    return client.post(f"/v1/imports{query}", data=body, headers={**CSV, **headers})


def test_a_file_sent_without_a_format_is_recognised_and_the_answer_names_the_format_taken(
    client: Any, auth: Any
) -> None:
    answer = post(client, auth(), (FIXTURES / "acd-sample.csv").read_bytes())
    assert answer.status_code == 200, answer.json
    assert answer.json["format"] == "ucdp-acd"
    assert answer.json["recognised"] == "recognised as ucdp-acd by its header"
    assert answer.json["added"] == 8
    status = client.get("/v1/conflicts/ucdp-289").json
    assert status["developments"] >= 3


def test_a_named_format_is_taken_as_given_and_the_answer_has_no_recognised(client: Any, auth: Any) -> None:
    answer = post(client, auth(), (FIXTURES / "ged-messy.csv").read_bytes(), "?format=ucdp-ged")
    assert answer.status_code == 200, answer.json
    assert "recognised" not in answer.json


def test_acled_rows_over_the_api_are_placed_in_the_conflict_given(client: Any, auth: Any) -> None:
    registration = {
        "type": "ConflictRegistered",
        "occurred": "2014",
        "sources": [{"name": "test"}],
        "summary": "Ukraine is registered.",
        "data": {"conflict": "ukraine", "name": "Ukraine"},
    }
    assert client.post("/v1/events", json=registration, headers=auth()).status_code == 201
    answer = post(client, auth(), (FIXTURES / "acled-other-layout.csv").read_bytes(), "?conflict=ukraine")
    assert answer.status_code == 200, answer.json
    assert (answer.json["recognised"], answer.json["added"]) == ("recognised as acled by its header", 2)


def test_an_unrecognised_file_is_a_problem_naming_each_format_and_what_it_expects(client: Any, auth: Any) -> None:
    answer = post(client, auth(), b"name,date\nx,2020-01-01\n")
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    detail = answer.json["detail"]
    assert detail.startswith("the file's format was not recognised; the formats are ndjson, ucdp-acd, acled")
    messages = [error["message"] for error in answer.json["errors"]]
    assert "acled: ACLED's CSV export, a header with event_id_cnty, event_date, event_type" in messages
    assert {error["field"] for error in answer.json["errors"]} == {"format"}
    assert client.get("/v1/events?limit=1").json["head"] == 0


def test_ndjson_developments_sent_to_imports_are_refused_with_the_formats_taken_here(client: Any, auth: Any) -> None:
    line = b'{"type": "StatementIssued", "occurred": "2020-06-27", "data": {}}\n'
    answer = client.post("/v1/imports", data=line, headers={"Content-Type": "application/json", **auth()})
    assert answer.status_code == 422
    assert answer.json["detail"] == (
        "recognised as ndjson by its shape (a development on each line): "
        "developments are recorded with POST /v1/events/batch, not imported"
    )
