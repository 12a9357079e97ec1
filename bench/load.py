"""HTTP load for the benchmark: ``wrk`` when installed, else Python client processes.

The client function lives here, in an importable module, because client
processes are started with ``spawn``: a spawned process finds the function it
runs by importing its module, and a package's ``__main__`` (``python -m bench``)
cannot be imported that way.

Nothing is installed unless asked: ``find_wrk(install=True)`` (the bench's
``--install-wrk``) runs ``apt-get install wrk`` when wrk is missing, and says so
first.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.e2e.server import Server

#: conflicts of the synthetic log that developments are spread over
CONFLICTS = 20
BATCH_SIZE = 1_000
#: seconds a load phase may overrun its length before the clients are stopped and the phase fails
GRACE_SECONDS = 60.0

WRK_POST = """
counter = 0
salt = tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  local body = string.format(%s, salt, counter)
  return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json",
                                           ["Authorization"] = "Bearer %s"}, body)
end
"""


def development_body(n: int, salt: str) -> dict[str, Any]:
    """A fresh FightingReported development (no id, no key: each POST stores one)."""
    return {
        "type": "FightingReported",
        "occurred": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "conflicts": [f"conflict-{n % CONFLICTS:03d}"],
        "actors": ["UKR"],
        "sources": [{"name": "Bench wire service", "url": "https://example.org/wire"}],
        "summary": f"Clashes reported ({salt} {n}).",
        "data": {"description": "clashes", "deaths": {"best": n % 30, "low": n % 30, "high": n % 30 + 5}},
    }


def find_wrk(install: bool = False) -> str | None:
    """The ``wrk`` program, or None; with ``install`` it is first installed with apt-get when missing (as root)."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("--install-wrk: wrk can only be installed as root with apt-get; install it yourself", flush=True)
        return None
    print("wrk is not installed: installing it now (--install-wrk): apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False)
    return shutil.which("wrk")


def _lua(text: str) -> str:
    """A Lua string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Load:
    """Load of ``connections`` keep-alive connections for ``seconds``: from ``wrk``, or Python client processes."""

    wrk: str | None
    seconds: float
    connections: int = 16

    def describe(self) -> str:
        if self.wrk:
            return f"wrk, 2 threads, {self.connections} keep-alive connections, {self.seconds:.0f} s"
        return f"{self.connections} Python client processes with keep-alive connections, {self.seconds:.0f} s"

    def rate(self, server: Server, path: str, token: str | None = None) -> float:
        """Requests per second answered with 2xx (GET ``path``, or POST developments when ``token``)."""
        if self.wrk:
            return self._wrk(server, path, token)
        return self._python(server.url, path, token)

    def _wrk(self, server: Server, path: str, token: str | None) -> float:
        assert self.wrk is not None
        args = [self.wrk, "-t2", f"-c{self.connections}", f"-d{self.seconds:.0f}s", "--latency"]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            if token:
                body = _lua(json.dumps(development_body(0, "SALT")).replace("%", "%%").replace("SALT 0", "%s %d"))
                script.write(WRK_POST % (body, token))
        try:
            if token:
                args += ["-s", script.name]
            out = subprocess.run([*args, server.url + path], capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(script.name)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = re.search(r"Socket errors: .*", out)
        if bad or errors:
            raise AssertionError(f"wrk saw failures on {path}:\n{out}\n{server.output()[-3000:]}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        assert match, out
        return float(match.group(1))

    def _python(self, url: str, path: str, token: str | None) -> float:
        """Run one client process a connection; they are stopped on Ctrl-C, on an error, or past the grace time."""
        context = multiprocessing.get_context("spawn")
        pool = context.Pool(self.connections, initializer=_leave_interrupts_to_the_parent)
        try:
            args = [(url, path, token, self.seconds, i) for i in range(self.connections)]
            counts = pool.starmap_async(client, args).get(timeout=self.seconds + GRACE_SECONDS)
        except multiprocessing.TimeoutError:
            raise AssertionError(
                f"the client processes did not finish within {self.seconds + GRACE_SECONDS:.0f} s"
            ) from None
        finally:
            pool.terminate()
            pool.join()
        return sum(counts) / self.seconds


def _leave_interrupts_to_the_parent() -> None:
    """Client processes ignore Ctrl-C: the parent stops them (``Pool.terminate``) and reports once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def client(url: str, path: str, token: str | None, seconds: float, worker: int) -> int:
    """Requests answered on one keep-alive connection for ``seconds`` (GET ``path``, or POST developments)."""
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"} if token else {}
    done = 0
    deadline = time.perf_counter() + seconds
    salt = uuid.uuid4().hex[:8]
    while time.perf_counter() < deadline:
        if token:
            conn.request("POST", path, json.dumps(development_body(done, f"{salt}-{worker}")), headers)
        else:
            conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status >= 300:
            raise AssertionError(f"{path} answered {response.status}")
        done += 1
    conn.close()
    return done


def batch_rate(server: Server, token: str, seconds: float, clients: int = 2) -> float:
    """Developments per second stored by POST /v1/events/batch (1,000 each), ``clients`` at a time."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    bodies = [
        json.dumps([development_body(i * BATCH_SIZE + n, f"batch-{uuid.uuid4().hex[:6]}") for n in range(BATCH_SIZE)])
        for i in range(4 * clients)
    ]
    stored = [0] * clients
    deadline = time.perf_counter() + seconds

    def post(c: int) -> None:
        session = requests.Session()
        n = c
        while time.perf_counter() < deadline:
            body = bodies[n % len(bodies)].replace("batch-", f"batch{n}-")
            response = session.post(server.url + "/v1/events/batch", data=body, headers=headers, timeout=300)
            assert response.status_code == 201, response.text[:300]
            stored[c] += BATCH_SIZE
            n += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=post, args=(c,), daemon=True) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(stored) / (time.perf_counter() - started)
