"""Signed tree heads: C2SP notes on a schedule (every N developments, within an interval), once across processes."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.audit.keys import load_or_create_key
from events.audit.signing import HeadSigner, SignedHead, tick_for
from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.opening import open_log
from tests import merkle_reference as rfc
from tests.audit_helpers import REGISTRATION, statement

ROOT = Path(__file__).resolve().parents[2]


def signer_for(log: ConflictLog, tmp_path: Path, **options: object) -> HeadSigner:
    key = load_or_create_key(tmp_path / "key.pem")
    return HeadSigner(log.store, lambda: key, "news.example/log", **options)  # type: ignore[arg-type]


def test_a_head_is_signed_at_every_multiple_of_n_even_when_a_batch_jumps_over_several(
    log: ConflictLog, tmp_path: Path
) -> None:
    signer = signer_for(log, tmp_path, every=5)
    log.on_appended = signer.after_append
    log.submit(REGISTRATION)
    for n in range(1, 7):
        log.submit(statement(n))
    log.submit_many([Submission(statement(n)) for n in range(7, 23)])
    heads = [SignedHead.from_row(r) for r in log.store.note_rows()]
    assert [h.size for h in heads] == [5, 10, 15, 20]
    entries = [r.entry for r in log.store.entries(0, 100)]
    assert [h.root for h in heads] == [rfc.mth(entries[: h.size]) for h in heads]
    # each head is also the JSON checkpoint of the same position and chain hash, as before
    assert [row[0] for row in log.store.checkpoint_rows()] == [5, 10, 15, 20]


def test_a_head_is_a_c2sp_checkpoint_note_that_its_vkey_verifies(log: ConflictLog, tmp_path: Path) -> None:
    signer = signer_for(log, tmp_path, every=3)
    log.submit_many([Submission(REGISTRATION), Submission(statement(1)), Submission(statement(2))])
    (head,) = signer.sign_due()
    text, _, signature_line = head.note.partition("\n\n")
    assert text.split("\n") == ["news.example/log", "3", base64.b64encode(head.root).decode()]
    assert signature_line.startswith("\u2014 news.example/log ") and signature_line.endswith("\n")
    name, hex_id, key = head.vkey.split("+", 2)  # base64 may hold a plus sign; name and id do not
    public = base64.b64decode(key)
    assert (name, public[0], len(public)) == ("news.example/log", 1, 33)
    key_id = hashlib.sha256(b"news.example/log\n\x01" + public[1:]).digest()[:4]  # C2SP signed-note
    assert hex_id == key_id.hex()
    signed = base64.b64decode(signature_line.split(" ")[-1])
    assert signed[:4] == key_id
    Ed25519PublicKey.from_public_bytes(public[1:]).verify(signed[4:], (text + "\n").encode())


def test_an_unsigned_append_is_signed_once_it_has_waited_the_interval_and_not_before(
    log: ConflictLog, tmp_path: Path
) -> None:
    log.submit_many([Submission(REGISTRATION), Submission(statement(1))])
    now = [datetime.now(UTC)]  # just after the appends were recorded
    signer = signer_for(log, tmp_path, every=1000, interval=600, clock=lambda: now[0])
    assert signer.sign_due() == []
    now[0] += timedelta(seconds=599)
    assert signer.sign_due() == []
    assert [h.size for h in signer.sign_due(slack=1)] == [2]  # due within the caller's next look: signed now
    log.submit(statement(2))
    now[0] = datetime.now(UTC) + timedelta(seconds=300)
    assert signer.sign_due() == []
    now[0] += timedelta(seconds=301)
    assert [h.size for h in signer.sign_due()] == [3]
    assert signer.sign_due() == []  # nothing unsigned: nothing to sign however long it waits


def test_the_clock_of_a_process_is_often_enough_for_the_interval() -> None:
    assert tick_for(3600) == 60
    assert tick_for(1) == 0.1


#: the two processes' schedule: appends come faster than EVERY in INTERVAL, so both rules sign
EVERY, INTERVAL = 25, 0.3


def child(url: str, key_file: str, seconds: float) -> None:
    """One of two processes appending and signing at once (run by ``test_two_processes_...``)."""
    log = open_log(url, create_tables=False)
    key = load_or_create_key(Path(key_file))
    signer = HeadSigner(log.store, lambda: key, "news.example/log", every=EVERY, interval=INTERVAL)
    log.on_appended = signer.after_append
    deadline, n = time.monotonic() + seconds, 0
    try:
        while time.monotonic() < deadline:
            n += 1
            log.submit(statement(1000 * os.getpid() + n))
            signer.tick(0.05)
            time.sleep(0.01 * (n % 7))
    finally:
        log.close()
    print(json.dumps({"appended": n}))


def test_two_processes_signing_at_once_sign_every_due_head_once(
    log: ConflictLog, database_url: str, tmp_path: Path
) -> None:
    log.submit(REGISTRATION)
    load_or_create_key(tmp_path / "key.pem")
    command = [
        sys.executable,
        "-c",
        "import sys; from tests.integration.test_signing import child; child(*sys.argv[1:3], 3.0)",
    ]
    processes = [
        subprocess.Popen(
            [*command, database_url, str(tmp_path / "key.pem")], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    size = log.store.tree_size()
    assert size == 1 + sum(json.loads(o)["appended"] for o in outputs)
    heads = [SignedHead.from_row(r) for r in log.store.note_rows()]
    sizes = [h.size for h in heads]
    multiples = [s for s in sizes if s % EVERY == 0]
    assert multiples == list(range(EVERY, size + 1, EVERY))  # none missing (the table's key forbids a second)
    assert len(sizes) > len(multiples) + 2  # and the interval signed heads in between
    for before, head in zip([0, *sizes], heads, strict=False):
        if head.size % EVERY:  # an interval head: signed only once the first development after the last head waited
            first = datetime.fromisoformat(log.store.recorded_at_leaf(before).replace("Z", "+00:00"))  # type: ignore[union-attr]
            signed = datetime.fromisoformat(head.signed_at.replace("Z", "+00:00"))
            # signed_at is kept to the millisecond (truncated), the recorded time to the microsecond
            assert signed >= first + timedelta(seconds=INTERVAL - tick_for(INTERVAL) - 0.001)
    checkpoints = [row[0] for row in log.store.checkpoint_rows()]
    assert sorted(checkpoints) == sorted(h.position for h in heads)  # one JSON checkpoint a head, none twice


def test_the_projection_worker_signs_the_heads_due_as_it_follows_the_log(
    log: ConflictLog, database_url: str, tmp_path: Path
) -> None:
    import threading

    from projections.database import open_database
    from projections.store import ProjectionStore
    from service.cli.worker import Wakeups, follow

    log.submit_many([Submission(REGISTRATION), Submission(statement(1))])
    signer = signer_for(log, tmp_path, every=1000, interval=0.3)
    database = open_database(database_url)
    stop = threading.Event()
    try:
        database.create_tables()
        worker = threading.Thread(
            target=follow, args=(ProjectionStore(log, database), Wakeups(stop), stop, 5.0, signer)
        )
        worker.start()
        deadline = time.monotonic() + 30
        while not log.store.note_rows() and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        worker.join(timeout=30)
    finally:
        database.close()
    assert [SignedHead.from_row(r).size for r in log.store.note_rows()] == [2]
