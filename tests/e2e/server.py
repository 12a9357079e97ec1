"""Start a real ``conflict-status serve`` process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

BIN = Path(sys.executable).parent / "conflict-status"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def cli(self, *args: str) -> str:
        """Run a ``conflict-status`` command against the same database."""
        done = subprocess.run([str(BIN), *args], env=self.env, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise AssertionError(f"conflict-status {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def token(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.cli('token', 'create', '--role', role).strip()}"}

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def serve(
    database_url: str, folder: Path, workers: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A running server on a free port; stopped (and its output kept in ``folder``) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SIGNING_KEY_FILE": str(folder / "signing-key.pem"),
        **(extra_env or {}),
    }
    log_path = folder / f"serve-{port}.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", env, process, log_path)
    try:
        wait_until_answering(process, server.url, log_path, "serve")
        yield server
    finally:
        stop_group(process)


def wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path, what: str) -> None:
    """Wait (60 s at most) until the server at ``url`` answers /healthz; fail with its output if it exits first."""
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited early:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still opening the database
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer within 60 s:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in a session of its own, and its children: SIGTERM, then SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
