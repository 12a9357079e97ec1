"""The live feed: NDJSON and Server-Sent Events, resuming, heartbeats, bounds, and not starving others."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from events.log.application import ConflictLog
from service.api.feed import Follow, Heartbeat
from service.settings import Settings
from tests.audit_helpers import REGISTRATION, fill, statement
from tests.conftest import app_for

PROBLEM = "application/problem+json"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    settings = Settings(database_url=database_url, signing_key_file=str(tmp_path / "key.pem"), stream_slots=1)
    with app_for(settings) as flask_app:
        yield flask_app


@pytest.fixture
def filled(app: Flask) -> ConflictLog:
    log: ConflictLog = app.extensions["conflict_status"].log
    fill(log, 5)
    return log


def lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines()]


def read(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    """The whole answer, closed, as a WSGI server closes it (which gives the feed's slot back)."""
    with client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()}) as answer:
        answer.get_data()
    return answer


def test_the_feed_sends_the_developments_after_a_position_as_ndjson(client: FlaskClient, filled: ConflictLog) -> None:
    answer = read(client, "/v1/events/stream?after=2&wait=0")
    assert (answer.status_code, answer.mimetype) == (200, "application/x-ndjson")
    items = lines(answer.data)
    assert [i["position"] for i in items] == [3, 4, 5]
    assert items[0] == client.get(f"/v1/events/{items[0]['id']}").json  # the same fields, hash included
    assert items[1]["prev_hash"] == items[0]["hash"]


def test_the_stream_route_is_not_taken_for_a_development_id(client: FlaskClient, filled: ConflictLog) -> None:
    answer = read(client, "/v1/events/stream?wait=0")
    assert answer.status_code == 200 and len(lines(answer.data)) == 5


def test_server_sent_events_carry_the_position_as_id_and_resume_from_last_event_id(
    client: FlaskClient, filled: ConflictLog
) -> None:
    answer = read(client, "/v1/events/stream?wait=0", Accept="text/event-stream", Last_Event_ID="3")
    assert (answer.status_code, answer.mimetype) == (200, "text/event-stream")
    events = [block for block in answer.data.decode().split("\n\n") if block.startswith("id:")]
    assert [block.splitlines()[0] for block in events] == ["id: 4", "id: 5"]
    assert all(block.splitlines()[1] == "event: development" for block in events)
    assert json.loads(events[0].splitlines()[2].removeprefix("data: "))["position"] == 4


def test_an_idle_feed_sends_heartbeats_and_ends_after_wait(client: FlaskClient, filled: ConflictLog) -> None:
    started = time.monotonic()
    beats = lines(read(client, "/v1/events/stream?after=5&wait=1.2&heartbeat=0.5").data)
    took = time.monotonic() - started
    assert 1.1 < took < 3
    assert len(beats) >= 2 and all(b["heartbeat"] is True and b["after"] == 5 for b in beats)
    sse = read(client, "/v1/events/stream?after=5&wait=0.6&heartbeat=0.5", Accept="text/event-stream")
    assert ": heartbeat after 5" in sse.data.decode()


def test_the_feed_ends_after_limit_developments(client: FlaskClient, filled: ConflictLog) -> None:
    started = time.monotonic()
    assert [i["position"] for i in lines(read(client, "/v1/events/stream?limit=2&wait=30").data)] == [1, 2]
    assert time.monotonic() - started < 5


def test_a_development_appended_while_the_feed_waits_is_sent(filled: ConflictLog) -> None:
    writer = threading.Timer(0.3, lambda: filled.submit(statement(99)))
    writer.start()
    items = list(Follow(filled, after=5, limit=1, wait=10, heartbeat=60, poll=0.05))
    writer.join()
    assert isinstance(items[0], Heartbeat)  # sent at once, so that the headers go out
    assert [i.position for i in items[1:]] == [6]  # type: ignore[union-attr]


def test_bad_accept_and_last_event_id_are_problems(client: FlaskClient, filled: ConflictLog) -> None:
    refused = read(client, "/v1/events/stream", Accept="application/json")
    assert (refused.status_code, refused.mimetype) == (406, PROBLEM)
    bad = read(client, "/v1/events/stream", Last_Event_ID="yesterday")
    assert (bad.status_code, bad.mimetype, bad.json["errors"][0]["field"]) == (400, PROBLEM, "Last-Event-ID")
    out_of_range = read(client, "/v1/events/stream?wait=301")
    assert (out_of_range.status_code, out_of_range.mimetype) == (422, PROBLEM)


def test_feeds_beyond_the_per_process_slots_are_refused_until_one_closes(
    client: FlaskClient, filled: ConflictLog
) -> None:
    first = client.get("/v1/events/stream?after=5&wait=5", buffered=False)
    assert first.status_code == 200
    busy = read(client, "/v1/events/stream?wait=0")
    assert (busy.status_code, busy.mimetype, busy.json["type"]) == (
        503,
        PROBLEM,
        "https://conflict-status.example/problems/busy",
    )
    first.close()
    assert read(client, "/v1/events/stream?wait=0").status_code == 200


@pytest.mark.e2e
def test_open_feeds_under_gunicorn_leave_threads_for_other_requests(sqlite_url: str, tmp_path: Path) -> None:
    from tests.e2e.server import serve

    with serve(sqlite_url, tmp_path, workers=1, extra_env={"STREAM_SLOTS": "2"}) as server:
        headers = server.token("submitter")
        requests.post(server.url + "/v1/events", json=REGISTRATION, headers=headers, timeout=10).raise_for_status()
        feeds = [
            requests.get(server.url + "/v1/events/stream?after=1&wait=8&heartbeat=1", stream=True, timeout=20)
            for _ in range(2)
        ]
        try:
            assert [f.status_code for f in feeds] == [200, 200]
            started = time.monotonic()
            for _ in range(5):
                assert requests.get(server.url + "/healthz", timeout=2).status_code == 200
            assert requests.get(server.url + "/v1/events?limit=1", timeout=2).status_code == 200
            assert time.monotonic() - started < 2
            busy = requests.get(server.url + "/v1/events/stream?wait=1", timeout=5)
            assert (busy.status_code, busy.headers["Content-Type"]) == (503, PROBLEM)
            posted = requests.post(server.url + "/v1/events", json=statement(1), headers=headers, timeout=10)
            assert posted.status_code == 201
            received = None
            for line in feeds[0].iter_lines():
                item = json.loads(line)
                if "position" in item:
                    received = item
                    break
            assert received is not None and received["hash"] == posted.json()["hash"]
        finally:
            for feed in feeds:
                feed.close()
