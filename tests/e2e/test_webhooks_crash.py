"""kill -9 the projection worker in the middle of a webhook request: restarted, it delivers the same message again.

The receiver holds the first request open; the worker is killed while waiting for
the answer.  A new worker finds the delivery still pending (its lease ends past the
request's time-out), sends it again with the same ``webhook-id`` and body, and
records it delivered: at least once, and exactly once to a receiver that ignores
ids it has seen.  On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings
from tests.api.test_acceptance import submit_seed
from tests.api.test_webhooks import statement, subscribe
from tests.conftest import app_for, make_token
from tests.receiver import receiving

pytestmark = pytest.mark.e2e
CLI = Path(sys.executable).parent / "conflict-status"
TIMEOUT = 3  # WEBHOOK_TIMEOUT: the lease of a claimed delivery is 2 x 3 + 1 = 7 s


@contextmanager
def worker(database_url: str, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``conflict-status project`` in its own process group, killed with SIGKILL at the end if still running."""
    env = {**os.environ, "DATABASE_URL": database_url, "WEBHOOK_TIMEOUT": str(TIMEOUT), "WEBHOOK_POLL": "0.2"}
    process = subprocess.Popen(
        [str(CLI), "project", "--poll", "0.2"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_a_delivery_interrupted_by_a_crash_arrives_again_with_the_same_id(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, webhook_delivery=False)  # only the worker delivers
    with app_for(settings) as app, receiving() as receiver:
        client = app.test_client()

        def auth(role: str = "submitter") -> dict[str, str]:
            return {"Authorization": f"Bearer {make_token(database_url, role)}"}

        submit_seed(client, auth)
        made: dict[str, Any] = subscribe(client, auth, receiver.url, conflicts=["libya"])
        assert client.post("/v1/events", json=statement(), headers=auth()).status_code == 201
        receiver.hold.clear()  # the first request is held open: the worker waits for its answer
        with worker(database_url, tmp_path) as first:
            held = receiver.wait_for(1, seconds=60)[0]
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        pending = client.get(f"/v1/subscriptions/{made['id']}/deliveries", headers=auth()).json["items"]
        assert [(d["status"], d["attempts"]) for d in pending] == [("pending", 1)]
        receiver.status = 204
        receiver.hold.set()
        with worker(database_url, tmp_path):
            again = receiver.wait_for(2, seconds=60)[1]
            deadline = time.monotonic() + 30
            while True:
                items = client.get(f"/v1/subscriptions/{made['id']}/deliveries", headers=auth()).json["items"]
                if items[0]["status"] == "delivered" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            time.sleep(1.0)  # time enough for a wrong third request
        assert again.headers["webhook-id"] == held.headers["webhook-id"] == items[0]["id"]
        assert again.body == held.body
        assert [(d["status"], d["attempts"]) for d in items] == [("delivered", 2)]
        assert len(receiver.requests) == 2
