"""POST /v1/imports?format=gdelt: a GDELT export over HTTP, answered with the counts of each rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TSV = {"Content-Type": "text/tab-separated-values"}
UKRAINE = {
    "type": "ConflictRegistered",
    "occurred": "2014-04-06",
    "sources": [{"name": "test"}],
    "summary": "The war in eastern Ukraine is registered.",
    "data": {
        "conflict": "ukraine-east",
        "name": "War in eastern Ukraine",
        "territory": ["UKR"],
        "parties": ["UKR", "RUS"],
    },
}


def test_a_gdelt_export_posted_is_imported_and_answers_the_counts_of_each_rule(client: Any, auth: Any) -> None:
    registered = client.post(
        "/v1/events", data=json.dumps(UKRAINE), headers={**auth(), "Content-Type": "application/json"}
    )
    assert registered.status_code == 201, registered.json
    body = (FIXTURES / "gdelt-2.0-sample.tsv").read_bytes()
    answer = client.post("/v1/imports?format=gdelt&conflict=ukraine-east", data=body, headers={**TSV, **auth()})
    assert answer.status_code == 200, answer.json
    assert (answer.json["rows_read"], answer.json["added"], answer.json["rejected"]) == (15, 3, 1)
    notes = answer.json["notes"]
    assert (
        "dropped by PLOVER: 1 row: CAMEO root dropped by PLOVER on purpose (01 make public statement, 02 appeal)"
        in notes
    )
    assert any(n.startswith("filtered out (actors-do-not-fit): 1 row:") for n in notes), notes
