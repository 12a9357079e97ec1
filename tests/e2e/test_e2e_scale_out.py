"""Several processes, one PostgreSQL database: two ``serve`` processes and the projection worker."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests

from projections.database import TRACKING_NAME
from tests.conftest import (
    POSTGRES_URL,
    postgres_schema,
    postgres_url,
)
from tests.e2e.load import CONFLICT, Burst, all_developments, answers, registration
from tests.e2e.server import BIN, Server, serve

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

COUNT = 200


@pytest.fixture
def schema() -> Iterator[str]:
    with postgres_schema() as name:
        yield name


@contextmanager
def projection_worker(server: Server, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``conflict-status project`` against the server's database, stopped with SIGTERM afterwards."""
    with (folder / "worker.log").open("wb") as out:
        worker = subprocess.Popen(
            [str(BIN), "project", "--poll", "30"], env=server.env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def tracked(schema: str) -> int:
    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(f'SELECT position FROM "{schema}".proj_tracking WHERE name = %s', [TRACKING_NAME]).fetchone()
    return int(row[0]) if row else 0


def wait_until_tracked(schema: str, head: int, seconds: float = 30) -> float:
    started = time.monotonic()
    while tracked(schema) < head:
        assert time.monotonic() - started < seconds, f"the worker reached {tracked(schema)} of {head}"
        time.sleep(0.05)
    return time.monotonic() - started


def worker_reached(folder: Path, position: int, seconds: float) -> bool:
    """Whether the worker says, within ``seconds``, that the projections are at ``position``."""
    deadline = time.monotonic() + seconds
    while f"projections at position {position}" not in (folder / "worker.log").read_text():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_two_serve_processes_append_gap_free_and_every_process_answers_alike(schema: str, tmp_path: Path) -> None:
    url = postgres_url(schema)
    with serve(url, tmp_path, workers=2) as first, serve(url, tmp_path, workers=2) as second:
        headers = first.token("submitter")
        assert requests.post(first.url + "/v1/events", json=registration(), headers=headers, timeout=30).ok
        with projection_worker(first, tmp_path) as worker:
            burst = Burst([first.url, second.url], headers, COUNT)
            burst.run(lambda burst: None)

            stored = all_developments(second.url)
            assert [d["position"] for d in stored] == list(range(1, COUNT + 2))  # gap-free, totally ordered
            assert {a.position for a in burst.acks.values()} == set(range(2, COUNT + 2))
            assert [d["prev_hash"] for d in stored[1:]] == [d["hash"] for d in stored[:-1]]

            wait_until_tracked(schema, COUNT + 1)  # the writers' projectors and the worker followed the log
            mid = COUNT // 2
            assert answers(first.url, mid) == answers(second.url, mid)
            assert answers(first.url, mid)[f"/v1/conflicts/{CONFLICT}"]["developments"] == COUNT + 1

            one_more = requests.post(
                first.url + "/v1/events",
                json={**registration("woken"), "summary": "Registered to wake the worker."},
                headers=headers,
                timeout=30,
            )
            assert one_more.status_code == 201
            assert wait_until_tracked(schema, COUNT + 2) < 10
            # NOTIFY woke the worker too, long before its 30 s poll (the writer's projector may have caught up first)
            assert worker_reached(tmp_path, COUNT + 2, seconds=10)

            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=15) == 0
        assert "OK: the log is intact" in first.cli("verify")


def test_the_projection_worker_stops_cleanly_on_sigterm_while_idle(sqlite_url: str, tmp_path: Path) -> None:
    with serve(sqlite_url, tmp_path, workers=1) as server, projection_worker(server, tmp_path) as worker:
        deadline = time.monotonic() + 30
        while "projections at position 0" not in (tmp_path / "worker.log").read_text():
            assert time.monotonic() < deadline and worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    assert "stopped" in (tmp_path / "worker.log").read_text()
