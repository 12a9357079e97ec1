"""The log on both backends: appends, idempotency, batches, references, paging."""

from __future__ import annotations

import json
import uuid

import pytest
from eventsourcing.persistence import IntegrityError

from events.log.admission import Submission
from events.log.application import ConflictLog
from events.vocabulary.errors import IdConflict, InvalidDevelopment, UnknownReference
from tests.conftest import run_in_threads, seed_lines

SOURCE = [{"name": "Kremlin statement"}]


def registration(conflict: str = "libya", **extra: object) -> dict:
    return {
        "type": "ConflictRegistered",
        "occurred": "2014-05",
        "sources": SOURCE,
        "summary": f"{conflict} registered",
        "data": {"conflict": conflict, "name": conflict.title()},
        **extra,
    }


def ceasefire_call(conflict: str = "libya", **extra: object) -> dict:
    return {
        "type": "CeasefireCalled",
        "occurred": "2020-06-26",
        "conflicts": [conflict],
        "actors": ["FRA", "RUS"],
        "sources": SOURCE,
        "summary": "Both called for a ceasefire.",
        "data": {"called_by": ["FRA", "RUS"]},
        **extra,
    }


def test_an_appended_development_is_read_back_with_its_position(log: ConflictLog) -> None:
    log.submit(registration())
    receipt = log.submit(ceasefire_call())
    assert receipt.created
    again = log.get(receipt.development.id)
    assert again == receipt.development
    assert again.position > 0
    assert log.head() == again.position


def test_the_same_idempotency_key_with_the_same_content_stores_nothing_more(log: ConflictLog) -> None:
    log.submit(registration())
    first = log.submit(ceasefire_call(), key="k-1")
    second = log.submit(ceasefire_call(), key="k-1")
    assert not second.created
    assert second.development == first.development
    assert [d.position for d in log.read()] == [1, first.development.position]


def test_a_key_belongs_to_its_first_development_whatever_id_comes_later(log: ConflictLog) -> None:
    log.submit(registration())
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert log.submit(ceasefire_call(id=first), key="k-1").created
    with pytest.raises(IdConflict) as caught:
        log.submit(ceasefire_call(id=second), key="k-1")  # the same content under a new id
    message = caught.value.problems[0].message
    assert caught.value.problems[0].field == "id" and first in message and second in message
    assert log.submit(ceasefire_call(id=first), key="k-1").development.id == first  # a plain retry
    assert log.submit(ceasefire_call(), key="k-1").development.id == first  # the key alone finds it
    derived = log.submit(ceasefire_call(summary="Keyed, no id."), key="k-2").development.id
    with pytest.raises(IdConflict) as caught:
        log.submit(ceasefire_call(summary="Keyed, no id.", id=second), key="k-2")
    assert derived in caught.value.problems[0].message
    assert log.head() == 3


def test_a_key_used_before_keys_were_bound_still_finds_its_development(log: ConflictLog) -> None:
    log.submit(registration())
    derived = log.submit(ceasefire_call(), key="k-1").development.id
    log.store._write("DELETE FROM " + log.store._table("development_keys"), [])  # as a log written before them
    with pytest.raises(IdConflict) as caught:
        log.submit(ceasefire_call(id=str(uuid.uuid4())), key="k-1")
    assert derived in caught.value.problems[0].message
    assert log.head() == 2


def test_concurrent_submissions_of_one_key_under_two_ids_store_one(log: ConflictLog) -> None:
    log.submit(registration())
    ids = [str(uuid.uuid4()) for _ in range(4)]
    outcomes: list[str] = []

    def submit(n: int) -> None:
        try:
            log.submit(ceasefire_call(id=ids[n]), key="raced")
            outcomes.append("stored")
        except IdConflict:
            outcomes.append("conflict")

    run_in_threads(submit)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "stored"]
    assert log.head() == 2


def test_other_content_under_a_taken_id_is_a_conflict(log: ConflictLog) -> None:
    log.submit(registration())
    ident = str(uuid.uuid4())
    log.submit(ceasefire_call(id=ident))
    with pytest.raises(IdConflict) as caught:
        log.submit(ceasefire_call(id=ident, summary="Another summary."))
    assert caught.value.problems[0].field == "id"


def test_an_unknown_conflict_is_refused_with_the_closest_known_id(log: ConflictLog) -> None:
    log.submit(registration())
    with pytest.raises(UnknownReference) as caught:
        log.submit(ceasefire_call("lybia"))
    assert caught.value.problems[0].field == "conflicts[0]"
    assert caught.value.problems[0].message == "unknown conflict 'lybia'; did you mean 'libya'?"
    assert log.head() == 1


