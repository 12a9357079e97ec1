"""Bursts of appends from many client threads against real servers, and what they were told.

A client sends each development with its own ``Idempotency-Key`` and retries it
(same key, same body) on whichever server is up until one acknowledges it with
201 or 200, or the burst's deadline passes.  The burst keeps every
acknowledgement, so that a test can check afterwards that each is in the log
exactly once, at the position it was given.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

CONFLICT = "burst"


def registration(conflict: str = CONFLICT) -> dict[str, Any]:
    return {
        "type": "ConflictRegistered",
        "occurred": "2020",
        "sources": [{"name": "test"}],
        "summary": "A conflict for bursts of appends.",
        "data": {"conflict": conflict, "name": "Burst"},
    }


def statement(n: int, conflict: str = CONFLICT) -> dict[str, Any]:
    """A development of the burst; back-dated now and then, so that catch-ups refold."""
    day = 27 - (n % 5 == 0) * 20
    return {
        "type": "StatementIssued",
        "occurred": f"2020-06-{day:02d}",
        "conflicts": [conflict],
        "actors": ["FRA"] if n % 2 else ["RUS"],
        "sources": [{"name": "test"}],
        "summary": f"statement {n}",
        "data": {"by": "FRA" if n % 2 else "RUS", "text": f"statement {n}", "topics": ["libya"]},
    }


@dataclass(frozen=True)
class Ack:
    status: int
    id: str
    position: int


@dataclass
class Burst:
    """Appends ``count`` developments through ``urls`` (which the test may change while it runs)."""

    urls: list[str]
    headers: dict[str, str]
    count: int
    deadline_seconds: float = 90.0
    acks: dict[str, Ack] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _turn: Any = field(default_factory=itertools.count)

    def key(self, n: int) -> str:
        return f"burst-{n}"

    def _url(self) -> str:
        with self._lock:
            urls = list(self.urls)
            return urls[next(self._turn) % len(urls)]

    def submit(self, n: int) -> None:
        """Send development ``n`` until a server acknowledges it (or the deadline passes)."""
        deadline = time.monotonic() + self.deadline_seconds
        headers = {**self.headers, "Idempotency-Key": self.key(n)}
        while time.monotonic() < deadline:
            url = self._url()
            try:
                response = requests.post(url + "/v1/events", json=statement(n), headers=headers, timeout=30)
            except requests.RequestException:
                response = None
            if response is not None and response.status_code in (200, 201):
                body = response.json()
                with self._lock:
                    self.acks.setdefault(self.key(n), Ack(response.status_code, body["id"], body["position"]))
                return
            if response is not None and response.status_code < 500:
                raise AssertionError(f"{self.key(n)}: {response.status_code} {response.text}")
            with self._lock:
                self.failures[self.key(n)] = self.failures.get(self.key(n), 0) + 1
            time.sleep(0.05)
        raise AssertionError(f"{self.key(n)} was never acknowledged")

    def read_now_and_then(self, stop: threading.Event) -> None:
        """Ask for the conflict's status while the burst runs, so that catch-ups are under way at any moment."""
        while not stop.is_set():
            try:
                requests.get(self._url() + f"/v1/conflicts/{CONFLICT}", timeout=30)
            except requests.RequestException:
                time.sleep(0.05)

    def run(self, during: Callable[[Burst], None], threads: int = 8) -> None:
        """Send every development from ``threads`` clients; ``during(self)`` runs meanwhile (to kill a server)."""
        stop = threading.Event()
        reader = threading.Thread(target=self.read_now_and_then, args=(stop,), daemon=True)
        reader.start()
        try:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                sent = [pool.submit(self.submit, n) for n in range(self.count)]
                during(self)
                for future in sent:
                    future.result()
        finally:
            stop.set()
            reader.join(timeout=35)

    def wait_for_acks(self, at_least: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acks) < at_least:
            assert time.monotonic() < deadline, f"only {len(self.acks)} acknowledgements"
            time.sleep(0.01)


def all_developments(url: str) -> list[dict[str, Any]]:
    """Every development of the log, in log order, read page by page."""
    items: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        page = requests.get(url + "/v1/events", params={"after": after, "limit": 1000}, timeout=30).json()
        items += page["items"]
        after = page["next_after"]
    return items


def answers(url: str, mid: int) -> dict[str, Any]:
    """The read side's answers that a rebuild must reproduce: current, as of a date, as known at a position."""
    paths = [
        "/v1/conflicts",
        f"/v1/conflicts/{CONFLICT}",
        f"/v1/conflicts/{CONFLICT}?as_of=2020-06-10",
        f"/v1/conflicts/{CONFLICT}?known_at={mid}",
        f"/v1/conflicts/{CONFLICT}/timeline?limit=1000",
        "/v1/agendas",
    ]
    found = {}
    for path in paths:
        response = requests.get(url + path, timeout=60)
        assert response.status_code == 200, f"{path}: {response.text}"
        found[path] = response.json()
    return found
