"""Unknown query parameters: refused on every API operation, named, with the ones the operation takes."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask.testing import FlaskClient

from tests.api.test_api_events import is_problem

PATH_VALUES = {
    "development_id": str(uuid.uuid4()),
    "conflict": "libya",
    "a": "FRA",
    "b": "RUS",
    "subscription_id": str(uuid.uuid4()),
}


def operations(client: FlaskClient) -> list[tuple[str, str, list[str]]]:
    """(method, concrete path, its query parameters) of every operation in the OpenAPI document."""
    found = []
    for path, methods in client.get("/openapi.json").json["paths"].items():
        concrete = re.sub(r"{([^}]+)}", lambda m: PATH_VALUES[m.group(1)], path)
        for method, operation in methods.items():
            if method != "parameters":
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                found.append((method.upper(), concrete, names))
    return found


def test_every_api_operation_refuses_an_unknown_query_parameter_naming_it_and_the_known_ones(
    client: FlaskClient,
) -> None:
    checked = operations(client)
    assert len(checked) >= 18
    for method, path, names in checked:
        answer = client.open(f"{path}?asof=2020-01-15", method=method)
        problem = is_problem(answer, 422)
        assert problem["errors"][0]["field"] == "asof", (method, path)
        message = problem["errors"][0]["message"]
        if names:
            assert message.endswith("the parameters here are: " + ", ".join(names)), (method, path, message)
        else:
            assert message.endswith("this route takes no query parameters"), (method, path, message)


def test_a_misspelt_as_of_is_refused_instead_of_answering_today(client: FlaskClient, auth: Any) -> None:
    problem = is_problem(client.get("/v1/conflicts/libya?asof=2020-01-15&known_at=3&knownat=2"), 422)
    assert [e["field"] for e in problem["errors"]] == ["asof", "knownat"]
    assert problem["detail"] == (
        "unknown query parameters 'asof', 'knownat'; the parameters here are: as_of, known_at, min_position"
    )
    assert client.get("/v1/events?limit=1&type=CeasefireCalled&type=MeetingHeld").status_code == 200


def test_a_page_ignores_a_parameter_it_does_not_read_and_says_so(client: FlaskClient) -> None:
    html = re.sub(r"\s+", " ", client.get("/?asof=2020-01-15&utm_source=mail").get_data(as_text=True))
    assert "This page ignored <code>asof</code>, <code>utm_source</code> in its address: it reads only" in html
    conflict = re.sub(r"\s+", " ", client.get("/conflicts/libya?asof=2020-01-15").get_data(as_text=True))
    assert (
        "it reads only <code>as_of</code>, <code>known_at</code>, <code>window</code>, <code>min_position</code>."
        in (conflict)
    )
    assert "ignored-parameters" not in client.get("/").get_data(as_text=True)