def test_a_batch_with_one_bad_item_stores_nothing(log: ConflictLog) -> None:
    bad = ceasefire_call()
    del bad["sources"]
    with pytest.raises(InvalidDevelopment) as caught:
        log.submit_many([Submission(registration()), Submission(ceasefire_call()), Submission(bad)])
    assert [(p.index, p.field) for p in caught.value.problems] == [(2, "sources")]
    assert log.head() == 0


def test_a_batch_may_register_a_conflict_and_use_it(log: ConflictLog) -> None:
    receipts = log.submit_many([Submission(ceasefire_call("yemen")), Submission(registration("yemen"))])
    assert [r.created for r in receipts] == [True, True]
    assert log.read(conflict="yemen", limit=10)[0].type == "CeasefireCalled"


def test_a_conflict_cannot_be_registered_twice(log: ConflictLog) -> None:
    log.submit(registration())
    with pytest.raises(IdConflict):
        log.submit(registration(summary="again"))


def test_filters_select_by_conflict_actor_type_and_world_time(log: ConflictLog) -> None:
    receipts = log.submit_many([Submission(json.loads(line)) for line in seed_lines()])
    assert len(receipts) == 21
    ukraine = log.read(conflict="ukraine-east", limit=100)
    assert {d.type for d in ukraine} >= {"SummitHeld", "CommitmentMade", "CeasefireViolated"}
    assert all("ukraine-east" in d.conflicts for d in ukraine)
    deu = log.read(actor="DEU", limit=100)
    assert {d.type for d in deu} == {"SummitHeld", "SummitProposed", "StatementIssued"}
    december = log.read(occurred_from="2019-12-01", occurred_to="2019-12-31", limit=100)
    assert "CommitmentFulfilled" in {d.type for d in december}  # 2019-12-09/2020-06-26 overlaps December
    assert [d.type for d in log.read(types=["MeetingHeld"], limit=100)] == ["MeetingHeld"]


def test_pages_follow_each_other_without_gaps(log: ConflictLog) -> None:
    log.submit_many([Submission(json.loads(line)) for line in seed_lines()])
    seen, after = [], 0
    while page := log.read(after=after, limit=4):
        seen += [d.position for d in page]
        after = page[-1].position
    assert seen == sorted(seen) and len(seen) == 21


def test_concurrent_writers_get_distinct_ordered_positions(log: ConflictLog) -> None:
    log.submit(registration())

    def write(n: int) -> None:
        for i in range(10):
            log.submit(ceasefire_call(summary=f"writer {n} call {i}"))

    run_in_threads(write)
    positions = [d.position for d in log.read(limit=1000)]
    assert len(positions) == 41 == len(set(positions))
    assert positions == sorted(positions)


def test_a_batch_whose_stored_commit_was_reported_failed_is_answered_from_the_log(log: ConflictLog) -> None:
    log.submit(registration())
    save = log.save
    calls: list[int] = []

    def save_then_lose_the_answer(*events: object, **kwargs: object) -> object:
        recordings = save(*events, **kwargs)
        calls.append(len(recordings))
        if len(calls) == 1:
            raise IntegrityError("the commit's answer was lost; a retry found the rows")
        return recordings

    log.save = save_then_lose_the_answer  # type: ignore[method-assign]
    receipts = log.submit_many([Submission(ceasefire_call(summary=f"call {n}")) for n in range(3)])
    assert calls == [3]  # stored once, by the first attempt
    assert [log.get(r.development.id).position for r in receipts] == [r.development.position for r in receipts]
    assert log.head() == 4


def test_append_many_says_which_items_this_call_stored_and_stores_a_repeat_once(log: ConflictLog) -> None:
    log.submit(registration())
    stored_before = Submission(ceasefire_call(summary="Stored before."), key="k-old")
    log.submit_many([stored_before])
    fresh = Submission(ceasefire_call(), key="k-new")
    created = log.append_many([fresh, stored_before, fresh])
    assert created == [True, False, False]
    assert log.head() == 3


def test_append_many_stores_nothing_of_a_batch_with_one_bad_item(log: ConflictLog) -> None:
    with pytest.raises(UnknownReference):
        log.append_many([Submission(registration()), Submission(ceasefire_call("nowhere"))])
    assert log.head() == 0
