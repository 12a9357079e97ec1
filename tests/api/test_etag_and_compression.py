"""ETag / If-None-Match on answers that are functions of the log, and compression when the client accepts it."""

from __future__ import annotations

import gzip
import json
from typing import Any

import brotli
import pytest

from service.settings import Settings
from tests.api.test_acceptance import submit_seed
from tests.conftest import app_for, make_token


@pytest.fixture
def seeded(client: Any, auth: Any) -> Any:
    submit_seed(client, auth)
    return client


@pytest.mark.parametrize("path", ["/v1/conflicts/libya", "/v1/events?limit=5", "/conflicts/libya", "/changes"])
def test_an_unchanged_answer_is_a_304_without_a_body(seeded: Any, path: str) -> None:
    first = seeded.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    again = seeded.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag


def test_a_new_development_changes_the_tag(seeded: Any, auth: Any) -> None:
    etag = seeded.get("/v1/conflicts/libya").headers["ETag"]
    statement = {
        "type": "StatementIssued",
        "occurred": "2020-06-27",
        "conflicts": ["libya"],
        "actors": ["FRA"],
        "sources": [{"name": "Elysee"}],
        "summary": "France spoke about Libya again.",
        "data": {"by": "FRA", "text": "A ceasefire now.", "topics": ["libya"]},
    }
    assert seeded.post("/v1/events", json=statement, headers=auth()).status_code == 201
    after = seeded.get("/v1/conflicts/libya", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag


def test_the_tag_differs_between_requests(seeded: Any) -> None:
    one = seeded.get("/v1/conflicts/libya").headers["ETag"]
    other = seeded.get("/v1/conflicts/libya?as_of=2020-01-01").headers["ETag"]
    assert one != other
    assert seeded.get("/v1/conflicts/libya?as_of=2020-01-01", headers={"If-None-Match": one}).status_code == 200


def test_answers_that_change_without_the_log_carry_no_tag(seeded: Any) -> None:
    assert "ETag" not in seeded.get("/healthz").headers
    assert "ETag" not in seeded.get("/audit/libya").headers


def test_errors_are_never_tagged_nor_answered_304(seeded: Any) -> None:
    missing = seeded.get("/v1/conflicts/atlantis", headers={"If-None-Match": "*"})
    assert missing.status_code == 404 and "ETag" not in missing.headers


def test_a_large_answer_is_compressed_with_gzip_or_brotli_as_accepted(seeded: Any) -> None:
    plain = seeded.get("/v1/events?limit=100")
    assert "Content-Encoding" not in plain.headers
    zipped = seeded.get("/v1/events?limit=100", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.data)) == plain.json
    assert len(zipped.data) < len(plain.data) / 3
    brotlied = seeded.get("/v1/events?limit=100", headers={"Accept-Encoding": "br, gzip"})
    assert brotlied.headers["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(brotlied.data)) == plain.json
    assert zipped.headers["ETag"] == plain.headers["ETag"] == brotlied.headers["ETag"]  # weak: one tag, any coding
    not_modified = seeded.get(
        "/v1/events?limit=100", headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
    )
    assert not_modified.status_code == 304 and not_modified.data == b""


def test_where_reads_need_a_token_a_304_needs_one_too(sqlite_url: str) -> None:
    with app_for(Settings(database_url=sqlite_url, reads_need_token=True)) as app:
        client = app.test_client()
        reader = {"Authorization": f"Bearer {make_token(sqlite_url, 'reader')}"}
        etag = client.get("/v1/events", headers=reader).headers["ETag"]
        assert client.get("/v1/events", headers={"If-None-Match": etag}).status_code == 401
        assert client.get("/v1/events", headers={**reader, "If-None-Match": etag}).status_code == 304
