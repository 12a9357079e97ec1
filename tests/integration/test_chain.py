"""The hash chain: canonical bytes, links written with the events, and concurrent writers."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import uuid
from datetime import UTC
from typing import Any

import pytest
import rfc8785
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, UUIDAsHex
from hypothesis import given, settings
from hypothesis import strategies as st

from events.audit.verify import verify_log
from events.audit.walk import quick_walk, walk
from events.log.application import ConflictLog
from events.log.chain import GENESIS, CanonicalJSONTranscoder, Link, canonical_json, entry_bytes
from events.log.development import Development
from events.log.opening import open_log
from events.log.recent_links import RecentLinks
from events.vocabulary.validation import check_development, sorted_json
from tests.audit_helpers import REGISTRATION, Database, fill, statement
from tests.conftest import run_in_threads

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@given(JSON)
def test_canonical_json_writes_exactly_what_rfc8785_writes(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception as refused:
        with pytest.raises(type(refused)):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


@settings(max_examples=2000)
@given(
    st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-180, max_value=180).map(lambda x: round(x, 4))
)
def test_canonical_json_writes_every_float_as_rfc8785_writes_it(value: float) -> None:
    assert canonical_json({"lat": value, "list": [value]}) == rfc8785.dumps({"lat": value, "list": [value]})


ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)))  # bodies with lone surrogates are refused
WHOLE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=12,
)


@given(WHOLE_JSON)
def test_digests_hash_exactly_what_the_standard_sorted_encoder_writes(value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert sorted_json(value) == expected


@given(st.dictionaries(st.text(max_size=6), JSON | st.datetimes(timezones=st.just(UTC)) | st.uuids(), max_size=6))
def test_the_log_stores_what_rfc8785_writes_for_an_event_with_custom_types(state: dict[str, Any]) -> None:
    canonical, plain = CanonicalJSONTranscoder(), JSONTranscoder()
    for transcoder in (canonical, plain):
        transcoder.register(DatetimeAsISO())
        transcoder.register(UUIDAsHex())
    try:
        expected = rfc8785.dumps(json.loads(plain.encode(state)))
    except Exception as refused:
        with pytest.raises(type(refused)):
            canonical.encode(state)
        return
    assert canonical.encode(state) == expected


def test_numbers_are_stored_as_rfc8785_writes_them() -> None:
    transcoder = CanonicalJSONTranscoder()
    stored = transcoder.encode({"whole": 2.0, "tenth": 0.1, "big": 1e21, "small": 1e-7})
    assert stored == b'{"big":1e+21,"small":1e-7,"tenth":0.1,"whole":2}'
    assert transcoder.decode(stored)["whole"] == 2  # a whole float reads back as an int


def test_keys_outside_the_basic_multilingual_plane_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2}  # U+1F600 sorts before U+FB01 in UTF-16, after it by code point
    assert canonical_json(value) == rfc8785.dumps(value) == '{"😀":1,"ﬁ":2}'.encode()


def test_stored_events_are_rfc8785_bytes_and_each_hash_covers_its_entry(log: ConflictLog) -> None:
    fill(log, 5)
    developments = log.read(limit=10)
    previous = GENESIS
    for development, note in zip(developments, log.recorder.select_notifications(1, 10), strict=True):
        assert rfc8785.dumps(json.loads(note.state)) == note.state
        entry = {
            "id": development.id,
            "position": development.position,
            "prev_hash": previous,
            "state": json.loads(note.state),
            "topic": note.topic,
            "version": note.originator_version,
        }
        raw = entry_bytes(
            development.position, development.id, note.originator_version, note.topic, note.state, previous
        )
        assert raw == rfc8785.dumps(entry)
        assert development.prev_hash == previous
        assert development.hash == hashlib.sha256(raw).hexdigest()
        previous = development.hash


def test_receipts_single_reads_and_pages_carry_the_same_hashes(log: ConflictLog) -> None:
    log.submit(REGISTRATION)
    receipt = log.submit(statement(1))
    assert receipt.development.hash and receipt.development.prev_hash
    assert log.get(receipt.development.id).hash == receipt.development.hash
    page = log.read(after=1, limit=1)
    assert (page[0].hash, page[0].prev_hash) == (receipt.development.hash, receipt.development.prev_hash)
    assert log.read(actor="FRA", limit=5)[0].hash == receipt.development.hash


def test_a_failed_insert_leaves_neither_event_nor_link_and_the_chain_goes_on(log: ConflictLog) -> None:
    fill(log, 3)
    taken = log.read(after=1, limit=1)[0]
    duplicate = Development.recorded(check_development(statement(99)), uuid.UUID(taken.id))
    with pytest.raises(Exception, match=r"(?i)integrity|unique|duplicate"):
        log.save(duplicate)
    log.submit(statement(100))
    report = verify_log(log.store)
    assert report.ok, report.verdict.broken
    assert report.verdict.developments == 4


def test_receipts_of_concurrent_writers_carry_the_hashes_the_chain_stored(log: ConflictLog) -> None:
    log.submit(REGISTRATION)
    receipts: list[Any] = []

    def write(n: int) -> None:
        receipts.extend(log.submit(statement(100 * n + i)) for i in range(10))

    run_in_threads(write)
    stored = log.store.links_between(1, log.head())
    assert len(receipts) == 40
    for receipt in receipts:
        link = stored[receipt.development.position]
        assert (receipt.development.hash, receipt.development.prev_hash) == (link.hash, link.prev_hash)


def test_links_of_a_failed_insert_are_never_handed_out(log: ConflictLog) -> None:
    fill(log, 2)
    head = log.head()
    fresh = Development.recorded(check_development(statement(98)), uuid.uuid4())
    registered_again = Development.recorded(check_development(REGISTRATION), uuid.uuid4())
    with pytest.raises(Exception, match=r"(?i)integrity|unique|duplicate"):
        log.save(fresh, registered_again)  # both inserted and chained; the registry row fails; all rolled back
    assert log.head() == head
    assert log.store.recent_links.get(range(head + 1, head + 10)) == {}
    receipt = log.submit(statement(100))
    assert receipt.development.hash == log.store.links_between(log.head(), log.head())[log.head()].hash


def test_concurrent_writers_leave_one_unbroken_chain(log: ConflictLog) -> None:
    log.submit(REGISTRATION)

    def write(n: int) -> None:
        for i in range(10):
            log.submit(statement(100 * n + i))

    run_in_threads(write)
    report = verify_log(log.store)
    assert report.ok, report.verdict.broken
    assert report.verdict.developments == 41


def _write_in_a_process(url: str, n: int) -> None:
    log = open_log(url, create_tables=False)
    try:
        for i in range(15):
            log.submit(statement(1000 * n + i))
    finally:
        log.close()


def test_writers_in_separate_processes_leave_one_unbroken_chain(log: ConflictLog, database_url: str) -> None:
    log.submit(REGISTRATION)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_in_a_process, args=(database_url, n)) for n in range(3)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(120)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    report = verify_log(log.store)
    assert report.ok, report.verdict.broken
    assert report.verdict.developments == 46


def test_a_log_written_before_the_chain_is_chained_by_its_next_append(log: ConflictLog, database_url: str) -> None:
    fill(log, 4)
    Database(database_url).run(  # as a database written before the chain (and the tree) existed
        ("DELETE FROM {chain}", ()), ("DELETE FROM {leaves}", ()), ("DELETE FROM {nodes}", ())
    )
    log.submit(statement(50))
    report = verify_log(log.store)
    assert report.ok, report.verdict.broken
    assert [d.prev_hash for d in log.read(limit=1)] == [GENESIS]
    assert report.verdict.developments == 5


def test_the_quick_walk_of_an_intact_log_agrees_with_the_full_walk(log: ConflictLog, tmp_path: Any) -> None:
    fill(log, 12)
    chain = log.store
    stop = chain.walk_bound()
    quick = quick_walk(chain.stream_joined(stop, page=5), [])
    full = walk(chain.stream_rows(stop, page=5), chain.stream_links(stop, page=5), [], chain)
    assert quick is not None and full.ok
    assert (
        (quick.head, quick.developments, quick.head_hash)
        == (full.head, full.developments, full.head_hash)
        == (
            12,
            12,
            log.read(after=11, limit=1)[0].hash,
        )
    )


def test_recent_links_keep_only_the_newest() -> None:
    recent = RecentLinks(keep=3)
    for position in range(1, 6):
        recent.stage([Link(position, "id", f"h{position}", "p")])
        recent.publish()
    assert sorted(recent.get(range(10))) == [3, 4, 5]
