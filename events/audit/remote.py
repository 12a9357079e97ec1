"""Verifying a running service from its public answers alone: ``conflict-status verify --remote``.

From the service's verifier key, its latest signed checkpoint, its entries and
its proofs (``Source``), and optionally a checkpoint the auditor kept:

1. the checkpoint's signature must hold under the key (and the kept one's too:
   the same log, no smaller, and the same root at the same size);
2. the entries after the kept tree (all of them without one) are fetched:
   leaf indexes without a gap, each entry's own position the one served;
3. their leaf hashes must make the signed tree: the whole root without a kept
   checkpoint; with one, each part of the consistency proof that covers only
   new leaves must be the hash of those leaves, and the proof must lead from
   the kept root to the new one, so the new entries are proven to be the
   signed tree's and the kept tree a prefix of it;
4. the entries must chain: each ``prev_hash`` the SHA-256 of the entry before
   (the kept tree's last entry is fetched and proven included to link to).

Where the leaves and the signed tree differ, the first differing leaf is
found by descending the tree with inclusion proofs (two a level), so the
report names the position and how it breaks.  Network access is the caller's
(``service.cli.remote``): this module only checks.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from events.audit.notes import NoteError, TreeHead, VerifierKey, read_checkpoint
from events.audit.proof_check import consistency_holds, inclusion_holds
from events.log.chain import GENESIS
from events.log.merkle import consistency_ranges, inclusion_ranges, leaf_hash, node_hash, root_of, split
from events.vocabulary.errors import DomainError

#: entries asked for in one request
PAGE = 10_000


class Unverifiable(DomainError):
    """The answers needed cannot be had or read: the verifier cannot tell (exit 2)."""


@dataclass(frozen=True)
class Served:
    """One entry as the service serves it."""

    position: int
    leaf: int
    entry: bytes


class Source(Protocol):
    """The service's public answers (``service.cli.remote.HttpSource`` over HTTP)."""

    def key(self) -> str:
        """GET /v1/audit/key."""

    def checkpoint(self) -> str:
        """GET /v1/audit/checkpoint."""

    def entries(self, leaf: int, limit: int) -> list[Served]:
        """GET /v1/audit/entries?leaf=...&limit=..."""

    def inclusion(self, position: int, size: int) -> list[bytes]:
        """GET /v1/audit/proof/inclusion: the proof's hashes."""

    def consistency(self, old: int, new: int) -> list[bytes]:
        """GET /v1/audit/proof/consistency: the proof's hashes."""


@dataclass(frozen=True)
class RemoteBreak:
    """Where and how the service's answers stop holding together."""

    kind: str  # signature, shrunk, forked, rewritten, missing, moved, altered, unchained, inconsistent
    detail: str
    leaf: int | None = None
    position: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "leaf": self.leaf, "position": self.position, "detail": self.detail}


@dataclass
class RemoteReport:
    """What a remote verification found."""

    origin: str = ""
    tree_size: int = 0
    root: bytes = b""
    since: int = 0
    checked: int = 0
    seconds: float = 0.0
    checkpoint: str = ""
    broken: RemoteBreak | None = None
    requests: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "since": self.since,
            "entries_checked": self.checked,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "break": self.broken.as_dict() if self.broken else None,
            "checkpoint": self.checkpoint,
        }


def verify_remote(source: Source, kept: str | None = None) -> RemoteReport:
    """Check the service behind ``source`` (see the module's docstring); ``kept`` is a checkpoint note kept earlier."""
    started = time.perf_counter()
    report = RemoteReport()
    counted = _Counting(source, report)
    try:
        _verify(counted, kept, report)
    finally:
        report.seconds = time.perf_counter() - started
    return report


