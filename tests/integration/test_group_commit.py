"""Concurrent single appends share transactions, and each caller still gets its own answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from events.log.application import ConflictLog
from events.log.group_commit import GroupCommit
from events.vocabulary.errors import IdConflict
from tests.integration.test_log import ceasefire_call, registration


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
    assert log.store.count_developments() == 1 + 6 + 1


def test_callers_arriving_while_another_process_writes_join_the_waiting_group() -> None:
    other_process_writing = threading.Event()
    saves: list[tuple[Any, ...]] = []

    @contextmanager
    def turn() -> Iterator[None]:
        other_process_writing.wait(10)  # the writers' queue is held elsewhere until set
        yield

    group = GroupCommit(lambda *events: saves.append(events) or list(events), turn)
    callers = [threading.Thread(target=group.save, args=(n,)) for n in range(6)]
    for caller in callers:
        caller.start()
    time.sleep(0.3)  # all six wait: the first for its turn, the others for the first
    other_process_writing.set()
    for caller in callers:
        caller.join(10)
    assert sorted(n for events in saves for n in events) == list(range(6))
    assert len(saves) == 1  # the first caller's group, closed only once its turn came, took them all
