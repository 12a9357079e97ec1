"""The transparency-log routes on both backends, checked as an outside auditor would: from the answers alone.

Signatures are checked with the vkey the service publishes, parsed here from
the C2SP specification; roots and proofs with the RFC 9162 reference of the
tests (``tests.merkle_reference``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from tests import merkle_reference as rfc
from tests.audit_helpers import REGISTRATION, Database, statement
from tests.conftest import app_for

PROBLEM = "application/problem+json"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    settings = Settings(
        database_url=database_url,
        signing_key_file=str(tmp_path / "key.pem"),
        checkpoint_every=5,
        log_origin="news.example/conflicts",
    )
    with app_for(settings) as flask_app:
        yield flask_app


@pytest.fixture
def twelve(client: FlaskClient, auth: Any) -> FlaskClient:
    """Twelve developments: heads signed at tree sizes 5 and 10."""
    headers = auth("submitter")
    assert client.post("/v1/events", json=REGISTRATION, headers=headers).status_code == 201
    batch = client.post("/v1/events/batch", json=[statement(n) for n in range(1, 12)], headers=headers)
    assert batch.status_code == 201
    return client


def entries(client: FlaskClient, **query: Any) -> list[bytes]:
    page = client.get("/v1/audit/entries", query_string=query).json
    return [base64.b64decode(e["entry"]) for e in page["items"]]


def checkpoint(client: FlaskClient) -> tuple[str, int, bytes]:
    """The latest checkpoint's origin, size and root, once its signature holds under the published vkey."""
    vkey = client.get("/v1/audit/key").text.strip()
    name, key_id, key = vkey.split("+", 2)
    public = base64.b64decode(key)[1:]
    assert bytes.fromhex(key_id) == hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    answer = client.get("/v1/audit/checkpoint")
    assert answer.mimetype == "text/plain"
    text, blank, signature_line = answer.text.partition("\n\n")
    assert blank and signature_line.startswith(f"\u2014 {name} ")
    signed = base64.b64decode(signature_line.split(" ")[2])
    assert signed[:4] == bytes.fromhex(key_id)
    Ed25519PublicKey.from_public_bytes(public).verify(signed[4:], (text + "\n").encode())
    origin, size, root = text.split("\n")
    return origin, int(size), base64.b64decode(root)


def test_entries_are_the_chains_exact_bytes_in_leaf_order(twelve: FlaskClient) -> None:
    page = twelve.get("/v1/audit/entries?limit=5").json
    assert page["tree_size"] == 12
    assert [(e["position"], e["leaf_index"]) for e in page["items"]] == [(p, p - 1) for p in range(1, 6)]
    assert page["next_after"] == 5
    everything = entries(twelve)
    hashes = [e["hash"] for e in twelve.get("/v1/events?limit=20").json["items"]]
    assert [hashlib.sha256(e).hexdigest() for e in everything] == hashes
    assert entries(twelve, leaf=10) == everything[10:] == entries(twelve, after=10)


def test_the_checkpoint_is_a_signed_note_over_the_root_of_the_entries(twelve: FlaskClient) -> None:
    origin, size, root = checkpoint(twelve)
    assert (origin, size) == ("news.example/conflicts", 10)
    assert root == rfc.mth(entries(twelve)[:10])


def test_inclusion_proofs_verify_against_the_signed_root(twelve: FlaskClient) -> None:
    _, size, root = checkpoint(twelve)
    served = entries(twelve)
    for position in (1, 4, 10):
        proof = twelve.get(f"/v1/audit/proof/inclusion?position={position}").json  # size: the latest checkpoint's
        assert (proof["tree_size"], proof["leaf_index"]) == (size, position - 1)
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        assert rfc.inclusion_verifies(position - 1, size, rfc.leaf(served[position - 1]), hashes, root)
    bigger = twelve.get("/v1/audit/proof/inclusion?position=12&size=12").json
    hashes = [base64.b64decode(h) for h in bigger["hashes"]]
    assert rfc.inclusion_verifies(11, 12, rfc.leaf(served[11]), hashes, rfc.mth(served))


def test_a_consistency_proof_links_two_signed_checkpoints(twelve: FlaskClient) -> None:
    served = entries(twelve)
    proof = twelve.get("/v1/audit/proof/consistency?from=5&to=10").json
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert (proof["from"], proof["to"]) == (5, 10)
    assert rfc.consistency_verifies(5, 10, rfc.mth(served[:5]), rfc.mth(served[:10]), hashes)
    assert twelve.get("/v1/audit/proof/consistency?from=5").json == proof  # to: the latest checkpoint's


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("proof/inclusion?position=3&size=13", 422, "size"),
        ("proof/inclusion?position=11&size=10", 422, "position"),
        ("proof/inclusion?position=99&size=10", 404, "position"),
        ("proof/inclusion?position=x", 422, "position"),
        ("proof/consistency?from=11&to=10", 422, "from"),
        ("proof/consistency?from=2&to=99", 422, "to"),
        ("proof/consistency?from=0", 422, "from"),
        ("entries?after=3&leaf=2", 422, "leaf"),
        ("entries?limit=0", 422, "limit"),
    ],
)
def test_a_proof_or_page_the_tree_cannot_give_is_a_problem_naming_the_parameter(
    twelve: FlaskClient, query: str, status: int, field: str
) -> None:
    answer = twelve.get(f"/v1/audit/{query}")
    assert (answer.status_code, answer.mimetype) == (status, PROBLEM)
    assert field in [e["field"] for e in answer.json["errors"]], answer.json


def test_before_any_head_is_signed_the_checkpoint_is_a_404_problem(client: FlaskClient, auth: Any) -> None:
    client.post("/v1/events", json=REGISTRATION, headers=auth("submitter"))
    answer = client.get("/v1/audit/checkpoint")
    assert (answer.status_code, answer.mimetype, answer.json["type"]) == (
        404,
        PROBLEM,
        "https://conflict-status.example/problems/no-checkpoint",
    )


@pytest.mark.parametrize("tamper", ["altered", "removed", "inserted", "reordered"])
def test_a_tampered_row_fails_its_inclusion_proof_against_the_signed_root(
    twelve: FlaskClient, database_url: str, tamper: str
) -> None:
    _, size, root = checkpoint(twelve)
    database = Database(database_url)
    if tamper == "altered":
        database.alter(4, b"Statement number 3.", b"Statement number 9.")
    elif tamper == "removed":
        database.delete(4)
    elif tamper == "inserted":
        database.insert_after(3, like=8)
    else:
        database.swap(4, 7)
    page = twelve.get("/v1/audit/entries").json["items"]
    served = {e["leaf_index"]: base64.b64decode(e["entry"]) for e in page}
    proof = twelve.get("/v1/audit/proof/inclusion?position=4").json
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    leaf = served.get(3)
    assert leaf is None or not rfc.inclusion_verifies(3, size, rfc.leaf(leaf), hashes, root)
    assert tamper != "removed" or leaf is None  # a removed row leaves a gap in the leaves served


def test_an_auditor_signing_now_signs_the_tree_head_too_once(twelve: FlaskClient, auth: Any) -> None:
    signed = twelve.post("/v1/audit/checkpoints", headers=auth("auditor"))
    assert signed.status_code == 201 and signed.json["position"] == 12
    _, size, root = checkpoint(twelve)
    assert (size, root) == (12, rfc.mth(entries(twelve)))
    again = twelve.post("/v1/audit/checkpoints", headers=auth("auditor"))
    assert (again.status_code, again.json) == (200, signed.json)
