"""Walking the chain: recompute it from the stored events and say where and how it breaks.

``quick_walk`` answers for an intact log in one pass over events joined with
their links; ``walk`` compares the recomputed chain with the stored links and
with signed checkpoints (``Anchor``), and names the first position that breaks
and how: altered, missing, inserted or reordered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from events.audit.tree_meter import TreeAnchor, TreeMeter
from events.log.chain import GENESIS, Joined, Link, StoredRow, entry_bytes, entry_hash

BreakKind = Literal["altered", "missing", "inserted", "reordered"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (position, hash) the chain must contain: a signed checkpoint whose signature holds."""

    position: int
    hash: str
    label: str  # "the checkpoint signed at ... by key ..."


@dataclass(frozen=True, slots=True)
class Break:
    """Where and how the log stops matching its chain or a checkpoint."""

    position: int
    kind: BreakKind
    detail: str
    development: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "kind": self.kind, "detail": self.detail, "development": self.development}


@dataclass
class Verdict:
    """The outcome of a walk: ok, or the first break."""

    head: int = 0
    developments: int = 0
    anchors: int = 0
    tree_anchors: int = 0
    head_hash: str = GENESIS
    broken: Break | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None


class Lookups(Protocol):
    """Where the walk looks, only once something is wrong, to say how it went wrong (the log's store)."""

    def link_position(self, ident: str) -> int | None:
        """The position at which the chain recorded the event of ``ident``."""

    def stored_position(self, ident: str) -> int | None:
        """The position at which the event of ``ident`` is stored now."""


def quick_walk(
    rows: Iterable[Joined], anchors: Sequence[Anchor], tree_anchors: Sequence[TreeAnchor] = ()
) -> Verdict | None:
    """The verdict of an intact log, in one pass over stored events joined with their links.

    Answers None at the first doubt (a link that disagrees or is missing, an
    anchor or a signed tree head not met): ``walk`` then finds where and how
    the log breaks.
    """
    meter = TreeMeter(tree_anchors)
    pending = sorted(anchors, key=lambda a: a.position)
    met, next_anchor = 0, pending[0].position if pending else None
    running, count, head = GENESIS, 0, 0
    sha256 = hashlib.sha256
    for position, ident, version, topic, state, link_id, link_hash, link_prev in rows:
        if link_prev != running or link_id != ident:
            return None
        entry = entry_bytes(position, ident, version, topic, state, running)
        running = sha256(entry).hexdigest()
        if running != link_hash:
            return None
        if count < meter.limit and meter.add(entry) is not None:
            return None
        count, head = count + 1, position
        while next_anchor is not None and next_anchor <= position:
            if next_anchor < position or pending[met].hash != running:
                return None
            met += 1
            next_anchor = pending[met].position if met < len(pending) else None
    if next_anchor is not None or meter.unmet() is not None:
        return None
    return Verdict(head=head, developments=count, anchors=met, head_hash=running, tree_anchors=meter.met)


def walk(
    rows: Iterable[StoredRow],
    links: Iterable[Link],
    anchors: Sequence[Anchor],
    lookups: Lookups,
    tree_anchors: Sequence[TreeAnchor] = (),
) -> Verdict:
    """Recompute the chain over ``rows`` and compare it with ``links``, ``anchors`` and signed tree heads.

    ``rows`` and ``links`` are in position order (each may be a streaming
    generator).  Stops at the first break.
    """
    verdict = Verdict()
    meter = TreeMeter(tree_anchors)
    pending = sorted(anchors, key=lambda a: a.position)
    next_anchor = 0
    running = GENESIS  # hash of the last intact entry
    before_running = GENESIS  # hash of the one before it
    last_good = 0
    for row, link in _merge(iter(rows), iter(links)):
        position = row.position if row is not None else link.position  # type: ignore[union-attr]
        if next_anchor < len(pending) and pending[next_anchor].position < position:
            verdict.broken = _anchor_skipped(pending[next_anchor], last_good)
            return verdict
        found = _check(row, link, running, before_running, last_good, lookups)
        if isinstance(found, Break):
            verdict.broken = found
            return verdict
        assert row is not None  # an intact entry has its row
        missed = meter.add(entry_bytes(row.position, row.id, row.version, row.topic, row.state, running))
        if missed is not None:
            verdict.broken = _tree_rewritten(missed, position, row.id)
            return verdict
        verdict.tree_anchors = meter.met
        before_running, running, last_good = running, found, position
        verdict.developments += 1
        verdict.head, verdict.head_hash = position, running
        while next_anchor < len(pending) and pending[next_anchor].position == position:
            anchor = pending[next_anchor]
            if anchor.hash != running:
                verdict.broken = Break(
                    position,
                    "altered",
                    f"the chain at position {position} no longer matches {anchor.label}: the log was rewritten "
                    f"at or before position {position}, after the last matching checkpoint",
                    row.id if row else None,
                )
                return verdict
            verdict.anchors += 1
            next_anchor += 1
    if next_anchor < len(pending):
        verdict.broken = _anchor_skipped(pending[next_anchor], last_good)
    elif (unmet := meter.unmet()) is not None:
        verdict.broken = Break(
            unmet.position,
            "missing",
            f"{unmet.label} covers {unmet.size} developments (up to position {unmet.position}); "
            f"the log holds {meter.size} intact (the last intact position is {last_good})",
        )
    return verdict


