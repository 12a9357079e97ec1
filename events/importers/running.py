"""Applying a mapper's plan to the log, idempotently.

Every planned development has an idempotency key made of the upstream data set
and row id (``ucdp-ged:147997``, ``ucdp-pa:1536:ceasefire``), so its id is the
same whichever file or release it comes from.  For each one:

- not in the log: it is added;
- in the log in the same form (its latest correction, if any), ignoring
  ``origin.release``: unchanged, nothing is written;
- in the log in another form: a ``DevelopmentCorrected`` carrying the new form
  (keyed by its content, so re-importing that release again adds nothing); when
  the row now maps to another type (fighting that became a ceasefire violation
  once a ceasefire was recorded), the old development is retracted and the new
  one recorded under ``<key>:as:<Type>``;
- a row from a release older than the one recorded is not applied (rejected).

Rows that cannot be mapped or do not pass the vocabulary are rejected and
reported; two different rows under one upstream id are both rejected.  Nothing
is written before every row has been checked.  Up to 10,000 developments are
written in one transaction, so such an import stores all or nothing; a larger
file is written in transactions of ``batch_size``, and if one fails, running the
same import again resumes where it stopped (what was stored is recognised).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import rfc8785

from events.importers import plover, ucdp_ged, ucdp_pa
from events.importers.cameo_plover import CameoTable
from events.importers.plan import ImportProblem, Plan, Planned, Report, World
from events.importers.tables import read_table
from events.log.admission import Submission
from events.log.application import MAX_BATCH, ConflictLog
from events.log.development import development_id
from events.vocabulary.errors import DomainError, InvalidDevelopment
from events.vocabulary.occurred import parse_occurred
from events.vocabulary.validation import Draft, check_development

FORMATS = ("ucdp-ged", "ucdp-pa", "plover")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    #: the upstream release (GED 22.1); else a ``version`` column or field where the format has one
    release: str | None = None
    #: PLOVER/CAMEO rows: the registered conflict their ceasefires and fighting belong to
    conflict: str | None = None
    #: PLOVER/CAMEO rows: the data set's name in ids and origins (default plover, or gdelt for CAMEO rows)
    dataset: str | None = None
    #: CAMEO-coded rows: the CAMEO-to-PLOVER table (``cameo_plover.read_cameo_table``)
    cameo_table: CameoTable | None = None
    #: refuse the whole file, before writing anything, when any row is rejected
    strict: bool = False
    batch_size: int = MAX_BATCH


@dataclass
class ImportSummary:
    format: str
    dataset: str
    rows_read: int = 0
    added: int = 0
    registered: int = 0
    unchanged: int = 0
    corrected: int = 0
    flagged: int = 0
    rejected: int = 0
    reports: list[Report] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        registered = f" (and {self.registered} conflicts or actors registered)" if self.registered else ""
        return (
            f"rows read: {self.rows_read}, developments added: {self.added}{registered}, "
            f"unchanged: {self.unchanged}, corrected: {self.corrected}, flagged: {self.flagged}, "
            f"rejected: {self.rejected}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dataset": self.dataset,
            "rows_read": self.rows_read,
            "added": self.added,
            "registered": self.registered,
            "unchanged": self.unchanged,
            "corrected": self.corrected,
            "flagged": self.flagged,
            "rejected": self.rejected,
            "reports": [r.as_dict() for r in self.reports],
            "notes": self.notes,
        }


class ImportFailed(DomainError):
    """Writing failed part-way (or ``strict`` refused the file): what was stored is in ``summary``."""

    def __init__(self, detail: str, summary: ImportSummary) -> None:
        super().__init__(detail)
        self.detail = detail
        self.summary = summary


def run_import(
    log: ConflictLog, fmt: str, data: bytes, options: ImportOptions | None = None, progress: Progress | None = None
) -> ImportSummary:
    """Import a file of the given format into the log; see the module's docstring."""
    options = options or ImportOptions()
    world = read_world(log)
    plan = make_plan(fmt, data, world, options)
    return apply_plan(log, fmt, plan, world, options, progress)


def make_plan(fmt: str, data: bytes, world: World, options: ImportOptions) -> Plan:
    """Map a file to a plan (pure but for reading the file's bytes)."""
    if fmt == "ucdp-ged":
        return ucdp_ged.plan(read_table(data), world, options.release)
    if fmt == "ucdp-pa":
        return ucdp_pa.plan(read_table(data), world, options.release)
    if fmt == "plover":
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
            return plover.plan_json(
                data, world, dataset=options.dataset or "plover", conflict=options.conflict, release=options.release
            )
        if options.cameo_table is None:
            raise ImportProblem(
                "CAMEO-coded rows need the CAMEO-to-PLOVER table (CAMEO2PLOVER-2021.txt of openeventdata/PLOVER): "
                "import them with the command line: conflict-status import --format plover --cameo-table FILE"
            )
        return plover.plan_table(
            data,
            world,
            options.cameo_table,
            dataset=options.dataset or "gdelt",
            conflict=options.conflict,
            release=options.release,
        )
    raise ImportProblem(f"unknown format '{fmt}'; the formats are {', '.join(FORMATS)}")


