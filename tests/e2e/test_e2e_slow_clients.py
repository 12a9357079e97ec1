"""Slow clients against a real ``serve`` process: feeds, slow bodies and idle connections block no one.

One worker with its default threads: a live feed, three clients sending their
bodies a few bytes at a time and two connections that send nothing all hold on,
while other reads and writes are answered promptly.  A client silent for
READ_TIMEOUT in the middle of its body gets a 408.  The access and app logs
never show a bearer token.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.load import registration
from tests.e2e.server import Server, serve

pytestmark = pytest.mark.e2e

READ_TIMEOUT = 3


def slow_post(server: Server, headers: dict[str, str]) -> socket.socket:
    """A POST whose body has begun to arrive, and will not go on."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=30)
    head = f"POST /v1/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    connection.sendall((head + "\r\n" + '{"type": "Statem').encode())
    return connection


def idle_connection(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def chunks(size: int) -> Iterator[bytes]:
    yield b'{"summary": "'
    for _ in range(size // 10_000):
        yield b"x" * 10_000
    yield b'"}'


def test_feeds_slow_bodies_and_idle_connections_do_not_block_other_requests(sqlite_url: str, tmp_path: Path) -> None:
    env = {"READ_TIMEOUT": str(READ_TIMEOUT), "LOG_LEVEL": "DEBUG", "MAX_BODY_BYTES": "100000"}
    with serve(sqlite_url, tmp_path, workers=1, extra_env=env) as server:
        submitter = server.token("submitter")
        feed = requests.get(server.url + "/v1/events/stream?wait=20&heartbeat=1", stream=True, timeout=30)
        lines = feed.iter_lines()
        assert b"heartbeat" in next(lines)
        slow = [slow_post(server, submitter) for _ in range(3)]
        idle = [idle_connection(server) for _ in range(2)]
        time.sleep(0.5)  # every one of them holds on now

        for _ in range(10):
            started = time.monotonic()
            assert requests.get(server.url + "/v1/events?limit=5", timeout=10).status_code == 200
            assert time.monotonic() - started < 2
        started = time.monotonic()
        written = requests.post(server.url + "/v1/events", json=registration(), headers=submitter, timeout=10)
        assert written.status_code == 201 and time.monotonic() - started < 2
        assert next(line for line in lines if b"heartbeat" not in line).startswith(b'{"id"')  # the feed saw it

        for connection in slow:  # silent mid-body for READ_TIMEOUT: answered 408, thread freed
            answer = connection.recv(4096).decode()
            assert answer.startswith("HTTP/1.1 408"), answer
            assert "application/problem+json" in answer
            connection.close()
        for connection in idle:
            connection.close()
        feed.close()

        too_large = requests.post(
            server.url + "/v1/events",
            data=chunks(200_000),  # chunked: no Content-Length to refuse it by
            headers={**submitter, "Content-Type": "application/json"},
            timeout=30,
        )
        assert too_large.status_code == 413, too_large.text
        assert too_large.headers["Content-Type"] == "application/problem+json"
        wrong = {"Authorization": "Bearer cs_a-wrong-token-that-must-not-be-logged"}
        assert requests.post(server.url + "/v1/events", json={}, headers=wrong, timeout=10).status_code == 401

    output = server.output()
    assert "POST /v1/events" in output  # the access log is there
    assert submitter["Authorization"].split()[1] not in output
    assert "a-wrong-token-that-must-not-be-logged" not in output