def _tree_rewritten(anchor: TreeAnchor, position: int, development: str) -> Break:
    return Break(
        position,
        "altered",
        f"the first {anchor.size} developments (up to position {position}) no longer make the tree of "
        f"{anchor.label}: the log was rewritten at or before position {position}",
        development,
    )


def _merge(rows: Iterator[StoredRow], links: Iterator[Link]) -> Iterator[tuple[StoredRow | None, Link | None]]:
    """Pairs of (stored row, link) by position; either is None where only the other exists."""
    row = next(rows, None)
    link = next(links, None)
    while row is not None or link is not None:
        if link is None or (row is not None and row.position < link.position):
            yield row, None
            row = next(rows, None)
        elif row is None or link.position < row.position:
            yield None, link
            link = next(links, None)
        else:
            yield row, link
            row, link = next(rows, None), next(links, None)


def _check(
    row: StoredRow | None, link: Link | None, running: str, before: str, last_good: int, lookups: Lookups
) -> str | Break:
    """The entry's hash when the row and its link agree with the chain so far, else the break."""
    if row is None:
        assert link is not None
        return _link_without_row(link, lookups)
    if link is None:
        return _row_without_link(row, lookups)
    digest = entry_hash(row.position, row.id, row.version, row.topic, row.state, running)
    if digest == link.hash and link.prev_hash == running and link.id == row.id:
        return digest
    if link.id != row.id:
        return _other_development(row, link, lookups)
    if link.prev_hash != running:
        return _chain_cut(row, link, before, last_good)
    if digest != link.hash:
        return Break(
            row.position,
            "altered",
            f"development {row.id} at position {row.position} differs from what was chained",
            row.id,
        )
    return Break(row.position, "altered", f"the chain row at position {row.position} was altered", row.id)


def _link_without_row(link: Link, lookups: Lookups) -> Break:
    """The chain names a development at a position that holds none: it moved, or it is gone."""
    moved = lookups.stored_position(link.id)
    if moved is not None:
        return Break(
            link.position,
            "reordered",
            f"development {link.id}, chained at position {link.position}, is stored at position {moved}",
            link.id,
        )
    return Break(
        link.position,
        "missing",
        f"development {link.id}, chained at position {link.position}, is no longer stored",
        link.id,
    )


def _row_without_link(row: StoredRow, lookups: Lookups) -> Break:
    """A stored development the chain has no link for here: it moved here, or it was slipped in."""
    chained = lookups.link_position(row.id)
    if chained is not None:
        return Break(
            row.position,
            "reordered",
            f"development {row.id}, stored at position {row.position}, was chained at position {chained}",
            row.id,
        )
    return Break(
        row.position,
        "inserted",
        f"position {row.position} holds development {row.id}, which the chain never recorded",
        row.id,
    )


def _other_development(row: StoredRow, link: Link, lookups: Lookups) -> Break:
    """The position holds another development than the chain recorded there."""
    chained = lookups.link_position(row.id)
    if chained is not None:
        return Break(
            row.position,
            "reordered",
            f"position {row.position} holds development {row.id}, which was chained at position {chained}; "
            f"the chain recorded development {link.id} here",
            row.id,
        )
    moved = lookups.stored_position(link.id)
    if moved is not None:
        return Break(
            row.position,
            "inserted",
            f"position {row.position} holds development {row.id}, which the chain never recorded; "
            f"development {link.id}, chained here, is now at position {moved}",
            row.id,
        )
    return Break(
        row.position,
        "altered",
        f"position {row.position} holds development {row.id} in place of development {link.id}, "
        "which the chain recorded here",
        row.id,
    )


def _chain_cut(row: StoredRow, link: Link, before: str, last_good: int) -> Break:
    """The link follows another entry than the last intact one: one was slipped in or removed before it."""
    intact = entry_hash(row.position, row.id, row.version, row.topic, row.state, link.prev_hash) == link.hash
    if intact and link.prev_hash == before and last_good:
        return Break(
            last_good,
            "inserted",
            f"the development at position {last_good} is not in the chain: position {row.position} "
            "was chained directly after the one before it",
        )
    if intact:
        where = f"after position {last_good}" if last_good else "at the start of the log"
        return Break(
            row.position,
            "missing",
            f"the development chained just before position {row.position} is gone ({where})",
            row.id,
        )
    return Break(row.position, "altered", f"the chain row at position {row.position} was altered", row.id)


def _anchor_skipped(anchor: Anchor, last_good: int) -> Break:
    return Break(
        anchor.position,
        "missing",
        f"{anchor.label} covers position {anchor.position}, which the log no longer holds "
        f"(the last intact position before it is {last_good})",
    )
