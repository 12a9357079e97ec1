"""Reads that scale out: one ``serve`` process writes to the primary, another reads from a hot standby.

The standby is a real streaming replica of the test cluster (``tests.standby``),
so a read that wrote anything, or a LISTEN, would fail there ("cannot execute ...
during recovery").  The reading process has ``DATABASE_URL`` on the primary (its
tokens, and any write it is sent) and ``READ_DATABASE_URL`` on the standby.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from events.log.database_url import libpq_url
from tests.conftest import (
    postgres_schema,
    postgres_url,
    seed_lines,
)
from tests.e2e.server import Server, serve
from tests.standby import Standby

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

READ_WAIT = 1.5  # seconds the reading process waits for min_position
CONFLICT = "ukraine-east"


@pytest.fixture
def schema() -> Iterator[str]:
    with postgres_schema() as name:
        yield name


@contextmanager
def replay_paused(standby: Standby) -> Iterator[None]:
    """The standby stops replaying the primary's WAL until the block ends (or ``resume`` is called)."""
    with psycopg.connect(libpq_url(standby.url), autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")


def resume(standby: Standby) -> None:
    with psycopg.connect(libpq_url(standby.url), autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_resume()")


def statement(n: int) -> dict[str, Any]:
    return {
        "type": "StatementIssued",
        "occurred": "2020-06-28",
        "conflicts": [CONFLICT],
        "actors": ["FRA"],
        "sources": [{"name": "test"}],
        "summary": f"France speaks again ({n}).",
        "data": {"by": "FRA", "text": f"statement {n}", "topics": ["ukraine"]},
    }


def read_paths(development: str) -> list[str]:
    """Every read route: API, feeds, audits that only read, pages."""
    return [
        "/v1/events?limit=5",
        f"/v1/events/{development}",
        "/v1/conflicts",
        f"/v1/conflicts/{CONFLICT}",
        f"/v1/conflicts/{CONFLICT}?as_of=2020-01-15",
        f"/v1/conflicts/{CONFLICT}?known_at=12",
        f"/v1/conflicts/{CONFLICT}/timeline?limit=5",
        "/v1/agendas",
        "/v1/agendas/RUS/FRA",
        f"/v1/audit/replay?conflict={CONFLICT}&limit=3",
        f"/v1/audit/diff?conflict={CONFLICT}&from=2019-12-15&to=2020-07-01",
        "/v1/audit/checkpoints",
        "/v1/audit/public-key",
        "/",
        f"/conflicts/{CONFLICT}",
        "/agendas/RUS/FRA",
        f"/audit/{CONFLICT}",
        f"/developments/{development}",
    ]


def comparable(answer: Any) -> Any:
    """An answer without what depends on the process that gave it (request ids)."""
    return {k: v for k, v in answer.items() if k != "request_id"} if isinstance(answer, dict) else answer


def test_a_reader_on_a_standby_answers_as_the_primary_and_gives_clients_their_own_writes(
    schema: str, standby: Standby, tmp_path: Path
) -> None:
    write_url = postgres_url(schema)
    read_url = standby.url_for(write_url)
    reading_env = {"READ_DATABASE_URL": read_url, "READ_WAIT": str(READ_WAIT)}
    with (
        serve(write_url, tmp_path, workers=1) as writer,
        serve(write_url, tmp_path, workers=1, extra_env=reading_env) as reader,
    ):
        submitter = writer.token("submitter")
        seeded = requests.post(
            writer.url + "/v1/events/batch",
            data="\n".join(seed_lines()),
            headers={**submitter, "Content-Type": "application/x-ndjson"},
            timeout=30,
        )
        assert seeded.status_code == 201, seeded.text
        last = seeded.json()["items"][-1]

        # same answers once replayed: min_position waits for the replica to reach the client's write
        auditor = writer.token("auditor")
        for path in [*read_paths(last["id"]), "/v1/audit/verify"]:
            asked = path + ("&" if "?" in path else "?") + f"min_position={last['position']}"
            mine, theirs = (requests.get(s.url + asked, headers=auditor, timeout=60) for s in (writer, reader))
            assert theirs.status_code == 200, (path, theirs.text[:500])
            if path.startswith("/v1/") and "verify" not in path:
                assert comparable(theirs.json()) == comparable(mine.json()), path
        status = requests.get(reader.url + f"/v1/conflicts/{CONFLICT}", timeout=30).json()
        assert status["computed_for"]["head"] >= last["position"]
        health = requests.get(reader.url + "/healthz", timeout=30).json()
        assert health["status"] == "ok" and health["writes"] == "ok" and health["reflects"] >= last["position"]

        assert_min_position_waits_for_the_standby_or_answers_503(writer, reader, standby, submitter)
        assert_the_live_feed_follows_on_the_standby(writer, reader, submitter)

        # the reader's answers follow the primary's: the projections replicated, the tail folded in between
        standby.wait_for_replay()
        head = requests.get(writer.url + "/healthz", timeout=30).json()["head"]
        for path in (f"/v1/conflicts/{CONFLICT}", "/v1/conflicts", "/v1/agendas/RUS/FRA"):
            asked = f"{path}?min_position={head}"
            mine, theirs = (requests.get(s.url + asked, timeout=30).json() for s in (writer, reader))
            assert comparable(theirs) == comparable(mine), path
    for line in reader.output().splitlines():
        assert "Traceback" not in line and " ERROR " not in line, reader.output()[-3000:]


def assert_min_position_waits_for_the_standby_or_answers_503(
    writer: Server, reader: Server, standby: Standby, submitter: dict[str, str]
) -> None:
    path = f"/v1/conflicts/{CONFLICT}"
    before = requests.get(reader.url + path, timeout=30).json()["developments"]
    with replay_paused(standby):
        posted = requests.post(writer.url + "/v1/events", json=statement(1), headers=submitter, timeout=30).json()
        # the standby replays again a moment after the read began to wait: the answer has the write
        threading.Timer(0.5, resume, [standby]).start()
        started = time.monotonic()
        waited = requests.get(reader.url + path, params={"min_position": posted["position"]}, timeout=30)
        assert waited.status_code == 200, waited.text
        assert time.monotonic() - started >= 0.4
        assert waited.json()["computed_for"]["head"] >= posted["position"]
        assert waited.json()["developments"] == before + 1
    with replay_paused(standby):
        posted = requests.post(writer.url + "/v1/events", json=statement(2), headers=submitter, timeout=30).json()
        stale = requests.get(reader.url + path, timeout=30)  # without min_position: at once, from what it has
        assert stale.status_code == 200 and stale.json()["computed_for"]["head"] < posted["position"]
        refused = requests.get(reader.url + path, params={"min_position": posted["position"]}, timeout=30)
        assert refused.status_code == 503
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert refused.headers["Retry-After"].isdigit()
        assert refused.json()["type"].endswith("/not-yet-reflected")
        page = requests.get(reader.url + f"/conflicts/{CONFLICT}", params={"min_position": posted["position"]})
        assert page.status_code == 503 and "Retry-After" in page.headers
    standby.wait_for_replay()
    again = requests.get(reader.url + path, params={"min_position": posted["position"]}, timeout=30)
    assert again.status_code == 200 and again.json()["developments"] == before + 2


def assert_the_live_feed_follows_on_the_standby(writer: Server, reader: Server, submitter: dict[str, str]) -> None:
    head = requests.get(reader.url + "/healthz", timeout=30).json()["head"]
    received: list[dict[str, Any]] = []
    with requests.get(
        reader.url + "/v1/events/stream", params={"after": head, "wait": 20, "limit": 1}, stream=True, timeout=30
    ) as feed:
        assert feed.status_code == 200
        lines = feed.iter_lines()
        assert json.loads(next(lines))["heartbeat"] is True  # the feed is open (it polls: LISTEN is refused)
        posted = requests.post(writer.url + "/v1/events", json=statement(3), headers=submitter, timeout=30).json()
        for line in lines:
            if line:
                item = json.loads(line)
                if not item.get("heartbeat"):
                    received.append(item)
    assert [d["id"] for d in received] == [posted["id"]]