def _verify(source: _Counting, kept: str | None, report: RemoteReport) -> None:
    try:
        key = VerifierKey.parse(source.key())
    except NoteError as e:
        raise Unverifiable(f"the service's verifier key cannot be read: {e}") from None
    note = source.checkpoint()
    try:
        head = read_checkpoint(note, key)
    except NoteError as e:
        report.broken = RemoteBreak("signature", f"the service's latest checkpoint does not hold: {e}")
        return
    report.origin, report.tree_size, report.root, report.checkpoint = head.origin, head.size, head.root, note
    old = _kept_head(kept, key, head) if kept is not None else None
    if old is not None:
        report.since = old.size
        report.broken = _compare_heads(old, head)
        if report.broken is not None or old.size == head.size:
            return
    since = old.size if old is not None else 0
    served = _fetch(source, max(since - 1, 0), head.size)
    report.checked = len(served) - (1 if since else 0)
    report.broken = _leaves_in_order(served, max(since - 1, 0), head.size)
    if report.broken is not None:
        return
    new = served[1:] if since else served
    leaves = [leaf_hash(s.entry) for s in new]
    report.broken = (
        _new_part_of_signed_tree(source, old, head, new, leaves)
        if old is not None
        else _whole_signed_tree(source, head, new, leaves)
    )
    if report.broken is None and since:
        report.broken = _boundary_included(source, served[0], old)
    if report.broken is None:
        report.broken = _chained(served, start_from_genesis=not since)


def _kept_head(kept: str, key: VerifierKey, head: TreeHead) -> TreeHead:
    try:
        old = read_checkpoint(kept, key)
    except NoteError as e:
        raise Unverifiable(
            f"the checkpoint you kept does not verify with the service's key {key.name}+{key.key_id.hex()} "
            f"(a new key after a lost one, or another log): {e}"
        ) from None
    if old.origin != head.origin:
        raise Unverifiable(f"the checkpoint you kept is of the log {old.origin!r}, the service's of {head.origin!r}")
    return old


def _compare_heads(old: TreeHead, head: TreeHead) -> RemoteBreak | None:
    if old.size > head.size:
        return RemoteBreak(
            "shrunk",
            f"the checkpoint you kept has {old.size} leaves; the service's latest has only {head.size}: "
            "the log lost developments",
        )
    if old.size == head.size and old.root != head.root:
        return RemoteBreak(
            "forked",
            f"the service signed two different trees of {head.size} leaves: yours and its latest",
        )
    return None


class _Counting:
    """The source, counting requests into the report."""

    def __init__(self, source: Source, report: RemoteReport) -> None:
        self.source, self.report = source, report

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.source, name)

        def counted(*args: Any) -> Any:
            self.report.requests += 1
            return method(*args)

        return counted


def _fetch(source: _Counting, first: int, size: int) -> list[Served]:
    """Entries of leaves ``first`` to ``size - 1``, page by page (fewer when some are not served)."""
    served: list[Served] = []
    leaf = first
    while leaf < size:
        page = [s for s in source.entries(leaf, min(PAGE, size - leaf)) if s.leaf < size]
        if not page:
            break
        served += page
        leaf = page[-1].leaf + 1
    return served


def _leaves_in_order(served: Sequence[Served], first: int, size: int) -> RemoteBreak | None:
    """Every leaf from ``first`` to ``size - 1`` served once, in order, at the position its entry names."""
    expected, before = first, None
    for s in served:
        if s.leaf != expected:
            return RemoteBreak(
                "missing",
                f"leaf {expected} is not served (the entries go from position {before} to {s.position}): "
                "the development there was removed",
                expected,
                before,
            )
        named = _entry_fields(s.entry).get("position")
        if named != s.position:
            return RemoteBreak(
                "moved",
                f"the entry served at position {s.position} (leaf {s.leaf}) was chained at position {named}",
                s.leaf,
                s.position,
            )
        expected, before = expected + 1, s.position
    if expected < size:
        return RemoteBreak("missing", f"leaves {expected} to {size - 1} are not served", expected, before)
    return None


def _whole_signed_tree(source: _Counting, head: TreeHead, new: list[Served], leaves: list[bytes]) -> RemoteBreak | None:
    """All the leaves make the signed root, or the first leaf that differs."""
    if root_of(leaves) == head.root:
        return None
    return _first_difference(source, head, new, leaves, 0, head.size, head.root)


