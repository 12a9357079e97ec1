"""The shared samples imported through the API, checked against each data set's expected.json.

The UCDP Peace Agreements then the GED sample are imported once per backend
(module scope); the counts are read back through GET /v1/events.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import (
    SHARED_DATA,
    drop_postgres_schema,
    make_token,
    new_postgres_schema,
    postgres_url,
    require_postgres,
)

GED = SHARED_DATA / "ucdp-ged-ukraine"
PA = SHARED_DATA / "ucdp-peace-agreements"
GSR = SHARED_DATA / "plover-gsr"

pytestmark = pytest.mark.skipif(
    not (GED.is_dir() and PA.is_dir() and GSR.is_dir()),
    reason=f"the shared data sets are not at {SHARED_DATA} (they live beside the repository, in shared/data)",
)


def expected(folder: Path) -> Any:
    return json.loads((folder / "expected.json").read_text())


def only(folder: Path, suffix: str) -> bytes:
    return next(folder.glob(f"*{suffix}")).read_bytes()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh database of each backend holding the agreements and the GED sample, imported via the API."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('samples') / 'log.db'}"
    else:
        require_postgres()
        schema = new_postgres_schema()
        url = postgres_url(schema)
    app = create_app(Settings(database_url=url))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {make_token(url, 'submitter')}", "Content-Type": "text/csv"}
    agreements = client.post("/v1/imports?format=ucdp-pa", data=only(PA, ".csv"), headers=headers)
    ged = client.post("/v1/imports?format=ucdp-ged&release=22.1", data=only(GED, ".csv"), headers=headers)
    assert agreements.status_code == ged.status_code == 200, (agreements.json, ged.json)
    try:
        yield {"client": client, "headers": headers, "agreements": agreements.json, "ged": ged.json}
    finally:
        app.extensions["conflict_status"].close()
        if schema:
            drop_postgres_schema(schema)


def events(client: Any, **query: Any) -> list[dict[str, Any]]:
    """Every development matching the query, page after page."""
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get("/v1/events", query_string={**query, "after": after, "limit": 1000}).json
        items += page["items"]
        if page["next_after"] is None:
            return items
        after = page["next_after"]


FIGHTING = ["FightingReported", "CeasefireViolated"]


def test_every_ged_row_becomes_one_development_of_fighting(imported: dict[str, Any]) -> None:
    want = expected(GED)
    summary = imported["ged"]
    assert (summary["rows_read"], summary["added"], summary["rejected"]) == (want["rows"], want["rows"], 0)
    fighting = events(imported["client"], type=FIGHTING)
    assert len(fighting) == want["rows"] == len({f["id"] for f in fighting})
    per_conflict = collections.Counter(c.removeprefix("ucdp-") for f in fighting for c in f["conflicts"])
    assert per_conflict == want["events_per_conflict_new_id"]
    assert sum(f["data"]["deaths"]["best"] for f in fighting) == want["sum_best"]
    assert sum("/" in f["occurred"] for f in fighting) == want["multi_day_events"]


def test_each_conflict_spans_the_days_and_deaths_of_its_rows(imported: dict[str, Any]) -> None:
    client = imported["client"]
    for conflict, want in expected(GED)["per_conflict"].items():
        rows = events(client, type=FIGHTING, conflict=f"ucdp-{conflict}")
        assert len(rows) == want["events"]
        assert min(r["occurred_earliest"] for r in rows) == want["first_date_start"]
        assert max(r["occurred_latest"] for r in rows) == want["last_date_end"]
        assert sum(r["data"]["deaths"]["best"] for r in rows) == want["best_deaths"]


def test_the_years_and_the_deadliest_event_match_the_sample(imported: dict[str, Any]) -> None:
    want = expected(GED)
    fighting = events(imported["client"], type=FIGHTING)
    per_year = collections.Counter(f["occurred_earliest"][:4] for f in fighting)
    assert per_year == {year: n for year, n in want["events_per_year"].items()}
    deadliest = max(fighting, key=lambda f: f["data"]["deaths"]["best"])
    top = want["max_best_single_event"]
    assert (deadliest["data"]["deaths"]["best"], deadliest["occurred_earliest"]) == (top["best"], top["date"])
    assert f"event {top['id']}" in deadliest["sources"][0]["name"]


def test_fighting_after_the_minsk_agreements_is_recorded_as_fighting_and_counted_as_violations(
    imported: dict[str, Any],
) -> None:
    want = expected(GED)
    client = imported["client"]
    assert events(client, type="CeasefireViolated") == []  # GED rows are facts: fighting, whatever the log held
    for conflict, day in (("13246", "2014-09-05"), ("13306", "2015-02-12")):
        rows = events(client, type="FightingReported", conflict=f"ucdp-{conflict}")
        assert sum(r["occurred_earliest"] > day for r in rows) == want[f"conflict_{conflict}_events_after_{day}"]
        ceasefire = client.get(f"/v1/conflicts/ucdp-{conflict}?as_of=2021-12-31").json["ceasefire"]
        assert (ceasefire["status"], ceasefire["since"]) == ("violated", day)
        assert ceasefire["violations"] == sum(r["occurred_latest"] > day for r in rows)  # ended after that day


def test_inconsistent_death_estimates_are_flagged_and_kept(imported: dict[str, Any]) -> None:
    want = expected(GED)["rows_violating_low_le_best_le_high"]
    flagged = [r for r in imported["ged"]["reports"] if r["outcome"] == "flagged"]
    assert sorted(r["row_id"] for r in flagged) == sorted(want)
    assert imported["ged"]["flagged"] == len(want)
    kept = [f for f in events(imported["client"], type=FIGHTING) if "inconsistent" in f["data"]["description"]]
    assert len(kept) == len(want)
    assert all(f["data"]["deaths"]["low"] <= f["data"]["deaths"]["best"] <= f["data"]["deaths"]["high"] for f in kept)


def test_every_agreement_is_signed_with_its_ceasefire_and_prisoner_provisions(imported: dict[str, Any]) -> None:
    want = expected(PA)
    client = imported["client"]
    assert imported["agreements"]["rows_read"] == want["rows"]
    signed = events(client, type="AgreementSigned")
    assert len(signed) == want["unique_paid"]
    assert len(events(client, type="CeasefireAgreed")) == want["cease_1"]
    assert len(events(client, type="CommitmentMade")) == want["pris_1"]
    assert sum(len(s["conflicts"]) > 1 for s in signed) == want["rows_with_multi_conflict_id"]
    assert len({c for s in signed for c in s["conflicts"]}) == want["distinct_conflict_ids_after_split"]
    assert min(s["occurred"] for s in signed) == want["min_pa_date"]
    assert max(s["occurred"] for s in signed) == want["max_pa_date"]
    assert sum(len(s["occurred"]) >= 4 and s["occurred"] >= "2010" for s in signed) == want["rows_2010_or_later"]


def test_the_minsk_agreements_are_frameworks_of_the_ukrainian_conflicts(imported: dict[str, Any]) -> None:
    client = imported["client"]
    for row in expected(PA)["ukraine_rows"]:
        signed = events(client, type="AgreementSigned", conflict=f"ucdp-{row['conflict_id']}")
        assert [(s["data"]["agreement"], s["occurred"]) for s in signed] == [(f"ucdp-pa-{row['paid']}", row["pa_date"])]
        assert "UKR" in signed[0]["actors"]
        ceasefire = events(client, type="CeasefireAgreed", conflict=f"ucdp-{row['conflict_id']}")
        assert len(ceasefire) == int(row["cease"])


def test_reimporting_the_samples_adds_nothing(imported: dict[str, Any]) -> None:
    client, headers = imported["client"], imported["headers"]
    head = client.get("/v1/events?limit=1").json["head"]
    for query, folder in (("format=ucdp-pa", PA), ("format=ucdp-ged&release=22.1", GED)):
        again = client.post(f"/v1/imports?{query}", data=only(folder, ".csv"), headers=headers).json
        assert (again["added"], again["registered"], again["corrected"]) == (0, 0, 0), query
        assert again["unchanged"] == imported["agreements" if folder == PA else "ged"]["added"]
    assert client.get("/v1/events?limit=1").json["head"] == head


def test_the_plover_gold_standard_maps_each_record_or_reports_it(client: Any, auth: Any) -> None:
    want = expected(GSR)
    headers = {**auth(), "Content-Type": "application/json"}
    answer = client.post(
        "/v1/imports?format=plover", data=(GSR / "PLOVER_GSR_CAMEO.json").read_bytes(), headers=headers
    )
    assert answer.status_code == 200, answer.json
    summary = answer.json
    assert summary["rows_read"] == want["event_records"]
    rejected_rows = {(r["row_id"], r["record"]) for r in summary["reports"] if r["outcome"] == "rejected"}
    assert summary["added"] + len(rejected_rows) == want["event_records"]
    duplicate = want["duplicate_ids"][0]
    clashes = [r["record"] for r in summary["reports"] if r["reason"].startswith(f"upstream id {duplicate} is also")]
    assert len(clashes) == 2  # both records under the shared id are reported
    counts = want["event_counts_after_alias_to_PLOVER_2021"]
    no_type = ("COOPERATE", "AID", "CONCEDE", "PROTEST", "MOBILIZE", "SANCTION", "COERCE")
    no_type_ids = {r["row_id"] for r in summary["reports"] if "no development type fits" in r["reason"]}
    assert len(no_type_ids) == sum(counts[c] for c in no_type) + counts["RETREAT"] - 1  # COERCE-0004 twice
    fighting_ids = {r["row_id"] for r in summary["reports"] if "needs a conflict" in r["reason"]}
    assert len(fighting_ids) == counts["ASSAULT"]  # FIGHT and ASSAULT alike, with no conflict given
    made = collections.Counter(e["type"] for e in events(client))
    words = sum(counts[c] for c in ("SUPPORT", "ACCUSE", "REQUEST", "REJECT", "THREATEN"))
    stateless = {r["row_id"] for r in summary["reports"] if "StatementIssued needs a state" in r["reason"]}
    assert made["StatementIssued"] + len(stateless) == words
    assert made["MeetingHeld"] == counts["CONSULT"] - sum(
        "CONSULT" in r["reason"] for r in summary["reports"] if r["outcome"] == "rejected"
    )


def test_the_conflict_status_shows_minsk_ii_and_its_violated_ceasefire(imported: dict[str, Any]) -> None:
    answer = imported["client"].get("/v1/conflicts/ucdp-13306?as_of=2020-12-31")
    assert answer.status_code == 200, answer.json
    status = answer.json
    assert (status["ceasefire"]["status"], status["ceasefire"]["since"]) == ("violated", "2015-02-12")
    assert "ucdp-pa-1537" in json.dumps(status["frameworks"])
    assert status["last_development"]["occurred"] == expected(GED)["east_2020_last_date_end"]
