"""Finding conflicts in the list: words to search for, ceasefire statuses and a region to keep, an order.

Pure functions over the items ``Queries.conflicts`` answers, so that the API's
``GET /v1/conflicts?q=...&status=...&region=...&sort=...`` and the overview page
filter the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from events.vocabulary.errors import DomainError
from events.vocabulary.occurred import stored_occurred

#: the ceasefire statuses a conflict can have (``status=``)
STATUSES = ("none", "called", "agreed", "violated")
#: the orders a list can be asked in (``sort=``): by name, newest development first, most developments first
SORTS = ("name", "latest", "developments")


@dataclass
class UnknownRegion(DomainError):
    """``region`` names no region of any conflict."""

    value: str
    known: list[str]

    def __str__(self) -> str:
        regions = ", ".join(self.known) if self.known else "none yet"
        return f"no conflict is in the region '{self.value}'; the regions are: {regions}"


@dataclass(frozen=True)
class Search:
    """What to keep and in which order; every part optional."""

    q: str = ""
    statuses: tuple[str, ...] = field(default_factory=tuple)
    region: str = ""
    sort: str = ""

    @property
    def words(self) -> list[str]:
        """The words of ``q``, folded to lower case: a conflict is kept when its text holds every one."""
        return [w for w in self.q.casefold().split() if w]

    @property
    def narrows(self) -> bool:
        """True when something is left out (a search, statuses or a region was asked)."""
        return bool(self.words or self.statuses or self.region)


def regions(items: Iterable[dict[str, Any]]) -> list[str]:
    """The regions of the conflicts, each once, in alphabetical order."""
    return sorted({i["region"] for i in items if i.get("region")}, key=str.casefold)


def _text(item: dict[str, Any]) -> str:
    last = item.get("last_development") or {}
    parts = (item["conflict"], item.get("name"), item.get("region"), item.get("summary"), last.get("summary"))
    return " ".join(p for p in parts if p).casefold()


def _latest(item: dict[str, Any]) -> date:
    occurred = (item.get("last_development") or {}).get("occurred")
    return stored_occurred(occurred).latest if occurred else date.min


def find(items: list[dict[str, Any]], search: Search) -> list[dict[str, Any]]:
    """The items that match every part of ``search``, in its order (else as given).

    A region is matched whole and without regard to case; one that no conflict has
    is an ``UnknownRegion`` naming the regions there are, never an empty answer.
    """
    kept = items
    if search.region:
        known = regions(items)
        wanted = search.region.strip().casefold()
        if wanted not in {r.casefold() for r in known}:
            raise UnknownRegion(search.region, known)
        kept = [i for i in kept if (i.get("region") or "").casefold() == wanted]
    if search.statuses:
        kept = [i for i in kept if i["ceasefire"] in search.statuses]
    words = search.words
    if words:
        kept = [i for i in kept if all(w in _text(i) for w in words)]
    by_name = sorted(kept, key=lambda i: ((i.get("name") or i["conflict"]).casefold(), i["conflict"]))
    if search.sort == "name":
        return by_name
    if search.sort == "latest":
        return sorted(by_name, key=_latest, reverse=True)
    if search.sort == "developments":
        return sorted(by_name, key=lambda i: i["developments"], reverse=True)
    return kept