def read_world(log: ConflictLog) -> World:
    """What the log knows that mappers need: conflicts by external id, actors, ceasefires."""
    known = log.refresh_known()
    world = World(conflicts=set(known.conflicts), actors=set(known.actors))
    for development in _all(log, ["ConflictRegistered"]):
        for external in development.data.get("external_ids", []):
            world.conflicts_by_external_id.setdefault(external, development.data["conflict"])
    for development in _all(log, ["CeasefireCalled", "CeasefireAgreed"]):
        day = development.latest
        if development.data.get("effective"):
            day = max(day, parse_occurred(development.data["effective"]).latest)
        for conflict in development.conflicts:
            if conflict not in world.ceasefires or day < world.ceasefires[conflict]:
                world.ceasefires[conflict] = day
    return world


def _all(log: ConflictLog, types: list[str]) -> Iterator[Any]:
    after = 0
    while page := log.read(after=after, limit=1000, types=types):
        yield from page
        after = page[-1].position


@dataclass(frozen=True)
class _Checked:
    planned: Planned
    draft: Draft


def apply_plan(
    log: ConflictLog,
    fmt: str,
    plan: Plan,
    world: World,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check every planned development, decide what to write, write it; see the module's docstring."""
    summary = ImportSummary(fmt, plan.dataset, rows_read=plan.rows_read, notes=list(plan.notes))
    total = 2 * max(len(plan.developments), 1)
    tick = progress or (lambda done, total: None)
    registrations = [_Checked(p, check_development(p.raw)) for p in plan.registrations]
    checked = _without_duplicates(plan, _check(plan, world, registrations, tick, total))
    if options.strict and _rejected(plan):
        _count_reports(summary, plan)
        raise ImportFailed(f"{summary.rejected} row(s) rejected; nothing was imported (strict)", summary)
    submissions = _Decisions(log, plan).decide(registrations, checked, summary)
    _count_reports(summary, plan)
    tick(total // 2, total)
    written = 0
    for start in range(0, len(submissions), options.batch_size):
        batch = submissions[start : start + options.batch_size]
        try:
            receipts = log.submit_many([submission for submission, _ in batch])
        except DomainError as e:
            raise ImportFailed(
                f"writing stopped after {written} of {len(submissions)} developments ({e}); "
                "running the same import again resumes where it stopped",
                summary,
            ) from e
        for receipt, (_, outcome) in zip(receipts, batch, strict=True):
            if not outcome:
                continue
            if receipt.created:
                setattr(summary, outcome, getattr(summary, outcome) + 1)
            elif outcome != "registered":
                summary.unchanged += 1
        written += len(batch)
        tick(total // 2 + (total - total // 2) * written // len(submissions), total)
    tick(total, total)
    return summary


def _rejected(plan: Plan) -> set[tuple[str | None, int | None]]:
    return {(r.row_id, r.line) for r in plan.reports if r.outcome == "rejected"}


def _count_reports(summary: ImportSummary, plan: Plan) -> None:
    rejected = _rejected(plan)
    flagged = {(r.row_id, r.line) for r in plan.reports if r.outcome == "flagged"}
    summary.rejected = len(rejected)
    summary.flagged = len(flagged - rejected)
    summary.reports = sorted(plan.reports, key=lambda r: (r.line or 0, r.outcome != "rejected"))


def _check(plan: Plan, world: World, registrations: list[_Checked], tick: Progress, total: int) -> list[_Checked]:
    """Every planned development through the vocabulary and the reference checks, before any write.

    A row any of whose developments fails is rejected whole.
    """
    conflicts = world.conflicts | {c.draft.data["conflict"] for c in registrations if "conflict" in c.draft.data}
    actors = {c.draft.data["actor"] for c in registrations if "actor" in c.draft.data}
    checked: list[_Checked] = []
    bad: set[tuple[str, int | None]] = set()
    for done, planned in enumerate(plan.developments, start=1):
        if done % 100 == 0:
            tick(done, total)
        try:
            draft = check_development(planned.raw)
        except InvalidDevelopment as e:
            for problem in e.problems:
                plan.reject(f"{problem.field}: {problem.message}", planned.row_id, planned.line)
            bad.add((planned.row_id, planned.line))
            continue
        unknown = [
            f"{where}: unknown {kind} '{key}'"
            for kind, key, where in draft.references
            if (kind == "conflict" and key not in conflicts)
            or (kind == "actor" and key not in actors and not world.knows_actor(key))
        ]
        if unknown:
            plan.reject("; ".join(unknown), planned.row_id, planned.line)
            bad.add((planned.row_id, planned.line))
            continue
        checked.append(_Checked(planned, draft))
    return [c for c in checked if (c.planned.row_id, c.planned.line) not in bad]


def _without_duplicates(plan: Plan, checked: list[_Checked]) -> list[_Checked]:
    """Two different rows under one upstream id are both rejected; an exact repeat is kept once."""
    lines: dict[str, set[int | None]] = {}
    for planned in plan.developments:
        lines.setdefault(planned.row_id, set()).add(planned.line)
    for report in plan.reports:
        if report.outcome == "rejected" and report.row_id is not None:
            lines.setdefault(report.row_id, set()).add(report.line)
    repeated = {row_id for row_id, found in lines.items() if len(found) > 1}
    forms: dict[str, dict[int | None, set[tuple[str, str]]]] = {}
    for item in checked:
        if item.planned.row_id in repeated:  # digests cost: only where they are needed
            forms.setdefault(item.planned.row_id, {}).setdefault(item.planned.line, set()).add(
                (item.planned.key, item.draft.digest())
            )
    clashing: set[str] = set()
    for row_id in sorted(repeated):
        found = lines[row_id]
        by_line = forms.get(row_id, {})
        if len(by_line) == len(found) and len({frozenset(f) for f in by_line.values()}) == 1:
            continue  # the same row twice: kept once
        clashing.add(row_id)
        for line in sorted(found, key=lambda n: n or 0):
            others = ", ".join(str(n) for n in sorted(found, key=lambda n: n or 0) if n != line)
            plan.reject(
                f"upstream id {row_id} is also used by {plan.unit} {others} with other content", row_id, line, "id"
            )
    kept: list[_Checked] = []
    seen: set[str] = set()
    for item in checked:
        if item.planned.row_id in clashing or item.planned.key in seen:
            continue
        seen.add(item.planned.key)
        kept.append(item)
    return kept


def key_id(key: str) -> str:
    """The development id an idempotency key gives (as the log derives it)."""
    return str(development_id(None, key))


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


class _Decisions:
    """For each checked development: add, leave, correct, re-type or retract (see the module docstring)."""

    def __init__(self, log: ConflictLog, plan: Plan) -> None:
        self.log = log
        self.plan = plan

    def decide(
        self, registrations: list[_Checked], checked: list[_Checked], summary: ImportSummary
    ) -> list[tuple[Submission, str]]:
        keys = [c.planned.key for c in checked]
        ids = [key_id(k) for k in keys]
        ids += [key_id(f"{c.planned.key}:as:{c.draft.type}") for c in checked]
        ids += [key_id(w.key) for w in self.plan.withdrawn]
        ids += [key_id(f"{w.key}:retracted") for w in self.plan.withdrawn]
        existing = self.log.store.index_by_ids(ids) if ids else {}
        corrections = self._latest_corrections(existing) if existing else {}
        out: list[tuple[Submission, str]] = [
            (Submission(r.planned.raw, r.planned.key), "registered") for r in registrations
        ]
        compare: list[tuple[_Checked, str]] = []
        for item in checked:
            key = item.planned.key
            typed, base = key_id(f"{key}:as:{item.draft.type}"), key_id(key)
            if typed in existing:
                compare.append((item, typed))
            elif base in existing and existing[base]["type"] == item.draft.type:
                compare.append((item, base))
            elif base in existing:
                out += self._retype(item, base, existing[base]["type"])
            else:
                out.append((Submission(item.planned.raw, key), "added"))
        out += self._compare(compare, existing, corrections, summary)
        out += self._withdraw(existing)
        return out

    def _latest_corrections(self, existing: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """target id -> the replacement of its latest correction (only targets this import looks at)."""
        latest: dict[str, dict[str, Any]] = {}
        for development in _all(self.log, ["DevelopmentCorrected"]):
            target = development.data["target"]
            if target in existing:
                latest[target] = development.data["replacement"]
        return latest

    def _compare(
        self,
        items: list[tuple[_Checked, str]],
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

    def _correction(self, item: _Checked, target: str) -> Submission:
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

    def _retype(self, item: _Checked, target: str, old_type: str) -> list[tuple[Submission, str]]:
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
            (Submission(item.planned.raw, f"{key}:as:{item.draft.type}"), ""),  # counted with its retraction
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
