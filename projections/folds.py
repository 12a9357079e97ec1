"""The projections as pure functions of the log: what every stored form must equal.

``answer_from_scratch`` folds a scope's items from the whole log for an as-of
date and a known-at position.  The materialised store (``projections.store``)
answers the same questions from stored state and snapshots; the property tests
prove the two equal.

A fold that fails stays in its scope.  ``apply`` turns whatever a fold raises
into ``FoldFailed``, naming the development; ``fold`` then folds the scope again
from where it started, leaving that version of the development out and listing
it under the state's ``UNFOLDED`` key (absent while nothing failed), so that the
scope's answer says which development it could not fold and every other scope,
and every other development of this one, still counts.  A retraction (or a
correction) of that development repairs the scope: the failing version no
longer counts, so the next fold meets it no more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.log.development import RecordedDevelopment
from projections import agenda, conflict_status
from projections.items import Item, Scope, all_items, scopes

FOLDS = {"conflict": conflict_status, "agenda": agenda}
#: Raise it when a fold's state changes shape or meaning: projections stored by
#: folds of another version are rebuilt from the log before they answer again.
#: 2: ceasefires with their own violations and history, intensity, episodes.
#: 3: evidence kept newest by day then id (with its days), whatever the record order.
FOLD_VERSION = 3
#: the state's list of versions whose fold failed (present only when one did), in world order
UNFOLDED = "unfolded"

State = dict[str, Any]
Version = tuple[str, int]  # (development id, position the version started at)


@dataclass(frozen=True)
class Answer:
    """A scope's folded state at (as_of, known_at), with the items left out as uncertain."""

    state: dict[str, Any]
    uncertain: list[Item]


class FoldFailed(Exception):
    """A scope's fold raised on one version of a development."""

    def __init__(self, scope: Scope, item: Item, error: BaseException) -> None:
        super().__init__(f"{scope[0]} {scope[1]}: development {item.id} could not be folded ({type(error).__name__})")
        self.scope = scope
        self.version: Version = (item.id, item.recorded)
        self.entry = {"id": item.id, "type": item.type, "recorded": item.recorded, "error": type(error).__name__}


def initial(scope: Scope) -> dict[str, Any]:
    kind, key = scope
    return FOLDS[kind].initial(key)  # type: ignore[no-any-return,attr-defined]


def apply(scope: Scope, state: dict[str, Any], item: Item) -> dict[str, Any]:
    """The state after ``item``; ``FoldFailed`` (with ``state`` possibly half-changed) when the fold raises."""
    try:
        return FOLDS[scope[0]].apply(state, item)  # type: ignore[no-any-return,attr-defined]
    except Exception as error:
        raise FoldFailed(scope, item, error) from error


def leave_out(state: State, failed: FoldFailed) -> None:
    """Record in ``state`` that a version was left out because its fold failed."""
    state.setdefault(UNFOLDED, []).append(failed.entry)


def unfolded(state: State) -> list[dict[str, Any]]:
    """The versions a state left out because their fold failed (``id``, ``type``, ``recorded``, ``error``)."""
    return list(state.get(UNFOLDED) or [])


def fold(
    scope: Scope,
    start: Callable[[], State],
    items: Iterable[Item],
    applied: Callable[[State, Item], None] | None = None,
    failed: dict[Version, FoldFailed] | None = None,
) -> State:
    """Fold ``items`` (a sequence: it may be walked twice) onto ``start()``, isolating failures.

    When a development's fold raises, the fold starts again from a fresh
    ``start()`` and leaves that version out (recording it under ``UNFOLDED``);
    ``failed`` collects the failures met.  ``applied(state, item)`` is called
    after each item folded (the store writes snapshots there); on a new start it
    is called again for the same items, with the same states up to the failure.
    """
    failures = failed if failed is not None else {}
    sequence = items if isinstance(items, (list, tuple)) else list(items)
    while True:
        state = start()
        try:
            for item in sequence:
                known = failures.get((item.id, item.recorded))
                if known is not None:
                    leave_out(state, known)
                    continue
                state = apply(scope, state, item)
                if applied is not None:
                    applied(state, item)
            return state
        except FoldFailed as e:
            failures[e.version] = e


def counted(items: Iterable[Item], scope: Scope, known_at: int) -> list[Item]:
    """The scope's versions that counted at ``known_at``, in world order."""
    return sorted(
        (i for i in items if i.counts_at(known_at) and scope in scopes(i.content)),
        key=lambda i: i.world_key,
    )


def answer_from_scratch(
    developments: Iterable[RecordedDevelopment], scope: Scope, as_of: date | None, known_at: int
) -> Answer:
    """Fold from nothing: all developments recorded by ``known_at`` that had certainly happened by ``as_of``."""
    known = [d for d in developments if d.position <= known_at]
    items = counted(all_items(known), scope, known_at)
    applied = [i for i in items if as_of is None or i.latest <= as_of]
    state = fold(scope, lambda: initial(scope), applied)
    uncertain = [i for i in items if as_of is not None and i.latest > as_of and i.earliest <= as_of]
    return Answer(state, sorted(uncertain, key=lambda i: i.position))
