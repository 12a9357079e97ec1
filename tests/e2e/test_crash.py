"""kill -9 a serving process in the middle of a burst of appends; nothing acknowledged is lost or doubled.

Clients retry what was not acknowledged with the same ``Idempotency-Key``.
Afterwards every acknowledged development is in the log exactly once, at the
position it was given; the log holds each key once; the projections answer as a
rebuild does; and ``conflict-status verify`` passes.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import postgres_database
from tests.e2e.load import Burst, all_developments, answers, registration, statement
from tests.e2e.server import Server, serve

pytestmark = pytest.mark.e2e

COUNT = 240


def kill_9(server: Server) -> None:
    """SIGKILL the serve process and all its workers at once: no graceful anything."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)


def register(server: Server) -> dict[str, str]:
    headers = server.token("submitter")
    response = requests.post(server.url + "/v1/events", json=registration(), headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return headers


def assert_nothing_acknowledged_was_lost_or_doubled(burst: Burst, url: str) -> list[dict[str, object]]:
    stored = all_developments(url)
    ids = Counter(d["id"] for d in stored)
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(stored) == COUNT + 1  # each key once, and the registration
    by_id = {d["id"]: d for d in stored}
    for key, ack in burst.acks.items():
        assert ack.id in by_id, f"{key}, acknowledged at position {ack.position}, is missing"
        assert by_id[ack.id]["position"] == ack.position
    positions = [d["position"] for d in stored]
    assert positions == sorted(set(positions))
    return stored


def assert_retries_answer_with_the_original(burst: Burst, url: str, headers: dict[str, str]) -> None:
    for n in range(0, COUNT, 7):
        again = requests.post(
            url + "/v1/events", json=statement(n), headers={**headers, "Idempotency-Key": burst.key(n)}, timeout=30
        )
        assert again.status_code == 200, again.text
        assert again.json()["id"] == burst.acks[burst.key(n)].id


def assert_projections_equal_a_rebuild_and_verify_passes(server: Server, stored: list[dict[str, object]]) -> None:
    mid = int(str(stored[len(stored) // 2]["position"]))
    before = answers(server.url, mid)
    assert before[f"/v1/conflicts/{'burst'}"]["developments"] == COUNT + 1
    assert "rebuilt projections" in server.cli("rebuild")
    assert answers(server.url, mid) == before
    assert "OK: the log is intact" in server.cli("verify")


def test_acknowledged_developments_survive_a_kill_9_of_every_sqlite_worker_mid_burst(
    sqlite_url: str, tmp_path: Path
) -> None:
    with serve(sqlite_url, tmp_path, workers=3) as first:
        headers = register(first)
        burst = Burst([first.url], headers, COUNT)

        def crash_and_restart(burst: Burst) -> None:
            burst.wait_for_acks(COUNT // 3)
            kill_9(first)
            acknowledged_before = len(burst.acks)
            with serve(sqlite_url, tmp_path, workers=3) as second:
                burst.urls[:] = [second.url]
                burst.wait_for_acks(COUNT)
                assert acknowledged_before < COUNT  # the kill came in the middle of the burst
                stored = assert_nothing_acknowledged_was_lost_or_doubled(burst, second.url)
                assert_retries_answer_with_the_original(burst, second.url, headers)
                assert_projections_equal_a_rebuild_and_verify_passes(second, stored)

        burst.run(crash_and_restart)
    assert burst.failures, "no request failed: the kill did not land in the burst"


def test_acknowledged_developments_survive_a_kill_9_of_one_of_two_postgres_processes(tmp_path: Path) -> None:
    with (
        postgres_database() as url,
        serve(url, tmp_path, workers=2) as doomed,
        serve(url, tmp_path, workers=2) as survivor,
    ):
        headers = register(doomed)
        burst = Burst([doomed.url, survivor.url], headers, COUNT)

        def crash_one(burst: Burst) -> None:
            burst.wait_for_acks(COUNT // 3)
            kill_9(doomed)
            burst.urls[:] = [survivor.url]

        burst.run(crash_one)
        assert len(burst.acks) == COUNT and burst.failures
        stored = assert_nothing_acknowledged_was_lost_or_doubled(burst, survivor.url)
        assert_retries_answer_with_the_original(burst, survivor.url, headers)
        assert_projections_equal_a_rebuild_and_verify_passes(survivor, stored)
