"""What a mapper hands the runner: planned developments, reports, and what the log knows.

Mappers are pure: given a file's rows and a ``World`` (what the log already
knows: conflicts by external id, registered actors, ceasefires), they return a
``Plan``.  Nothing here touches the log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from events.vocabulary.errors import DomainError
from events.vocabulary.occurred import parse_occurred
from events.vocabulary.references import ISO_CODES
from events.vocabulary.validation import Draft


class ImportProblem(DomainError):
    """The file cannot be imported at all (unreadable, malformed, a required column missing)."""

    def __init__(self, detail: str, errors: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)


class MissingColumns(ImportProblem):
    """Required columns are missing: each is named, with the other names it is known by."""

    def __init__(self, missing: Sequence[tuple[str, tuple[str, ...]]], found: Sequence[str]) -> None:
        errors = []
        for name, aliases in missing:
            also = f" (also accepted: {', '.join(aliases)})" if aliases else ""
            errors.append({"field": name, "message": f"the file has no column '{name}'{also}"})
        shown = ", ".join(found[:60]) + (" ..." if len(found) > 60 else "")
        names = ", ".join(f"'{name}'" for name, _ in missing)
        super().__init__(f"missing required column(s) {names}; the file's columns are: {shown or 'none'}", errors)
        self.missing = [name for name, _ in missing]


class RowProblem(ValueError):
    """One row cannot be mapped: raised by a mapper, reported by line and column."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Report:
    """A row the import flagged (kept, with a note) or rejected (not imported), and why."""

    outcome: str  # "flagged" | "rejected"
    reason: str
    row_id: str | None = None
    line: int | None = None
    unit: str = "line"  # what ``line`` counts: a line of text or a record of a JSON array
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome, "reason": self.reason}
        if self.row_id is not None:
            out["row_id"] = self.row_id
        if self.line is not None:
            out[self.unit] = self.line
        if self.column is not None:
            out["column"] = self.column
        return out

    def text(self) -> str:
        where = [f"{self.unit} {self.line}"] if self.line is not None else []
        if self.row_id is not None:
            where.append(f"id {self.row_id}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where) or 'file'}: {self.outcome}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Planned:
    """A development to record for an upstream row, under an idempotency key."""

    key: str  # "<dataset>:<row id>[:<part>]": determines the development's id
    raw: dict[str, Any]
    row_id: str
    line: int | None = None
    #: keys earlier versions of the mapper gave the same row (``ucdp-ged:15960.0``): what they stored is this row's
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """A part of a row that this release no longer has (a ceasefire provision dropped)."""

    key: str
    row_id: str
    line: int | None
    reason: str


@dataclass
class Plan:
    """A mapper's answer for one file."""

    dataset: str
    unit: str = "line"
    rows_read: int = 0
    registrations: list[Planned] = field(default_factory=list)
    developments: list[Planned] = field(default_factory=list)
    withdrawn: list[Withdrawn] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, reason: str, row_id: str | None, line: int | None, column: str | None = None) -> None:
        self.reports.append(Report("rejected", reason, row_id, line, self.unit, column))

    def flag(self, reason: str, row_id: str | None, line: int | None, column: str | None = None) -> None:
        self.reports.append(Report("flagged", reason, row_id, line, self.unit, column))


@dataclass
class World:
    """What the log knew when the import began."""

    #: external id (``ucdp:13246``) -> registered conflict id
    conflicts_by_external_id: dict[str, str] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)
    #: registered (non-ISO) actor codes
    actors: set[str] = field(default_factory=set)
    #: conflict -> the first day by which a ceasefire had certainly been called or agreed for it
    ceasefires: dict[str, date] = field(default_factory=dict)
    #: conflict -> its ``territory`` (ISO alpha-3 codes of where it is fought) and its parties, as last
    #: registered or corrected
    territory: dict[str, list[str]] = field(default_factory=dict)
    parties: dict[str, list[str]] = field(default_factory=dict)
    #: registrations an import made (by their key, ``ucdp:conflict:13246``): id and content, as last corrected
    registered: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def knows_actor(self, code: str) -> bool:
        return code in ISO_CODES or code in self.actors


