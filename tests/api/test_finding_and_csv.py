"""Finding conflicts (q, status, region, sort) and taking lists and timelines away as CSV, through the test client."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.api.csv_answers import cell, table
from service.app import create_app
from service.settings import Settings
from tests.conftest import make_token, seed_lines


@pytest.fixture
def seeded(sqlite_url: str) -> Iterator[FlaskClient]:
    app: Flask = create_app(Settings(database_url=sqlite_url))
    client = app.test_client()
    token = make_token(sqlite_url, "submitter")
    response = client.post(
        "/v1/events/batch",
        data="\n".join(seed_lines()),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.json
    yield client
    app.extensions["conflict_status"].close()


def keys(client: FlaskClient, query: str) -> list[str]:
    response = client.get(f"/v1/conflicts?{query}")
    assert response.status_code == 200, response.json
    return [item["conflict"] for item in response.json["items"]]


def rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


# -- finding ----------------------------------------------------------------------------


def test_each_conflict_in_the_list_names_its_region(seeded: FlaskClient) -> None:
    items = {i["conflict"]: i for i in seeded.get("/v1/conflicts").json["items"]}
    assert items["ukraine-east"]["region"] == "Europe"
    assert items["libya"]["region"] == "North Africa"


def test_q_keeps_conflicts_whose_text_holds_every_word_in_any_case(seeded: FlaskClient) -> None:
    assert keys(seeded, "q=UKRAINE") == ["ukraine-east"]
    assert keys(seeded, "q=eastern+europe") == ["ukraine-east"]
    assert keys(seeded, "q=eastern+africa") == []


def test_region_keeps_one_region_and_an_unknown_one_is_a_422_naming_the_regions(seeded: FlaskClient) -> None:
    assert keys(seeded, "region=north+africa") == ["libya"]
    response = seeded.get("/v1/conflicts?region=Atlantis")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == "region"
    assert "Europe" in response.json["errors"][0]["message"]


def test_status_keeps_the_asked_ceasefire_statuses_and_refuses_others_by_name(seeded: FlaskClient) -> None:
    every = seeded.get("/v1/conflicts").json["items"]
    statuses = {i["conflict"]: i["ceasefire"] for i in every}
    for status in set(statuses.values()):
        assert keys(seeded, f"status={status}") == sorted(
            (k for k, s in statuses.items() if s == status),
            key=lambda k: next(i["name"] or k for i in every if i["conflict"] == k).casefold(),
        )
    both = keys(seeded, "status=none&status=agreed&status=called&status=violated")
    assert sorted(both) == sorted(statuses)
    response = seeded.get("/v1/conflicts?status=peaceful")
    assert response.status_code == 422
    assert "status" in json.dumps(response.json["errors"])


def test_sort_orders_by_name_latest_development_or_count_and_refuses_other_orders(seeded: FlaskClient) -> None:
    items = seeded.get("/v1/conflicts").json["items"]
    by_name = keys(seeded, "sort=name")
    assert by_name == [i["conflict"] for i in sorted(items, key=lambda i: (i["name"] or i["conflict"]).casefold())]
    most = keys(seeded, "sort=developments")
    counts = {i["conflict"]: i["developments"] for i in items}
    assert [counts[k] for k in most] == sorted(counts.values(), reverse=True)
    assert seeded.get("/v1/conflicts?sort=size").status_code == 422


def test_a_misspelt_search_parameter_is_refused_naming_the_ones_the_list_takes(seeded: FlaskClient) -> None:
    response = seeded.get("/v1/conflicts?query=libya")
    assert response.status_code == 422
    assert "q, status, region, sort" in response.json["detail"]


# -- CSV --------------------------------------------------------------------------------


def test_the_conflicts_list_answers_csv_for_format_or_accept_with_a_header_and_a_filename(seeded: FlaskClient) -> None:
    by_format = seeded.get("/v1/conflicts?format=csv&q=libya")
    by_accept = seeded.get("/v1/conflicts?q=libya", headers={"Accept": "text/csv"})
    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == 'attachment; filename="conflicts.csv"'
        (row,) = rows(response.data)
        assert row["conflict"] == "libya"
        assert row["region"] == "North Africa"
    assert seeded.get("/v1/conflicts?q=libya").mimetype == "application/json"
    assert seeded.get("/v1/conflicts?format=xml").status_code == 422


def test_a_timeline_as_csv_holds_every_development_with_its_sources_when_no_limit_is_asked(seeded: FlaskClient) -> None:
    timeline = seeded.get("/v1/conflicts/libya/timeline?limit=1000").json["items"]
    response = seeded.get("/v1/conflicts/libya/timeline?format=csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="libya-timeline.csv"'
    exported = rows(response.data)
    assert [r["id"] for r in exported] == [str(i["id"]) for i in timeline]
    assert exported[0]["sources"] == "; ".join(s["name"] for s in timeline[0]["sources"])
    assert json.loads(exported[0]["data"]) == timeline[0]["data"]
    assert len(rows(seeded.get("/v1/conflicts/libya/timeline?format=csv&limit=2").data)) == 2


def test_the_agendas_list_answers_csv(seeded: FlaskClient) -> None:
    agendas = seeded.get("/v1/agendas").json["items"]
    exported = rows(seeded.get("/v1/agendas", headers={"Accept": "text/csv"}).data)
    assert [r["agenda"] for r in exported] == [a["agenda"] for a in agendas]
    assert exported[0]["parties"] == "; ".join(agendas[0]["parties"])


def test_cells_that_would_run_as_a_spreadsheet_formula_get_an_apostrophe() -> None:
    for text in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("a = b") == "a = b"
    assert cell(-4) == -4  # numbers stay numbers
    assert cell(None) == ""
    assert cell(["UKR", "RUS"]) == "UKR; RUS"


def test_csv_cells_with_commas_quotes_and_line_breaks_are_quoted_and_read_back_whole() -> None:
    text = table(["a", "b"], [['He said "no", twice', "line one\nline two"]])
    assert text.splitlines()[0] == "a,b"
    assert next(csv.DictReader(io.StringIO(text))) == {"a": 'He said "no", twice', "b": "line one\nline two"}
