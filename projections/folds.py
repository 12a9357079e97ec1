"""The projections as pure functions of the log: what every stored form must equal.

``answer_from_scratch`` folds a scope's items from the whole log for an as-of
date and a known-at position.  The materialised store (``projections.store``)
answers the same questions from stored state and snapshots; the property tests
prove the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
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
FOLD_VERSION = 2


@dataclass(frozen=True)
class Answer:
    """A scope's folded state at (as_of, known_at), with the items left out as uncertain."""

    state: dict[str, Any]
    uncertain: list[Item]


def initial(scope: Scope) -> dict[str, Any]:
    kind, key = scope
    return FOLDS[kind].initial(key)  # type: ignore[no-any-return,attr-defined]


def apply(scope: Scope, state: dict[str, Any], item: Item) -> dict[str, Any]:
    return FOLDS[scope[0]].apply(state, item)  # type: ignore[no-any-return,attr-defined]


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
    state = initial(scope)
    uncertain = []
    for item in items:
        if as_of is None or item.latest <= as_of:
            state = apply(scope, state, item)
        elif item.earliest <= as_of:
            uncertain.append(item)
    return Answer(state, sorted(uncertain, key=lambda i: i.position))
