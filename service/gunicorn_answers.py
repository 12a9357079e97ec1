"""What gunicorn itself answers, and when it closes a connection, made to agree with the app.

Two things the WSGI app cannot reach by itself:

- gunicorn answers requests it cannot parse (a request line over 4094 bytes:
  414, header fields too large: 431, malformed requests: 400) before any app
  code runs, as text/html.  ``install`` has gunicorn write those answers as
  problem+json like every other error, with gunicorn's own status and message.
  It replaces ``gunicorn.util.write_error``, which the worker's ``handle_error``
  calls through the module for every such answer (its status choices are kept);
  ``tests/e2e/test_e2e_gunicorn_answers.py`` checks both against the installed
  gunicorn.
- gunicorn writes ``Connection: keep-alive`` before it knows that it will not
  manage to read the rest of an unread request body (it drains at most 64 KiB),
  and then closes: a pooling client's next request on that connection fails.
  The app cannot set the hop-by-hop ``Connection`` header itself, so the
  worker's ``pre_request`` hook records the request being served in this
  thread, and ``close_after_answer`` marks it to close, which makes gunicorn
  say ``Connection: close``.  The app calls it when the rest of a body it did
  not need could not be read and dropped (``service.api.bodies.drain_unread_body``).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from service.problems import HTTP_TITLES, TYPE_BASE

_serving = threading.local()


def serving(request: Any) -> None:
    """The gunicorn request this thread is about to hand to the app (``pre_request``)."""
    _serving.request = request


def served() -> None:
    """The thread's request is answered (``post_request``)."""
    _serving.request = None


def close_after_answer() -> None:
    """Have the server close the connection after this answer, and say so in it (a no-op outside gunicorn)."""
    request = getattr(_serving, "request", None)
    if request is not None:
        request.must_close = True  # gunicorn's Request: Response.should_close() reads it before writing headers


def problem_bytes(status: int, reason: str, detail: str) -> bytes:
    """A whole HTTP/1.1 answer of ``status`` as problem+json, closing the connection."""
    slug, title = HTTP_TITLES.get(status, ("http-error", reason))
    body = json.dumps({"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
        f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def install() -> None:
    """Have this (worker) process's gunicorn write its own error answers as problem+json."""
    from gunicorn import util

    def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
        util.write_nonblock(sock, problem_bytes(int(status_int), str(reason), str(mesg) or str(reason)))

    util.write_error = write_problem