class Registrations:
    """Conflicts and actors a file names that the log does not know yet, each planned once.

    A registration's ``occurred`` is the first day any row of the file names it
    on; its key (``ucdp:conflict:13246``) is shared by every data set, so
    whichever import comes first registers it and the others find it.  A later
    file that names a conflict an import registered on an earlier day corrects
    the registration's day to that one, so that the log ends the same whichever
    file came first.
    """

    def __init__(self, world: World, source: dict[str, Any]) -> None:
        self.world = world
        self.source = source
        self._conflicts: dict[str, dict[str, Any]] = {}
        self._actors: dict[str, dict[str, Any]] = {}
        self._first: dict[str, date] = {}
        #: registration key -> the conflict id it gave
        self._slugs: dict[str, str] = {}

    def conflict(self, scheme: str, upstream_id: str, name: str, day: date, region: str | None = None) -> str:
        """The conflict id for ``scheme:upstream_id``, planning its registration when unknown."""
        key = f"{scheme}:conflict:{upstream_id}"
        self._note_day(key, day)
        slug = self._slugs.get(key)
        if slug is None:
            slug = self._slugs[key] = self._conflict(scheme, upstream_id, name, region, key)
        return slug

    def _conflict(self, scheme: str, upstream_id: str, name: str, region: str | None, key: str) -> str:
        external = f"{scheme}:{upstream_id}"
        known = self.world.conflicts_by_external_id.get(external)
        if known:
            return known
        slug = slugify(f"{scheme}-{upstream_id}")
        if slug in self.world.conflicts:
            return slug
        data: dict[str, Any] = {
            "conflict": slug,
            "name": clip(name or f"{scheme.upper()} conflict {upstream_id}", 200),
        }
        if region:
            data["region"] = clip(region, 200)
        data["external_ids"] = [external]
        self._conflicts[key] = {
            "type": "ConflictRegistered",
            "sources": [self.source],
            "summary": f"The {scheme.upper()} conflict {upstream_id} ({clip(name, 200)}) is registered.",
            "data": data,
        }
        return slug

    def actor(self, key: str, code: str, name: str, kind: str, day: date) -> str:
        """The actor ``code``, planning its registration (as ``kind``) when unknown."""
        if self.world.knows_actor(code):
            return code
        self._note_day(key, day)
        if key not in self._actors:
            self._actors[key] = {
                "type": "ActorRegistered",
                "sources": [self.source],
                "summary": f"{clip(name, 200)} is registered as {'an' if kind == 'organisation' else 'a'} {kind}.",
                "data": {"actor": code, "name": clip(name, 200), "kind": kind},
            }
        return code

    def _note_day(self, key: str, day: date) -> None:
        if key not in self._first or day < self._first[key]:
            self._first[key] = day

    def planned(self) -> list[Planned]:
        """The registrations to record, then the corrections that move an imported one to an earlier day."""
        out = []
        for key, raw in [*self._conflicts.items(), *self._actors.items()]:
            out.append(Planned(key, {**raw, "occurred": self._first[key].isoformat()}, key))
        for key, first in sorted(self._first.items()):
            if key in self._conflicts or key not in self.world.registered:
                continue
            target, content = self.world.registered[key]
            if first >= parse_occurred(content["occurred"]).earliest:
                continue
            replacement = {**content, "occurred": first.isoformat()}
            raw = {
                "type": "DevelopmentCorrected",
                "occurred": replacement["occurred"],
                "conflicts": content.get("conflicts") or [],
                "actors": content.get("actors") or [],
                "sources": [self.source],
                "summary": f"{clip(content['summary'], 800)} It is named from {first.isoformat()} on.",
                "data": {"target": target, "replacement": replacement},
            }
            out.append(Planned(f"{key}:named-from:{first.isoformat()}", raw, key))
        return out


def slugify(text: str) -> str:
    """``PLOVER-GSR01-AGREE-0001`` → ``plover-gsr01-agree-0001``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100].strip("-") or "x"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis when cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Checked:
    """A planned development that passed the vocabulary."""

    planned: Planned
    draft: Draft
