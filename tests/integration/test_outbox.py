"""The webhook outbox derives deliveries from log positions: once each, whoever enqueues, whenever; both backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.opening import open_log
from projections.changes import Changes
from projections.database import Database, open_database
from projections.outbox import Outbox
from projections.store import ProjectionStore
from tests.api.test_webhooks import statement
from tests.conftest import run_in_threads, seed_lines


@pytest.fixture
def seeded(database_url: str) -> Iterator[tuple[ConflictLog, Database]]:
    import json

    log = open_log(database_url)
    database = open_database(database_url)
    database.create_tables()
    Outbox(database).create_tables()
    log.submit_many([Submission(json.loads(line)) for line in seed_lines()])
    try:
        yield log, database
    finally:
        database.close()
        log.close()


def delivered_ids(outbox: Outbox, subscription: str) -> list[str]:
    return [d.id for d in outbox.deliveries(subscription, limit=1000)]


def test_concurrent_enqueuers_derive_each_delivery_once(seeded: Any) -> None:
    log, database = seeded
    store = ProjectionStore(log, database)
    outbox = Outbox(database)
    everything, _ = outbox.subscribe("http://receiver.example/", [], [], log.head())
    libya, _ = outbox.subscribe("http://receiver.example/", ["libya"], [], log.head())
    for conflict in ("libya", "ukraine-east", "libya"):
        log.submit(statement(conflict, "2020-06-28"))
    store.catch_up()

    def enqueue(_: int) -> None:
        while Outbox(database).enqueue(Changes(store)):
            pass

    run_in_threads(enqueue, threads=3)
    assert Outbox(database).enqueue(Changes(store)) == 0  # nothing left: the cursors reached the head
    mine = outbox.deliveries(libya.id)
    assert [d.position for d in mine] == [22, 24] and all(d.scope == "conflict" for d in mine)
    every = delivered_ids(outbox, everything.id)
    assert len(every) == len(set(every)) == 3
    assert outbox.subscription(everything.id).cursor == log.head()


def test_developments_appended_while_nobody_delivered_are_enqueued_later(seeded: Any) -> None:
    log, database = seeded
    store = ProjectionStore(log, database)
    outbox = Outbox(database)
    subscription, _ = outbox.subscribe("http://receiver.example/", ["ukraine-east"], [], log.head())
    log.submit(statement("ukraine-east", "2020-06-28"))  # no enqueuer ran: nothing but the log holds it
    assert outbox.deliveries(subscription.id) == []
    assert outbox.enqueue(Changes(ProjectionStore(log, database))) == 1
    assert [d.position for d in outbox.deliveries(subscription.id)] == [log.head()]
    store.catch_up()
    assert outbox.enqueue(Changes(store)) == 0
