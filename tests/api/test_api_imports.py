"""POST /v1/imports: a data set file in, the import's summary out (or a problem+json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GED = (FIXTURES / "ged-messy.csv").read_bytes()
CSV = {"Content-Type": "text/csv"}


def post(client: Any, headers: dict[str, str], body: bytes, query: str = "format=ucdp-ged", **extra: str) -> Any:
    return client.post(f"/v1/imports?{query}", data=body, headers={**CSV, **headers, **extra})


def test_importing_needs_a_submitter_token(client: Any, auth: Any) -> None:
    assert post(client, {}, GED).status_code == 401
    assert post(client, auth("reader"), GED).status_code == 403


def test_an_imported_file_answers_with_its_summary_and_its_rows_are_in_the_log(client: Any, auth: Any) -> None:
    answer = post(client, auth(), GED, "format=ucdp-ged&release=22.1")
    assert answer.status_code == 200, answer.json
    summary = answer.json
    assert {k: summary[k] for k in ("rows_read", "added", "unchanged", "corrected", "flagged", "rejected")} == {
        "rows_read": 6,
        "added": 4,
        "unchanged": 0,
        "corrected": 0,
        "flagged": 1,
        "rejected": 2,
    }
    assert summary["reports"][1] == {
        "outcome": "rejected",
        "reason": "expected a whole number, got 'many'",
        "row_id": "1004",
        "line": 5,
        "column": "best",
    }
    page = client.get("/v1/events?type=FightingReported&conflict=ucdp-13246").json
    assert [item["occurred"] for item in page["items"]] == ["2014-08-12/2014-08-13", "2014-05"]


def test_reimporting_through_the_api_adds_nothing(client: Any, auth: Any) -> None:
    post(client, auth(), GED)
    head = client.get("/v1/events?limit=1").json["head"]
    again = post(client, auth(), GED).json
    assert (again["added"], again["unchanged"]) == (0, 4)
    assert client.get("/v1/events?limit=1").json["head"] == head


def test_a_missing_column_is_a_problem_naming_it(client: Any, auth: Any) -> None:
    answer = post(client, auth(), b"id,best\n1,2\n")
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    assert {
        "field": "date_start",
        "message": "the file has no column 'date_start' (also accepted: start_date, date_from)",
    } in (answer.json["errors"])


def test_a_strict_import_with_a_bad_row_is_refused_whole(client: Any, auth: Any) -> None:
    answer = post(client, auth(), GED, "format=ucdp-ged&strict=true")
    assert answer.status_code == 422
    assert {"field": "line 5, row_id 1004, column best", "message": "expected a whole number, got 'many'"} in (
        answer.json["errors"]
    )
    assert client.get("/v1/events").json["items"] == []


def test_json_rows_and_plover_records_are_accepted_as_json(client: Any, auth: Any) -> None:
    plover = (FIXTURES / "plover-sample.json").read_bytes()
    answer = post(client, auth(), plover, "format=plover", **{"Content-Type": "application/json"})
    assert answer.status_code == 200
    assert (answer.json["added"], answer.json["rejected"]) == (2, 5)


def test_an_unknown_format_or_media_type_is_refused(client: Any, auth: Any) -> None:
    assert post(client, auth(), GED, "format=acled").status_code == 422
    answer = post(client, auth(), GED, **{"Content-Type": "application/xml"})
    assert answer.status_code == 415


def test_json_sent_as_csv_is_refused_naming_the_media_type_to_use(client: Any, auth: Any) -> None:
    plover = (FIXTURES / "plover-sample.json").read_bytes()
    answer = post(client, auth(), plover, "format=plover", **{"Content-Type": "text/csv"})
    assert answer.status_code == 422
    assert "application/json" in answer.json["detail"]


def test_deep_or_malformed_json_is_a_400_on_every_format_like_on_the_events_route(client: Any, auth: Any) -> None:
    json_body = {"Content-Type": "application/json"}
    for query in ("format=ucdp-ged", "format=ucdp-pa", "format=plover"):
        for body in ("[" * 990 + "]" * 990, '[{"id": ' + "[" * 990 + "]" * 990 + "}]", "[" * 100_000):
            answer = post(client, auth(), body.encode(), query, **json_body)
            assert answer.status_code == 400, (query, answer.get_data(as_text=True)[:300])
            assert answer.content_type == "application/problem+json"
            assert "nested too deeply" in answer.json["detail"] or "malformed JSON" in answer.json["detail"]
    broken = post(client, auth(), b'[{"id": 1,}]', "format=plover", **json_body)
    assert broken.status_code == 400 and "malformed JSON" in broken.json["detail"]
    assert client.get("/v1/events").json["head"] == 0
