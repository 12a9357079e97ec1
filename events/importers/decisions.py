"""What an import writes for each checked row: add it, leave it, correct it, re-type it or retract it.

See ``events.importers.running``: the upstream data set and row id give each
development its id, so a row already in the log in the same form is left alone,
one in another form is corrected, and a withdrawn one is retracted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import rfc8785

from events.importers.outcome import ImportSummary
from events.importers.plan import Checked, Plan, Withdrawn
from events.log.admission import Submission
from events.log.application import ConflictLog
from events.log.development import KEY_NAMESPACE


def all_of(log: ConflictLog, types: list[str]) -> Iterator[Any]:
    after = 0
    while page := log.read(after=after, limit=1000, types=types):
        yield from page
        after = page[-1].position


def key_id(key: str) -> str:
    """The development id an idempotency key gives: the log's UUID5 (``development_id``), as text.

    Worked out from the SHA-1 directly (RFC 9562, section 5.5): an import derives
    several ids per row, and ``uuid.uuid5`` spends most of its time building objects.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE + key.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_NAMESPACE = KEY_NAMESPACE.bytes


def _substance(content: dict[str, Any]) -> dict[str, Any]:
    """A development's content without its origin's release: what decides 'unchanged'."""
    out = dict(content)
    origin = out.pop("origin", None)
    if origin:
        out["origin"] = {k: v for k, v in origin.items() if k != "release"}
    return out


def _content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()[:32]


def _release_key(release: str | None) -> tuple[int, ...] | None:
    if not release:
        return None
    numbers = re.findall(r"\d+", release)
    return tuple(int(n) for n in numbers) if numbers else None


def _doubles(
    item: Checked, candidates: list[tuple[str, str]], used: str, existing: dict[str, dict[str, Any]]
) -> list[Withdrawn]:
    """Developments an earlier mapper stored for the same row under an alias, besides the one the row uses.

    (An earlier version that read ``15960.0`` and ``15960`` as two ids stored the
    row twice.)  Each is retracted once; one the row already retracted to re-type
    it is left alone.
    """
    if key_id(f"{item.planned.key}:retracted") in existing:
        return []
    out = []
    for alias, (typed, base) in zip(item.planned.aliases, candidates[1:], strict=True):
        if base in existing and used not in (typed, base) and key_id(f"{alias}:retracted") not in existing:
            reason = f"the same row as {item.planned.key}, recorded twice by an earlier version of the importer"
            out.append(Withdrawn(alias, item.planned.row_id, item.planned.line, reason))
    return out


def _registration_outcome(item: Checked) -> str:
    """A registration counts as registered; a registration moved to an earlier day, as corrected."""
    return "corrected" if item.draft.type == "DevelopmentCorrected" else "registered"


def _keys(item: Checked) -> tuple[str, ...]:
    """The keys a row's development may be stored under: its own, then those earlier mappers gave it."""
    return (item.planned.key, *item.planned.aliases)


def _candidates(item: Checked) -> list[tuple[str, str]]:
    """The ids a row's development may be recorded under: re-typed (``<key>:as:<Type>``) and original, per key."""
    return [(key_id(f"{key}:as:{item.draft.type}"), key_id(key)) for key in _keys(item)]


def _recorded(
    item: Checked, candidates: list[tuple[str, str]], existing: dict[str, dict[str, Any]]
) -> tuple[str, bool] | None:
    """The id under which the row is recorded, and whether as the same type (None: not recorded).

    Its own key first, then its aliases; under each, the development re-typed
    before the original.
    """
    for typed, base in candidates:
        if typed in existing:
            return typed, True
        if base in existing:
            return base, existing[base]["type"] == item.draft.type
    return None


