"""Signing tree heads on a schedule, exactly once across processes.

The schedule: a head is signed at every tree size that is a multiple of
``every`` (the root of a past size is as cheap as the current one, so a batch
that jumps over several multiples gets each), and the current head is signed
once the oldest development no signed head covers has waited ``interval``
seconds.  Any process may call ``sign_due`` (serving processes after appends
and on a clock, the projection worker in its loop): each call takes the
signers' turn (``LogStore.signing_turn``), reads the latest signed head and
signs what is still due, so two processes never sign the same head, nor two
interval heads for one wait.

A signed head is kept twice: as a C2SP signed note (``events.audit.notes``),
and as the JSON checkpoint of the same position and chain hash
(``events.audit.checkpoints``) that earlier versions signed.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from events.audit.checkpoints import Checkpoint, Checkpointer, now_iso
from events.audit.keys import SigningKey
from events.audit.notes import NoteError, TreeHead, VerifierKey, read_checkpoint, sign, verifier_of
from events.audit.tree_meter import TreeAnchor
from events.log.merkle import fold
from events.log.store import LogStore
from events.vocabulary.errors import DomainError

log = logging.getLogger("conflict_status.checkpoints")

#: heads one call signs at most (a huge import with a small ``every`` is signed over several calls)
MOST_PER_CALL = 1000


@dataclass(frozen=True)
class SignedHead:
    """A tree head as stored: its size, the position of its last leaf, its root, and its signed note."""

    size: int
    position: int
    root: bytes
    signed_at: str
    key_id: str  # the note's 4-byte key id, in hex
    vkey: str
    note: str

    def columns(self) -> tuple[int, int, str, str, str, str, str]:
        return (
            self.size,
            self.position,
            base64.b64encode(self.root).decode(),
            self.signed_at,
            self.key_id,
            self.vkey,
            self.note,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> SignedHead:
        return cls(int(row[0]), int(row[1]), base64.b64decode(row[2]), row[3], row[4], row[5], row[6])

    def anchor(self) -> TreeAnchor:
        return TreeAnchor(
            self.size, self.root, self.position, f"the tree head signed at {self.signed_at} by key {self.vkey}"
        )


def head_holds(head: SignedHead) -> bool:
    """Whether the stored head's note is signed by the key it records and states its size and root."""
    try:
        stated = read_checkpoint(head.note, VerifierKey.parse(head.vkey))
    except NoteError:
        return False
    return (stated.size, stated.root) == (head.size, head.root)


class NoSignedHead(DomainError):
    """No tree head has been signed yet (an empty log, or one younger than its first due head)."""

    def __str__(self) -> str:
        return "no tree head has been signed yet: the log is empty, or its first head is not due yet"


def tick_for(interval: float) -> float:
    """How often a clock looks for due heads: often enough that an interval head is never late."""
    return max(0.05, min(60.0, interval / 10))


@dataclass
class HeadSigner:
    """Signs the heads the schedule makes due (see the module's docstring)."""

    store: LogStore
    key: Callable[[], SigningKey]
    origin: str
    every: int = 1000
    interval: float = 3600.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _signed_multiple: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sign_due(self, slack: float = 0.0) -> list[SignedHead]:
        """Sign every head due now; the new ones.

        ``slack`` is how long until the caller looks again: an interval head
        due within it is signed now, so that none is late.
        """
        with self._lock, self.store.signing_turn() as cursor:
            latest = self.store.latest_note_row(cursor)
            signed = int(latest[0]) if latest else 0
            size = self.store.tree_size()
            due = list(range((signed // self.every + 1) * self.every, size + 1, self.every))[:MOST_PER_CALL]
            last = due[-1] if due else signed
            if size > last and len(due) < MOST_PER_CALL and self._waited(last, slack):
                due.append(size)
            made = [self._sign(cursor, s) for s in due]
        if made:
            self._signed_multiple = made[-1].size // self.every
            log.info("signed tree heads of sizes %s", ", ".join(str(h.size) for h in made))
        elif self._signed_multiple is None:
            self._signed_multiple = signed // self.every
        return made

    def sign_head_now(self) -> tuple[Checkpoint, bool]:
        """Sign the log as it is now, on request: its tree head and the JSON checkpoint of its head.

        Answers the JSON checkpoint of the chain's head by the current key, and
        whether this call signed anything; a tree head already signed at this
        size is not signed again.
        """
        made = None
        with self._lock, self.store.signing_turn() as cursor:
            size = self.store.tree_size()
            latest = self.store.latest_note_row(cursor)
            if size > (int(latest[0]) if latest else 0):
                made = self._sign(cursor, size)
        checkpoint, created = Checkpointer(self.store, self.key).sign_head()  # the one just made, if any
        return checkpoint, created or made is not None

    def after_append(self, head: int) -> None:
        """After an append in this process: sign when the tree passed a multiple of ``every``.

        Needs no read: the tree's size comes from the append itself.  The
        development is stored whatever happens here: a failure is logged and
        the next append or the clock tries again.
        """
        size = self.store.recent_links.tree_size
        if self._signed_multiple is not None and size // self.every <= self._signed_multiple:
            return
        try:
            self.sign_due()
        except Exception:
            log.exception("could not sign a tree head after position %d; the next append tries again", head)

    def tick(self, slack: float) -> None:
        """What a clock calls: sign whatever is due, logging a failure instead of raising it."""
        try:
            self.sign_due(slack)
        except Exception:
            log.exception("could not sign the tree heads due; the next tick tries again")

    def latest(self) -> SignedHead | None:
        row = self.store.latest_note_row()
        return SignedHead.from_row(row) if row else None

    def latest_signed(self) -> SignedHead:
        """The latest signed head, or ``NoSignedHead``."""
        latest = self.latest()
        if latest is None:
            raise NoSignedHead()
        return latest

    def verifier_key(self) -> str:
        """The key that signs heads now, in C2SP vkey form (its name is the origin)."""
        return verifier_of(self.origin, self.key().private).vkey

    def _waited(self, signed: int, slack: float) -> bool:
        """Whether the first development after ``signed`` leaves has waited ``interval`` (less ``slack``)."""
        recorded = self.store.recorded_at_leaf(signed)
        if recorded is None:
            return True
        since = datetime.fromisoformat(recorded.replace("Z", "+00:00"))
        return self.clock() >= since + timedelta(seconds=self.interval - slack)

    def _sign(self, cursor: Any, size: int) -> SignedHead:
        """Sign the head of ``size`` leaves, as a note and as a JSON checkpoint, with the turn's cursor."""
        key = self.key()
        root = fold(self.store.root_hashes(size))
        position = self.store.leaf_positions([size - 1])[size - 1]
        verifier = verifier_of(self.origin, key.private)
        note = sign(TreeHead(self.origin, size, root).text(), self.origin, key.private)
        head = SignedHead(size, position, root, now_iso(), verifier.key_id.hex(), verifier.vkey, note)
        self.store.insert_note(cursor, head.columns())
        link = self.store.links_between(position, position)[position]
        checkpoint = Checkpoint.signed(key, position, link.hash, head.signed_at)
        self.store.insert_checkpoint(checkpoint.columns(), cursor)
        return head
