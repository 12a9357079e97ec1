"""Concurrent single appends share transactions, and each caller still gets its own answer."""

from __future__ import annotations

import threading
from typing import Any

from events.errors import IdConflict
from events.log import ConflictLog
from tests.test_log import ceasefire_call, registration


def test_concurrent_single_appends_each_get_their_own_record(log: ConflictLog) -> None:
    log.submit(registration())
    receipts: dict[int, Any] = {}

    def write(n: int) -> None:
        receipts[n] = log.submit(ceasefire_call(summary=f"call {n}"), key=f"call-{n}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.development.summary for r in receipts.values()) == sorted(f"call {n}" for n in range(24))
    assert all(r.created for r in receipts.values())
    positions = sorted(r.development.position for r in receipts.values())
    assert len(set(positions)) == 24
    assert [d.summary for d in log.read(after=positions[0] - 1, limit=100)] == [
        r.development.summary for r in sorted(receipts.values(), key=lambda r: r.development.position)
    ]


def test_one_failing_member_of_a_group_fails_alone(log: ConflictLog) -> None:
    log.submit(registration())
    outcomes: dict[int, Any] = {}
    start = threading.Barrier(12)

    def write(n: int) -> None:
        start.wait()
        # the even writers all register the same conflict: exactly one of them may succeed
        raw = registration("syria") if n % 2 == 0 else ceasefire_call(summary=f"call {n}")
        try:
            outcomes[n] = log.submit(raw, key=f"w-{n}")
        except IdConflict as e:
            outcomes[n] = e

    threads = [threading.Thread(target=write, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(not isinstance(outcomes[n], Exception) for n in range(1, 12, 2))
    registered = [n for n in range(0, 12, 2) if not isinstance(outcomes[n], Exception)]
    assert len(registered) == 1
    assert log.index.count_developments() == 1 + 6 + 1
