"""What gunicorn answers and how it keeps connections, against a real ``serve``: problem+json, and honest headers.

An answer given without reading the whole body (a 413, a 401 to a POST) reads
and drops the rest of it first, so that the connection stays usable for a
pooling client's next request; past four times MAX_BODY_BYTES it stops and
says ``Connection: close`` instead, and closes.  Requests gunicorn cannot parse
(414, 431, 400) are answered by gunicorn itself, as problem+json like every
other error.
"""

from __future__ import annotations

import http.client
import inspect
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from gunicorn import util
from gunicorn.http import message, wsgi
from gunicorn.workers import base

from tests.e2e.server import Server, serve

pytestmark = pytest.mark.e2e

LIMIT = 100_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("answers")
    env = {"MAX_BODY_BYTES": str(LIMIT)}
    with serve(f"sqlite:///{folder / 'log.db'}", folder, workers=1, extra_env=env) as running:
        yield running


def too_large(times: int = 2) -> Iterator[bytes]:
    """A chunked body ``times`` the limit (no Content-Length to refuse it by)."""
    yield b'{"summary": "'
    for _ in range(times * LIMIT // 10_000):
        yield b"x" * 10_000
    yield b'"}'


def test_a_pooled_client_goes_on_after_a_refused_body(server: Server) -> None:
    token = server.token("submitter")
    with requests.Session() as session:
        assert session.get(server.url + "/healthz", timeout=10).headers["Connection"] == "keep-alive"
        refused = session.post(
            server.url + "/v1/events", data=too_large(), headers={**token, "Content-Type": "application/json"}
        )
        assert refused.status_code == 413 and refused.headers["Content-Type"] == "application/problem+json"
        assert refused.headers["Connection"] == "keep-alive"  # its rest was read and dropped
        assert session.get(server.url + "/healthz", timeout=10).status_code == 200
        unread = session.post(server.url + "/v1/events", data=b"x" * (2 * LIMIT), timeout=10)  # no token: 401
        assert (unread.status_code, unread.headers["Connection"]) == (401, "keep-alive")
        assert session.get(server.url + "/v1/events", timeout=10).status_code == 200

    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {**token, "Content-Type": "application/json"}
    connection.request("POST", "/v1/events", body=too_large(), headers=headers, encode_chunked=True)
    answer = connection.getresponse()
    assert (answer.status, answer.getheader("Connection")) == (413, "keep-alive")
    answer.read()
    socket_used = connection.sock
    connection.request("GET", "/healthz")
    assert connection.getresponse().status == 200 and connection.sock is socket_used  # the same connection
    connection.close()


def test_a_body_too_large_to_drop_is_answered_with_connection_close(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    token = server.token("submitter")["Authorization"]
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        head = f"POST /v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n"
        head += "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"

        def send() -> None:
            try:
                raw.sendall(head.encode())
                for piece in too_large(times=10):
                    raw.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                raw.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server stopped reading and closed: expected past what it drops

        sender = threading.Thread(target=send)
        sender.start()
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += raw.recv(4096)
        sender.join(timeout=30)
    head_lines = reply.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head_lines.startswith("http/1.1 413") and "connection: close" in head_lines, head_lines


def test_gunicorns_own_refusals_are_problem_json(server: Server) -> None:
    long_uri = requests.get(server.url + "/v1/events?after=" + "1" * 9000, timeout=10)
    big_header = requests.get(server.url + "/healthz", headers={"X-Big": "a" * 9000}, timeout=10)
    many_headers = requests.get(server.url + "/healthz", headers={f"X-H{i}": "a" for i in range(120)}, timeout=10)
    for answer, status in ((long_uri, 414), (big_header, 431), (many_headers, 431)):
        assert answer.status_code == status
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["status"] == status and answer.json()["detail"]
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
        reply = raw.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 400") and "application/problem+json" in reply, reply


def test_the_gunicorn_internals_these_answers_rely_on_are_still_there() -> None:
    assert list(inspect.signature(util.write_error).parameters) == ["sock", "status_int", "reason", "mesg"]
    assert "util.write_error(" in inspect.getsource(base.Worker.handle_error)
    assert "self.must_close" in inspect.getsource(message.Message.should_close)
    assert "self.req.should_close()" in inspect.getsource(wsgi.Response.should_close)
    assert Path(inspect.getfile(util)).name == "util.py"
