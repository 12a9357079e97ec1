"""The audit endpoints and the hash fields of every event the API returns, on both backends."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import Flask
from flask.testing import FlaskClient

from events.audit.checkpoints import statement_bytes
from service.settings import Settings
from tests.audit_helpers import REGISTRATION, Database, statement
from tests.conftest import app_for

PROBLEM = "application/problem+json"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app, with its signing key in the test's directory and a checkpoint every 5 developments."""
    settings = Settings(database_url=database_url, signing_key_file=str(tmp_path / "key.pem"), checkpoint_every=5)
    with app_for(settings) as flask_app:
        yield flask_app


def submit(client: FlaskClient, auth: Any, *developments: dict[str, Any]) -> list[dict[str, Any]]:
    headers = auth("submitter")
    answers = []
    for development in developments:
        response = client.post("/v1/events", json=development, headers=headers)
        assert response.status_code == 201, response.json
        answers.append(response.json)
    return answers


def test_every_event_the_api_returns_carries_its_hash_and_the_previous_one(client: FlaskClient, auth: Any) -> None:
    first, second = submit(client, auth, REGISTRATION, statement(1))
    assert first["prev_hash"] == "0" * 64
    assert second["prev_hash"] == first["hash"]
    batch = client.post("/v1/events/batch", json=[statement(2), statement(3)], headers=auth("submitter")).json
    assert batch["items"][0]["prev_hash"] == second["hash"]
    assert batch["items"][1]["prev_hash"] == batch["items"][0]["hash"]
    page = client.get("/v1/events?limit=10").json["items"]
    assert [(e["hash"], e["prev_hash"]) for e in page[:2]] == [
        (first["hash"], first["prev_hash"]),
        (second["hash"], second["prev_hash"]),
    ]
    assert client.get(f"/v1/events/{second['id']}").json["hash"] == second["hash"]


def test_an_auditor_signs_the_head_and_anyone_lists_the_checkpoints(client: FlaskClient, auth: Any) -> None:
    *_, last = submit(client, auth, REGISTRATION, statement(1), statement(2))
    signed = client.post("/v1/audit/checkpoints", headers=auth("auditor"))
    assert signed.status_code == 201
    assert (signed.json["position"], signed.json["hash"]) == (last["position"], last["hash"])
    again = client.post("/v1/audit/checkpoints", headers=auth("admin"))
    assert (again.status_code, again.json) == (200, signed.json)
    listed = client.get("/v1/audit/checkpoints").json
    assert listed == {"items": [signed.json], "next_after": None}


def test_the_service_signs_its_head_every_n_developments(client: FlaskClient, auth: Any) -> None:
    submit(client, auth, REGISTRATION, *(statement(n) for n in range(1, 11)))
    assert [c["position"] for c in client.get("/v1/audit/checkpoints").json["items"]] == [5, 10]


def test_the_public_key_verifies_the_checkpoints(client: FlaskClient, auth: Any) -> None:
    submit(client, auth, REGISTRATION)
    signed = client.post("/v1/audit/checkpoints", headers=auth("auditor")).json
    key = client.get("/v1/audit/public-key").json
    assert (key["algorithm"], key["key_id"], key["public_key"]) == ("Ed25519", signed["key_id"], signed["public_key"])
    assert key["previous"] == []
    public = load_pem_public_key(key["pem"].encode())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(
        base64.b64decode(signed["signature"]), statement_bytes(signed["position"], signed["hash"], signed["signed_at"])
    )


def test_only_auditors_and_admins_may_sign_or_verify(client: FlaskClient, auth: Any) -> None:
    submit(client, auth, REGISTRATION)
    for method, path in (("post", "/v1/audit/checkpoints"), ("get", "/v1/audit/verify")):
        anonymous = getattr(client, method)(path)
        assert (anonymous.status_code, anonymous.mimetype) == (401, PROBLEM)
        submitter = getattr(client, method)(path, headers=auth("submitter"))
        assert (submitter.status_code, submitter.mimetype) == (403, PROBLEM)
        assert getattr(client, method)(path, headers=auth("admin")).status_code in (200, 201)


def test_signing_an_empty_log_is_a_conflict_problem(client: FlaskClient, auth: Any) -> None:
    answer = client.post("/v1/audit/checkpoints", headers=auth("auditor"))
    assert (answer.status_code, answer.mimetype, answer.json["type"]) == (
        409,
        PROBLEM,
        "https://conflict-status.example/problems/empty-log",
    )


def test_verify_answers_ok_and_proves_a_kept_checkpoint_is_still_in_the_log(client: FlaskClient, auth: Any) -> None:
    submit(client, auth, REGISTRATION, statement(1))
    kept = client.post("/v1/audit/checkpoints", headers=auth("auditor")).json
    submit(client, auth, statement(2), statement(3))
    report = client.get("/v1/audit/verify", query_string={"checkpoint": json.dumps(kept)}, headers=auth("auditor"))
    assert report.status_code == 200
    assert report.json["ok"] is True
    assert report.json["break"] is None
    assert (report.json["developments"], report.json["held_checkpoints"]) == (4, 1)
    assert report.json["checkpoints_matched"] == 2


def test_verify_names_where_and_how_a_tampered_log_breaks(client: FlaskClient, auth: Any, database_url: str) -> None:
    submit(client, auth, REGISTRATION, statement(1), statement(2))
    Database(database_url).alter(2, b"Statement number 1.", b"Statement number 7.")
    report = client.get("/v1/audit/verify", headers=auth("auditor")).json
    assert report["ok"] is False
    assert (report["break"]["position"], report["break"]["kind"]) == (2, "altered")


def test_a_kept_checkpoint_the_log_no_longer_holds_breaks_verify(
    client: FlaskClient, auth: Any, database_url: str
) -> None:
    submit(client, auth, REGISTRATION, statement(1), statement(2))
    kept = client.post("/v1/audit/checkpoints", headers=auth("auditor")).json
    Database(database_url).run(
        ("DELETE FROM {events} WHERE {pos} = 3", ()), ("DELETE FROM {chain} WHERE position = 3", ())
    )
    Database(database_url).run(("DELETE FROM {checkpoints}", ()))  # and the service's own copy of the checkpoint
    report = client.get("/v1/audit/verify", query_string={"checkpoint": json.dumps(kept)}, headers=auth("auditor")).json
    assert report["ok"] is False
    assert (report["break"]["position"], report["break"]["kind"]) == (3, "missing")
    assert "the checkpoint you hold" in report["break"]["detail"]


@pytest.mark.parametrize(
    ("given", "field"),
    [("{", "checkpoint"), ('{"position": 1}', "checkpoint.hash"), ("forged", "checkpoint.signature")],
)
def test_a_malformed_or_forged_checkpoint_is_a_422_problem(
    client: FlaskClient, auth: Any, given: str, field: str
) -> None:
    submit(client, auth, REGISTRATION)
    if given == "forged":
        kept = client.post("/v1/audit/checkpoints", headers=auth("auditor")).json
        given = json.dumps({**kept, "hash": "0" * 64})
    answer = client.get("/v1/audit/verify", query_string={"checkpoint": given}, headers=auth("auditor"))
    assert (answer.status_code, answer.mimetype) == (422, PROBLEM)
    assert field in [e["field"] for e in answer.json["errors"]]
