"""A small HTTP server that receives webhooks in a test: it records each request and answers as told."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass
class Receiver:
    """What it received, and how it answers: ``statuses`` in turn (then ``status``); ``hold`` blocks answers."""

    url: str = ""
    status: int = 204
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, seconds: float = 20.0) -> list[Received]:
        """The requests once at least ``count`` arrived (AssertionError after ``seconds``)."""
        deadline = time.monotonic() + seconds
        with self.arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.requests)} webhook requests arrived, not {count}"
                self.arrived.wait(left)
            return list(self.requests)


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1, stopped afterwards."""
    receiver = Receiver()
    receiver.hold.set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.arrived:
                receiver.requests.append(Received(headers, body, time.monotonic()))
                receiver.arrived.notify_all()
            receiver.hold.wait(60)
            status = receiver.statuses.pop(0) if receiver.statuses else receiver.status
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.hold.set()
        server.shutdown()
        server.server_close()