class Decisions:
    """For each checked development: add, leave, correct, re-type or retract (see the module docstring)."""

    def __init__(self, log: ConflictLog, plan: Plan) -> None:
        self.log = log
        self.plan = plan

    def decide(
        self, registrations: list[Checked], checked: list[Checked], summary: ImportSummary
    ) -> list[tuple[Submission, str]]:
        candidates = [_candidates(c) for c in checked]
        ids = [ident for found in candidates for pair in found for ident in pair]
        ids += [key_id(f"{k}:retracted") for c in checked if c.planned.aliases for k in _keys(c)]
        ids += [key_id(w.key) for w in self.plan.withdrawn]
        ids += [key_id(f"{w.key}:retracted") for w in self.plan.withdrawn]
        existing = self.log.store.index_by_ids(ids) if ids else {}
        corrections = self._latest_corrections(existing) if existing else {}
        out: list[tuple[Submission, str]] = [
            (Submission(r.planned.raw, r.planned.key, r.draft), _registration_outcome(r)) for r in registrations
        ]
        compare: list[tuple[Checked, str]] = []
        for item, possible in zip(checked, candidates, strict=True):
            found = _recorded(item, possible, existing)
            if found is not None and item.planned.aliases:
                self.plan.withdrawn += _doubles(item, possible, found[0], existing)
            if found is None:
                out.append((Submission(item.planned.raw, item.planned.key, item.draft), "added"))
            elif found[1]:
                compare.append((item, found[0]))
            else:
                out += self._retype(item, found[0], existing[found[0]]["type"])
        out += self._compare(compare, existing, corrections, summary)
        out += self._withdraw(existing)
        return out

    def _latest_corrections(self, existing: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """target id -> the replacement of its latest correction (only targets this import looks at)."""
        latest: dict[str, dict[str, Any]] = {}
        for development in all_of(self.log, ["DevelopmentCorrected"]):
            target = development.data["target"]
            if target in existing:
                latest[target] = development.data["replacement"]
        return latest

    def _compare(
        self,
        items: list[tuple[Checked, str]],
        existing: dict[str, dict[str, Any]],
        corrections: dict[str, dict[str, Any]],
        summary: ImportSummary,
    ) -> list[tuple[Submission, str]]:
        out: list[tuple[Submission, str]] = []
        decode = [
            existing[ident]["position"]
            for item, ident in items
            if ident not in corrections and existing[ident]["digest"] != item.draft.digest()
        ]
        originals = {d.id: d.content() for d in self.log.developments(decode)} if decode else {}
        for item, ident in items:
            if ident in corrections:
                current = corrections[ident]
            elif existing[ident]["digest"] == item.draft.digest():
                summary.unchanged += 1
                continue
            else:
                current = originals[ident]
            new = item.draft.content()
            if _substance(current) == _substance(new):
                summary.unchanged += 1
                continue
            recorded = (current.get("origin") or {}).get("release")
            incoming = (new.get("origin") or {}).get("release")
            older, newer = _release_key(incoming), _release_key(recorded)
            if older is not None and newer is not None and older < newer:
                self.plan.reject(
                    f"this row comes from release {incoming}, older than release {recorded} already recorded; "
                    "not applied",
                    item.planned.row_id,
                    item.planned.line,
                )
                continue
            out.append((self._correction(item, ident), "corrected"))
        return out

    def _correction(self, item: Checked, target: str) -> Submission:
        new = item.draft.content()
        origin = new.get("origin") or {}
        release = f" release {origin['release']}" if origin.get("release") else ""
        raw = {
            "type": "DevelopmentCorrected",
            "occurred": new["occurred"],
            "conflicts": new["conflicts"],
            "actors": new["actors"],
            "sources": new["sources"],
            "summary": f"{self.plan.dataset}{release} revised row {item.planned.row_id}.",
            "data": {"target": target, "replacement": new},
            "origin": origin,
        }
        return Submission(raw, f"{item.planned.key}:correction:{_content_hash(new)}")

    def _retype(self, item: Checked, target: str, old_type: str) -> list[tuple[Submission, str]]:
        new = item.draft.content()
        reason = f"{self.plan.dataset} row {item.planned.row_id} is now recorded as a {item.draft.type}"
        retraction = {
            "type": "DevelopmentRetracted",
            "occurred": new["occurred"],
            "conflicts": new["conflicts"],
            "actors": new["actors"],
            "sources": new["sources"],
            "summary": f"{self.plan.dataset} row {item.planned.row_id}: the {old_type} becomes a {item.draft.type}.",
            "data": {"target": target, "reason": reason},
            **({"origin": new["origin"]} if "origin" in new else {}),
        }
        key = item.planned.key
        return [
            (Submission(retraction, f"{key}:retracted"), "corrected"),
            (
                Submission(item.planned.raw, f"{key}:as:{item.draft.type}", item.draft),
                "",
            ),  # counted with its retraction
        ]

    def _withdraw(self, existing: dict[str, dict[str, Any]]) -> list[tuple[Submission, str]]:
        out: list[tuple[Submission, str]] = []
        for withdrawn in self.plan.withdrawn:
            target = key_id(withdrawn.key)
            if target not in existing or key_id(f"{withdrawn.key}:retracted") in existing:
                continue
            old = self.log.get(target)
            raw = {
                "type": "DevelopmentRetracted",
                "occurred": old.occurred,
                "conflicts": old.conflicts,
                "actors": old.actors,
                "sources": old.sources,
                "summary": f"{self.plan.dataset} row {withdrawn.row_id}: {withdrawn.reason}.",
                "data": {"target": target, "reason": withdrawn.reason},
                **({"origin": old.origin} if old.origin else {}),
            }
            out.append((Submission(raw, f"{withdrawn.key}:retracted"), "corrected"))
        return out