def _new_part_of_signed_tree(
    source: _Counting, old: TreeHead, head: TreeHead, new: list[Served], leaves: list[bytes]
) -> RemoteBreak | None:
    """The new leaves are the signed tree's, and the kept tree a prefix of it (see the module's docstring)."""
    proof = source.consistency(old.size, head.size)
    ranges = consistency_ranges(old.size, head.size)
    if len(proof) != len(ranges):
        return RemoteBreak("inconsistent", f"the consistency proof from {old.size} to {head.size} is malformed")
    for (start, end), claimed in zip(ranges, proof, strict=True):
        if start >= old.size:
            own = root_of(leaves[start - old.size : end - old.size])
            if own != claimed:
                return _first_difference(source, head, new, leaves, start, end, claimed, offset=old.size)
    if not consistency_holds(old.size, head.size, old.root, head.root, proof):
        return RemoteBreak(
            "rewritten",
            f"the log's first {old.size} leaves no longer make the tree of the checkpoint you kept: "
            "the log was rewritten before it grew",
        )
    return None


def _first_difference(
    source: _Counting,
    head: TreeHead,
    new: list[Served],
    leaves: list[bytes],
    start: int,
    end: int,
    claimed: bytes,
    offset: int = 0,
) -> RemoteBreak:
    """The first leaf of ``start..end-1`` whose entry differs from the signed tree's, found with inclusion proofs.

    ``claimed`` is the signed tree's hash of the range.  Each step splits the
    range as RFC 9162 does and asks for the two halves' hashes as siblings in
    the inclusion proofs of a leaf of each half.
    """

    def own(a: int, b: int) -> bytes:
        return root_of(leaves[a - offset : b - offset])

    def sibling(leaf: int, of: tuple[int, int]) -> bytes | None:
        proof = source.inclusion(new[leaf - offset].position, head.size)
        ranges = inclusion_ranges(leaf, head.size)
        return proof[ranges.index(of)] if of in ranges and len(proof) == len(ranges) else None

    while end - start > 1:
        k = start + split(end - start)
        left, right = sibling(k, (start, k)), sibling(start, (k, end))
        if left is None or right is None or node_hash(left, right) != claimed:
            return RemoteBreak(
                "inconsistent",
                f"the service's proofs contradict its signed checkpoint for leaves {start} to {end - 1}",
                start,
                new[start - offset].position,
            )
        if own(start, k) != left:
            end, claimed = k, left
        else:
            start, claimed = k, right
    s = new[start - offset]
    return RemoteBreak(
        "altered",
        f"the entry served at position {s.position} (leaf {s.leaf}) is not the one the signed checkpoint holds",
        s.leaf,
        s.position,
    )


def _boundary_included(source: _Counting, last_kept: Served, old: TreeHead | None) -> RemoteBreak | None:
    """The kept tree's last entry, which the first new one links to, is that tree's."""
    assert old is not None
    proof = source.inclusion(last_kept.position, old.size)
    if inclusion_holds(last_kept.leaf, old.size, leaf_hash(last_kept.entry), proof, old.root):
        return None
    return RemoteBreak(
        "altered",
        f"the entry served at position {last_kept.position} (leaf {last_kept.leaf}), the last of the checkpoint "
        "you kept, is not the one that checkpoint holds",
        last_kept.leaf,
        last_kept.position,
    )


def _chained(served: Sequence[Served], *, start_from_genesis: bool) -> RemoteBreak | None:
    """Each entry names the SHA-256 of the entry before it as its ``prev_hash``."""
    previous = GENESIS if start_from_genesis else None
    for s in served:
        prev = _entry_fields(s.entry).get("prev_hash")
        if previous is not None and prev != previous:
            return RemoteBreak(
                "unchained",
                f"the entry at position {s.position} (leaf {s.leaf}) follows the hash {prev}, but the entry before "
                f"it hashes to {previous}: the signed tree holds a broken chain",
                s.leaf,
                s.position,
            )
        previous = hashlib.sha256(s.entry).hexdigest()
    return None


def _entry_fields(entry: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(entry)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
