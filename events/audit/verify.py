"""Verifying the log: recompute the chain from the stored events and meet every signed checkpoint."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from events.audit.checkpoints import Checkpoint, NoChain
from events.audit.signing import SignedHead, head_holds
from events.audit.walk import Break, Verdict, quick_walk, walk
from events.log.store import LogStore


@dataclass
class KeyUse:
    """A public key that signed stored checkpoints."""

    key_id: str
    public_key: str
    checkpoints: int = 0
    first_signed_at: str = ""
    last_signed_at: str = ""


@dataclass
class Report:
    """What ``verify_log`` found."""

    verdict: Verdict
    checkpoints: int = 0
    tree_heads: int = 0
    held: int = 0
    keys: list[KeyUse] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def rate(self) -> float:
        """Developments checked per second."""
        return self.verdict.developments / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "ok": v.ok,
            "head": v.head,
            "head_hash": v.head_hash,
            "developments": v.developments,
            "checkpoints": self.checkpoints,
            "checkpoints_matched": v.anchors,
            "tree_heads": self.tree_heads,
            "tree_heads_matched": v.tree_anchors,
            "held_checkpoints": self.held,
            "break": v.broken.as_dict() if v.broken else None,
            "keys": [k.__dict__ for k in self.keys],
            "seconds": round(self.seconds, 3),
        }


def verify_log(store: LogStore, held: Sequence[Checkpoint] = ()) -> Report:
    """Recompute the chain of the stored events and check it against every signed checkpoint.

    ``held`` are checkpoints an auditor kept (their signatures already checked
    by ``Checkpoint.from_dict``): the log must still contain their (position, hash).
    """
    started = time.perf_counter()
    if not store.has_chain():
        raise NoChain()
    stored = [Checkpoint.from_row(r) for r in store.checkpoint_rows()]
    heads = [SignedHead.from_row(r) for r in store.note_rows()]
    report = Report(Verdict(), checkpoints=len(stored), tree_heads=len(heads), held=len(held), keys=_keys(stored))
    forged = next((c for c in stored if not c.signature_holds()), None)
    if forged is not None:
        report.verdict.broken = Break(
            forged.position,
            "altered",
            f"the checkpoint of position {forged.position} signed at {forged.signed_at} does not verify "
            f"with the public key it records ({forged.key_id})",
        )
        report.seconds = time.perf_counter() - started
        return report
    forged_head = next((h for h in heads if not head_holds(h)), None)
    if forged_head is not None:
        report.verdict.broken = Break(
            forged_head.position,
            "altered",
            f"the tree head of {forged_head.size} developments signed at {forged_head.signed_at} does not verify "
            f"with the key it records ({forged_head.vkey})",
        )
        report.seconds = time.perf_counter() - started
        return report
    anchors = [c.anchor() for c in stored] + [c.anchor("the checkpoint you hold") for c in held]
    tree_anchors = [h.anchor() for h in heads]
    stop = store.walk_bound()
    quick = quick_walk(store.stream_joined(stop), anchors, tree_anchors)
    if quick is not None and quick.head == stop:  # else a link lies beyond the last event
        report.verdict = quick
    else:
        report.verdict = walk(store.stream_rows(stop), store.stream_links(stop), anchors, store, tree_anchors)
    report.seconds = time.perf_counter() - started
    return report


def key_uses(store: LogStore) -> list[KeyUse]:
    """Every public key that signed stored checkpoints, oldest first."""
    return _keys([Checkpoint.from_row(r) for r in store.checkpoint_rows()])


def _keys(checkpoints: Sequence[Checkpoint]) -> list[KeyUse]:
    keys: dict[str, KeyUse] = {}
    for c in sorted(checkpoints, key=lambda c: c.signed_at):
        use = keys.setdefault(c.key_id, KeyUse(c.key_id, c.public_key, first_signed_at=c.signed_at))
        use.checkpoints += 1
        use.last_signed_at = c.signed_at
    return list(keys.values())
