"""Which conflicts and actors the log knows, and the closest known id to an unknown one.

States are known by their ISO 3166-1 alpha-3 code (``pycountry``); organisations,
groups and conflicts once an ``ActorRegistered`` or ``ConflictRegistered`` is in
the log.  The registry rows are read incrementally from the log's index.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable

import pycountry

ISO_CODES = frozenset(country.alpha_3 for country in pycountry.countries)


class KnownIds:
    """An in-memory copy of the registries, brought up to date on demand."""

    def __init__(self) -> None:
        self.conflicts: set[str] = set()
        self.actors: set[str] = set()
        self.position = 0
        self._lock = threading.Lock()

    def add(self, kind: str, key: str, position: int) -> None:
        with self._lock:
            (self.conflicts if kind == "conflict" else self.actors).add(key)
            self.position = max(self.position, position)

    def is_known(self, kind: str, key: str, extra: Iterable[tuple[str, str]] = ()) -> bool:
        if kind == "conflict":
            return key in self.conflicts or ("conflict", key) in set(extra)
        return key in ISO_CODES or key in self.actors or ("actor", key) in set(extra)

    def unknown_message(self, kind: str, key: str, extra: Iterable[tuple[str, str]] = ()) -> str:
        """'unknown conflict 'lybia'; did you mean 'libya'?' (or without a suggestion)."""
        suggestion = self.closest(kind, key, extra)
        what = "conflict" if kind == "conflict" else "actor"
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        if kind != "conflict" and not suggestion:
            hint = "; use an ISO 3166-1 alpha-3 code or register the actor with ActorRegistered"
        elif kind == "conflict" and not suggestion:
            hint = "; register it first with ConflictRegistered"
        return f"unknown {what} '{key}'{hint}"

    def closest(self, kind: str, key: str, extra: Iterable[tuple[str, str]] = ()) -> str | None:
        """The known id most like ``key``, if any is close enough."""
        pending = {k for (kd, k) in extra if kd == kind}
        if kind == "conflict":
            candidates = sorted(self.conflicts | pending)
            matches = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
            return matches[0] if matches else None
        try:
            return str(pycountry.countries.lookup(key).alpha_3)
        except LookupError:
            pass
        candidates = sorted(ISO_CODES | self.actors | pending)
        matches = difflib.get_close_matches(key.upper(), candidates, n=1, cutoff=0.6)
        return matches[0] if matches else None

    def suggest_conflict(self, key: str) -> str | None:
        return self.closest("conflict", key)
