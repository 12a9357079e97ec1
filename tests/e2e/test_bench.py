"""The benchmark is run by hand (``python -m bench``); here its parts that must keep working on any machine.

Its HTTP load falls back to Python client processes where ``wrk`` is missing:
that fallback is run for a second against a real server, interrupted, and the
bench never installs anything unless asked.  ``bench.query_latency`` is run at
a tiny size and must leave nothing in the temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import load
from bench.load import Load
from bench.workload import conflict_ids, registrations
from events.log.admission import Submission
from events.log.opening import open_log
from tests.e2e.server import Server, serve

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{folder / 'log.db'}"
    log = open_log(url)
    log.submit_many([Submission(r) for r in registrations(conflict_ids(load.CONFLICTS))])  # as the bench's logs
    log.close()
    with serve(url, folder, workers=1) as running:
        yield running


def test_python_m_bench_help_names_its_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for option in ("--quick", "--database", "--install-wrk", "--python-clients"):
        assert option in done.stdout


def test_python_m_bench_replica_help_says_what_it_measures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.replica", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--developments" in done.stdout and "standby" in done.stdout


def test_without_wrk_the_python_client_processes_measure_reads_and_appends(server: Server) -> None:
    token = server.token("submitter")["Authorization"].split(" ", 1)[1]
    fallback = Load(wrk=None, seconds=1, connections=2)
    assert fallback.rate(server, "/healthz") > 0
    assert fallback.rate(server, "/v1/events", token) > 0  # a client process fails on any answer but 2xx


def test_ctrl_c_stops_the_python_client_processes_at_once(server: Server) -> None:
    script = f"from bench.load import Load; Load(None, 120, 2)._python({server.url!r}, '/healthz', None)"
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal, not a background job
        stderr=subprocess.PIPE,
    )
    clients = _client_processes(process.pid, 2)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) != 0
    assert b"KeyboardInterrupt" in (process.stderr.read() if process.stderr else b"")
    assert _gone(clients, 5), "client processes outlived the interrupted parent"


def test_the_bench_installs_wrk_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(load.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(load.subprocess, "run", lambda args, **kwargs: ran.append(args))
    monkeypatch.setattr(load.os, "geteuid", lambda: 0)
    assert load.find_wrk() is None
    assert ran == []
    load.find_wrk(install=True)
    assert ran == [["apt-get", "install", "-y", "wrk"]]
    assert "installing it now (--install-wrk)" in capsys.readouterr().out


def test_query_latency_runs_and_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "bench.query_latency", "--developments", "30", "--conflicts", "2", "--requests", "3"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "p50 as-of conflict query" in done.stdout
    assert list(temporary.iterdir()) == []


def _client_processes(pid: int, count: int) -> list[int]:
    """The pids of the ``count`` client processes ``pid`` spawned, once they have all started (within 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        clients = [int(c) for c in children if b"spawn_main" in _command_line(int(c))]
        if len(clients) >= count:
            return clients
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not start {count} client processes within 30 s")


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def _gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(_command_line(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
