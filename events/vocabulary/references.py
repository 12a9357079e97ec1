"""Which conflicts and actors the log knows, and the closest known id to an unknown one.

States are known by their ISO 3166-1 alpha-3 code (``pycountry``); organisations,
groups and conflicts once an ``ActorRegistered`` or ``ConflictRegistered`` is in
the log.  The registry rows are read incrementally from the log's index.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable

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

    def is_known(self, kind: str, key: str, extra: Collection[tuple[str, str]] = ()) -> bool:
        """Whether the log (or ``extra``, registrations on their way in) knows this id."""
        if kind == "conflict":
            return key in self.conflicts or ("conflict", key) in extra
        return key in ISO_CODES or key in self.actors or ("actor", key) in extra

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
            return closest(key, self.conflicts | pending)
        try:
            return str(pycountry.countries.lookup(key).alpha_3)
        except LookupError:
            pass
        return closest(key.upper(), ISO_CODES | self.actors | pending)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to ``word`` by edit distance (transpositions count once).

    Ties go to a candidate with the same letters (``lybia`` → ``libya``), then to
    the longest common prefix.  Nothing is suggested when more than a third of the
    word would have to change.
    """
    best: tuple[int, int, int, str] | None = None
    for candidate in candidates:
        distance = _edit_distance(word, candidate)
        if distance > max(1, len(word) // 3 + 1):
            continue
        score = (distance, 0 if sorted(word) == sorted(candidate) else 1, -_common_prefix(word, candidate), candidate)
        if best is None or score < best:
            best = score
    return best[3] if best else None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions)."""
    if abs(len(a) - len(b)) > 3:
        return abs(len(a) - len(b))
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
