"""``verify --remote``'s checks against a service on each backend, intact and tampered, through the test client.

The source is the real HTTP source with its transport swapped for the Flask
test client, so the answers are parsed as over the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from events.audit.keys import load_or_create_key
from events.audit.notes import TreeHead, sign
from events.audit.remote import RemoteReport, Unverifiable, verify_remote
from events.audit.signing import HeadSigner
from events.log.opening import open_log
from service.cli.remote import HttpSource
from service.settings import Settings
from tests.audit_helpers import REGISTRATION, Database, statement
from tests.conftest import app_for

ORIGIN = "news.example/conflicts"


class ClientSource(HttpSource):
    """The HTTP source, over the Flask test client."""

    def __init__(self, client: FlaskClient) -> None:
        super().__init__("http://localhost/")
        self.client = client

    def _get(self, path: str) -> bytes:
        answer = self.client.get("/" + path)
        if answer.status_code != 200:
            raise Unverifiable(f"{path} answered {answer.status_code}")
        return answer.data


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    settings = Settings(
        database_url=database_url, signing_key_file=str(tmp_path / "key.pem"), checkpoint_every=5, log_origin=ORIGIN
    )
    with app_for(settings) as flask_app:
        yield flask_app


def append(client: FlaskClient, auth: Any, *numbers: int) -> None:
    developments = [statement(n) for n in numbers]
    answer = client.post("/v1/events/batch", json=developments, headers=auth("submitter"))
    assert answer.status_code == 201, answer.json


@pytest.fixture
def twelve(client: FlaskClient, auth: Any) -> FlaskClient:
    """Twelve developments, heads signed at 5 and 10."""
    assert client.post("/v1/events", json=REGISTRATION, headers=auth("submitter")).status_code == 201
    append(client, auth, *range(1, 12))
    return client


def verify(client: FlaskClient, kept: str | None = None) -> RemoteReport:
    return verify_remote(ClientSource(client), kept)


def test_an_intact_service_verifies_from_the_first_entry(twelve: FlaskClient) -> None:
    report = verify(twelve)
    assert report.ok, report.broken
    assert (report.origin, report.tree_size, report.checked, report.since) == (ORIGIN, 10, 10, 0)
    assert report.checkpoint == twelve.get("/v1/audit/checkpoint").text


def test_from_a_kept_checkpoint_only_the_new_entries_are_fetched_and_checked(twelve: FlaskClient, auth: Any) -> None:
    kept = verify(twelve).checkpoint
    append(twelve, auth, *range(12, 22))  # heads at 15 and 20
    report = verify(twelve, kept)
    assert report.ok, report.broken
    assert (report.since, report.tree_size, report.checked) == (10, 20, 10)
    # key, checkpoint, one page of entries, the consistency proof, the kept tree's last entry's inclusion
    assert report.requests == 5
    assert verify(twelve, report.checkpoint).checked == 0  # nothing new: nothing fetched


@pytest.mark.parametrize(
    ("tamper", "kind", "position"),
    [("altered", "altered", 7), ("removed", "missing", 6), ("inserted", "altered", 7), ("reordered", "altered", 7)],
)
def test_a_tampered_row_is_found_where_it_breaks(
    twelve: FlaskClient, database_url: str, tamper: str, kind: str, position: int
) -> None:
    database = Database(database_url)
    if tamper == "altered":
        database.alter(7, b"Statement number 6.", b"Statement number 9.")
    elif tamper == "removed":
        database.delete(7)
    elif tamper == "inserted":
        database.insert_after(6, like=3)
    else:
        database.swap(7, 9)
    broken = verify(twelve).broken
    assert broken is not None
    assert (broken.kind, broken.position) == (kind, position), broken


def test_tampering_after_a_kept_checkpoint_is_found_by_an_incremental_verify(
    twelve: FlaskClient, auth: Any, database_url: str
) -> None:
    kept = twelve.get("/v1/audit/checkpoint").text  # size 10
    append(twelve, auth, *range(12, 22))
    Database(database_url).alter(14, b"Statement number 13.", b"Statement number 99.")
    broken = verify(twelve, kept).broken
    assert broken is not None
    assert (broken.kind, broken.position, broken.leaf) == ("altered", 14, 13)


def test_a_log_rewritten_and_signed_again_breaks_the_consistency_with_a_kept_checkpoint(
    twelve: FlaskClient, auth: Any, database_url: str, tmp_path: Path
) -> None:
    kept = twelve.get("/v1/audit/checkpoint").text  # size 10
    database = Database(database_url)
    database.alter(3, b"Statement number 2.", b"Statement number 8.")
    database.run(("DELETE FROM {leaves}", ()), ("DELETE FROM {nodes}", ()), ("DELETE FROM {notes}", ()))
    log = open_log(database_url, create_tables=False)
    try:  # someone with the database and the key rebuilds the tree over the altered row and signs it
        log.store.build_tree()
        key = load_or_create_key(tmp_path / "key.pem")
        HeadSigner(log.store, lambda: key, ORIGIN, every=12).sign_due()
    finally:
        log.close()
    broken = verify(twelve, kept).broken
    assert broken is not None and broken.kind == "rewritten", broken


def test_a_service_that_shrank_or_forked_since_a_kept_checkpoint_is_broken(twelve: FlaskClient, tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "key.pem")
    bigger = sign(TreeHead(ORIGIN, 50, b"\x01" * 32).text(), ORIGIN, key.private)
    forked = sign(TreeHead(ORIGIN, 10, b"\x02" * 32).text(), ORIGIN, key.private)
    assert getattr(verify(twelve, bigger).broken, "kind", None) == "shrunk"
    assert getattr(verify(twelve, forked).broken, "kind", None) == "forked"


def test_a_checkpoint_whose_signature_fails_is_broken_and_one_of_another_key_cannot_be_told(
    twelve: FlaskClient, database_url: str, tmp_path: Path
) -> None:
    other = load_or_create_key(tmp_path / "other.pem")
    with pytest.raises(Unverifiable, match="does not verify with the service's key"):
        verify(twelve, sign(TreeHead(ORIGIN, 5, b"\x01" * 32).text(), ORIGIN, other.private))
    Database(database_url).run(("UPDATE {notes} SET note = replace(note, '\n10\n', '\n11\n')", ()))
    broken = verify(twelve).broken
    assert broken is not None and broken.kind == "signature"
