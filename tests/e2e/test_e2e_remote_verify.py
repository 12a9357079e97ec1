"""End to end: a real ``serve`` signs tree heads by itself, and ``verify --remote`` checks it over HTTP."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.audit_helpers import Database, statement
from tests.e2e.server import BIN, Server, free_port, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    env = {"CHECKPOINT_INTERVAL": "1s", "LOG_ORIGIN": "e2e.example/log"}
    with serve(sqlite_url, tmp_path, workers=2, extra_env=env) as running:
        yield running


def signed_size(server: Server, size: int) -> str:
    """The checkpoint once the service has signed a tree of ``size`` developments by itself (its clock)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = requests.get(server.url + "/v1/audit/checkpoint", timeout=10)
        if answer.status_code == 200 and answer.text.split("\n")[1] == str(size):
            return answer.text
        requests.get(server.url + "/v1/events?limit=1", timeout=10)  # a request opens a worker's log (and clock)
        time.sleep(0.2)
    raise AssertionError(f"no checkpoint of {size} developments within 60 s:\n{server.output()[-2000:]}")


def remote(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN), "verify", "--remote", url, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_an_outside_audit_verifies_a_running_service_and_then_only_what_it_appended(
    server: Server, sqlite_url: str, tmp_path: Path
) -> None:
    server.cli("import", "--example", "seed-article")
    assert signed_size(server, 21).startswith("e2e.example/log\n21\n")
    kept = tmp_path / "kept.note"
    first = remote(server.url, "--keep", str(kept))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "21 developments checked from the first" in first.stdout and "OK" in first.stdout
    assert kept.read_text().startswith("e2e.example/log\n21\n")

    token = server.token("submitter")
    for n in range(3):
        assert requests.post(server.url + "/v1/events", json=statement(n), headers=token, timeout=30).ok
    signed_size(server, 24)
    again = remote(server.url, "--since-checkpoint", str(kept), "--keep", str(kept))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "the checkpoint you kept had 21: 3 new developments checked" in again.stdout
    assert "the log only grew" in again.stdout

    Database(sqlite_url).alter(22, b"Statement number 0.", b"Statement number 7.")
    broken = remote(server.url)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "BROKEN at position 22: altered" in broken.stdout


def test_a_service_that_cannot_be_reached_cannot_be_told() -> None:
    nobody = remote(f"http://127.0.0.1:{free_port()}")
    assert nobody.returncode == 2
    assert "cannot verify: cannot reach" in nobody.stderr
