"""Items made by hand, to feed the folds with no log and no database."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from events.vocabulary.occurred import parse_occurred
from projections.items import Item

_positions = itertools.count(1)


def item(
    type_: str,
    occurred: str,
    data: dict[str, Any] | None = None,
    *,
    conflicts: tuple[str, ...] = ("donbas",),
    actors: tuple[str, ...] = (),
    position: int | None = None,
    summary: str = "something happened",
    ident: str | None = None,
) -> Item:
    """One development's item, as the store would hand it to a fold."""
    day = parse_occurred(occurred)
    at = position if position is not None else next(_positions)
    return Item(
        id=ident or str(uuid.uuid5(uuid.NAMESPACE_URL, f"item-{at}")),
        position=at,
        recorded=at,
        superseded=None,
        earliest=day.earliest,
        latest=day.latest,
        content={
            "type": type_,
            "occurred": occurred,
            "conflicts": list(conflicts),
            "actors": list(actors),
            "persons": [],
            "sources": [{"name": "a source"}],
            "summary": summary,
            "data": data or {},
        },
    )
