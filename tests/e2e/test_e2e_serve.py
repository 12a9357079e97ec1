"""End to end: a real ``conflict-status serve`` with two workers, over HTTP, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.e2e.server import Server, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    with serve(database_url, tmp_path, workers=2) as running:
        yield running


def test_the_seed_article_answers_the_acceptance_scenario_through_serve(server: Server) -> None:
    loaded = server.cli("import", "--example", "seed-article")
    assert "developments added: 21" in loaded
    ukraine = requests.get(server.url + "/v1/conflicts/ukraine-east", timeout=30).json()
    assert ukraine["ceasefire"]["status"] == "violated"
    assert {c["commitment"]: c["status"] for c in ukraine["commitments"]} == {
        "paris-2019-ceasefire": "broken",
        "paris-2019-prisoner-exchange": "fulfilled",
    }
    january = requests.get(server.url + "/v1/conflicts/ukraine-east?as_of=2020-01-15", timeout=30).json()
    assert {c["commitment"]: c["status"] for c in january["commitments"]}["paris-2019-ceasefire"] == "overdue"
    december = requests.get(server.url + "/v1/conflicts/ukraine-east?as_of=2019-12-15", timeout=30).json()
    assert [u["type"] for u in december["uncertain"]] == ["CommitmentFulfilled"]
    libya = requests.get(server.url + "/v1/conflicts/libya", timeout=30).json()
    assert libya["ceasefire"]["status"] == "called" and sorted(libya["ceasefire"]["called_by"]) == ["FRA", "RUS"]
    agenda = requests.get(server.url + "/v1/agendas/RUS/FRA", timeout=30).json()
    assert len(agenda["topics"]) == 10 and len(agenda["contacts"]) == 1


def test_concurrent_appends_through_two_workers_get_gap_free_distinct_positions(server: Server) -> None:
    headers = server.token("submitter")
    registration = requests.post(server.url + "/v1/events", json=_registration(), headers=headers, timeout=30)
    assert registration.status_code == 201, registration.text

    def append(n: int) -> int:
        body = {
            "type": "StatementIssued",
            "occurred": "2020-06-27",
            "conflicts": ["e2e"],
            "actors": ["FRA"],
            "sources": [{"name": "test"}],
            "summary": f"statement {n}",
            "data": {"by": "FRA", "text": f"statement {n}"},
        }
        response = requests.post(server.url + "/v1/events", json=body, headers=headers, timeout=30)
        assert response.status_code == 201, response.text
        return int(response.json()["position"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        positions = list(pool.map(append, range(80)))
    assert len(set(positions)) == 80
    listed = requests.get(server.url + "/v1/events?limit=1000", timeout=30).json()["items"]
    assert [i["position"] for i in listed] == list(range(1, 82))
    status = requests.get(server.url + "/v1/conflicts/e2e", timeout=30).json()
    assert status["developments"] == 81


def test_errors_from_serve_are_problem_json(server: Server) -> None:
    response = requests.post(
        server.url + "/v1/events", data="{", headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 401  # the token is checked before the body is read
    assert response.headers["Content-Type"] == "application/problem+json"
    headers = {**server.token("submitter"), "Content-Type": "application/json"}
    malformed = requests.post(server.url + "/v1/events", data="{", headers=headers, timeout=30)
    assert malformed.status_code == 400 and malformed.json()["request_id"]
    assert requests.get(server.url + "/docs", timeout=30).status_code == 200


def _registration() -> dict[str, object]:
    return {
        "type": "ConflictRegistered",
        "occurred": "2020",
        "sources": [{"name": "test"}],
        "summary": "A test conflict.",
        "data": {"conflict": "e2e", "name": "End to end"},
    }
