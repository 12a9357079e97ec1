"""What changed across every conflict and agenda: between two points, and at each log position.

Two questions, both answered with the audit's diff (``projections.audit``):

- ``between(first, second)``: every scope whose answer differs between two points
  (each a date of the world and/or a log position), a page of scopes at a time.
  When both points are for the same date, only the scopes that developments recorded
  between the two positions touched can differ, so only those are compared (their
  number is bounded by the positions in between); when the dates differ, any scope may
  (a commitment falls overdue, fighting leaves the 30-day window), so every scope is a
  candidate.  Either way one request compares at most ``limit`` candidates, two folds
  each from the nearest snapshot, and says where to continue: the work of a page does
  not grow with the number of conflicts, and the whole walk grows linearly with it.
- ``at(position)``: what the development recorded there changed in each scope it
  touched (as of a day, default today); the unit of the Atom feeds and of webhooks.
  ``recent`` walks back from the head for the latest of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from events.log.development import RecordedDevelopment
from events.vocabulary.errors import DevelopmentNotFound, DomainError, Problem
from projections.audit import Auditor, Side, differences
from projections.items import RECORD_KEEPING, Scope, scopes
from projections.queries import ScopeNotFound, today
from projections.store import ProjectionReader

#: at most this many positions between two points are read to find the scopes they touched; past it, every scope
TOUCHED_SCAN = 5000
#: positions read at a time when walking back from the head
PAGE = 200
#: the feed of every scope looks at most this far back from the head
RECENT_SCAN = 2000
#: positions of the log one scope's feed asks its own positions in, at a time, walking back
SCOPE_WINDOW = 10_000
KINDS = ("conflict", "agenda")


@dataclass
class PointOutOfOrder(DomainError):
    """``from`` is later than ``to`` (in date or in position)."""

    first: str
    second: str
    which: str

    def __str__(self) -> str:
        return f"from ({self.first}) is later than to ({self.second}) in {self.which}: swap them"

    @property
    def problems(self) -> list[Problem]:
        return [Problem("from", f"expected a point no later than to ({self.second})")]


@dataclass
class PointPastHead(DomainError):
    """A point names a log position the log has not reached."""

    which: str
    position: int
    head: int

    def __str__(self) -> str:
        return f"{self.which} names log position {self.position}, past the log's head ({self.head})"

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.which, f"expected a log position up to the head ({self.head})")]


@dataclass(frozen=True)
class ScopeChange:
    """A scope whose answer differs between two points, with the differences and their evidence."""

    scope: Scope
    differences: list[dict[str, Any]]


@dataclass(frozen=True)
class Between:
    """A page of the scopes that changed between two points."""

    changed: list[ScopeChange]
    first: dict[str, Any]
    second: dict[str, Any]
    examined: int
    candidates: int
    next_after: str | None
    head: int


@dataclass(frozen=True)
class PositionChange:
    """What the development recorded at a position changed in one scope: a feed entry, a webhook message."""

    development: RecordedDevelopment
    scope: Scope
    differences: list[dict[str, Any]]

    @property
    def position(self) -> int:
        return self.development.position

    @property
    def key(self) -> str:
        """Stable across requests and processes: ``42/conflict/libya``."""
        return f"{self.position}/{self.scope[0]}/{self.scope[1]}"


def scope_text(scope: Scope) -> str:
    """A scope as a cursor: ``conflict:libya``."""
    return f"{scope[0]}:{scope[1]}"


def parse_scope(text: str) -> Scope:
    """The inverse of ``scope_text``; ValueError for anything else."""
    kind, _, key = text.partition(":")
    if kind not in KINDS or not key:
        raise ValueError(f"'{text}' is not a cursor (use next_after from the previous page)")
    return (kind, key)


class Changes:
    """Changes across every scope, answered from the materialised projections."""

    def __init__(self, store: ProjectionReader) -> None:
        self.store = store
        self.auditor = Auditor(store)

    def touched(self, development: RecordedDevelopment) -> set[Scope]:
        """The scopes a development may change: its own, and for a correction or retraction its target's."""
        found = scopes(development.content())
        if development.type in RECORD_KEEPING:
            try:
                target = self.store.log.get(str(development.data["target"]))
            except DevelopmentNotFound:
                return found
            found |= scopes(target.content())
            replacement = development.data.get("replacement")
            if isinstance(replacement, dict):
                found |= scopes(replacement)
        return found

    def _touched_between(self, after: int, until: int) -> set[Scope]:
        found: set[Scope] = set()
        while after < until:
            page = self.store.log.read(after=after, limit=min(PAGE, until - after))
            if not page:
                break
            for development in page:
                if development.position <= until:
                    found |= self.touched(development)
            after = page[-1].position
        return found

    def between(self, first: Side, second: Side, *, after: str | None = None, limit: int = 100) -> Between:
        """The scopes whose answers differ between two points (see the module's docstring)."""
        head = self.store.head()
        for side, text in ((first, "from"), (second, "to")):
            if side.known_at is not None and side.known_at > head:
                raise PointPastHead(text, side.known_at, head)
        day_from, day_to = first.as_of or today(), second.as_of or today()
        at_from = head if first.known_at is None else first.known_at
        at_to = head if second.known_at is None else second.known_at
        described_from, described_to = first.describe(head), second.describe(head)
        text_from = f"{described_from['as_of']}@{described_from['known_at']}"
        text_to = f"{described_to['as_of']}@{described_to['known_at']}"
        if day_from > day_to:
            raise PointOutOfOrder(text_from, text_to, "date")
        if at_from > at_to:
            raise PointOutOfOrder(text_from, text_to, "log position")
        if day_from == day_to and at_to - at_from <= TOUCHED_SCAN:
            candidates = sorted(self._touched_between(at_from, at_to))
        else:
            candidates = [(kind, key) for kind in KINDS for key in self.store.keys(kind)]
        start = 0
        if after:
            cursor = parse_scope(after)
            start = next((i for i, s in enumerate(candidates) if s > cursor), len(candidates))
        page = candidates[start : start + limit]
        changed = []
        for scope in page:
            found = differences(
                self.auditor.answer(scope, day_from, at_from), self.auditor.answer(scope, day_to, at_to)
            )
            if found:
                changed.append(ScopeChange(scope, found))
        more = start + limit < len(candidates)
        return Between(
            changed,
            described_from,
            described_to,
            len(page),
            len(candidates),
            scope_text(page[-1]) if more and page else None,
            head,
        )

    def at(
        self, development: RecordedDevelopment, as_of: date | None = None, among: set[Scope] | None = None
    ) -> list[PositionChange]:
        """What one development changed in each scope it touched (of ``among``, if given), as of a day (today)."""
        day = as_of or today()
        found = []
        touched = self.touched(development)
        for scope in sorted(touched if among is None else touched & among):
            before = self.auditor.answer(scope, day, development.position - 1)
            after = self.auditor.answer(scope, day, development.position)
            changed = differences(before, after)
            if changed:
                found.append(PositionChange(development, scope, changed))
        return found

    def recent(self, scope: Scope | None = None, *, limit: int = 20) -> tuple[list[PositionChange], int]:
        """The latest changes, newest first, of every scope or of one; and the head they were read at.

        Every scope: the developments of the last ``RECENT_SCAN`` positions at most.
        One scope: its own positions (an indexed read), a window of the log at a time.
        """
        head = self.store.head()
        if scope is not None and not self.store.positions(scope, after=0, until=head, limit=1):
            raise ScopeNotFound(scope[0], scope[1])
        found: list[PositionChange] = []
        until = head
        lowest = max(0, head - RECENT_SCAN) if scope is None else 0
        window = PAGE if scope is None else SCOPE_WINDOW
        while until > lowest and len(found) < limit:
            after = max(lowest, until - window)
            if scope is None:
                page = self.store.log.read(after=after, limit=until - after)
            else:
                positions = self.store.positions(scope, after=after, until=until, limit=until - after)
                page = self.store.log.developments(positions) if positions else []
            for development in reversed(page):
                found.extend(self.at(development, among=None if scope is None else {scope}))
                if len(found) >= limit:
                    break
            until = after
        return found[:limit], head
