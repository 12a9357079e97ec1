"""Applying a mapper's plan to the log, idempotently.

Every planned development has an idempotency key made of the upstream data set
and row id (``ucdp-ged:147997``, ``ucdp-pa:1536:ceasefire``), so its id is the
same whichever file or release it comes from.  For each one:

- not in the log: it is added;
- in the log in the same form (its latest correction, if any), ignoring
  ``origin.release``: unchanged, nothing is written;
- in the log in another form: a ``DevelopmentCorrected`` carrying the new form
  (keyed by its content, so re-importing that release again adds nothing); when
  the row now maps to another type (a ``CeasefireViolated`` an earlier version
  made of GED fighting, which is now always ``FightingReported``), the old
  development is retracted and the new one recorded under ``<key>:as:<Type>``;
- a row from a release older than the one recorded is not applied (rejected).

A row may also be recorded under a key an earlier mapper gave it
(``Planned.aliases``: ``ucdp-ged:15960.0`` for a GED id written as a float):
that development is then the row's, corrected or re-typed like any other.
Mappers never classify a row by what the log holds, so files imported in any
order give the same answers; an imported conflict registration is moved to the
earliest day any file names it (``plan.Registrations``).

Rows that cannot be mapped or do not pass the vocabulary are rejected and
reported; two different rows under one upstream id are both rejected.  Nothing
is written before every row has been checked (and the log does not check them
again: each submission carries its checked draft).  Up to 10,000 developments are
written in one transaction, so such an import stores all or nothing; a larger
file is written in transactions of ``batch_size``, and if one fails, running the
same import again resumes where it stopped (what was stored is recognised).
"""

from __future__ import annotations

from events.importers import acled, gdelt, plover, ucdp_acd, ucdp_ged, ucdp_pa
from events.importers.collector import collector_paused
from events.importers.decisions import Decisions, all_of, key_id
from events.importers.outcome import ImportFailed, ImportOptions, ImportSummary, Progress
from events.importers.plan import Checked, ImportProblem, Plan, World
from events.importers.tables import read_table
from events.importers.writing import BatchRefused, Writer
from events.log.application import ConflictLog
from events.vocabulary.errors import InvalidDevelopment
from events.vocabulary.occurred import parse_occurred
from events.vocabulary.validation import check_development

FORMATS = ("ucdp-ged", "ucdp-pa", "ucdp-acd", "acled", "plover", "gdelt")


def run_import(
    log: ConflictLog, fmt: str, data: bytes, options: ImportOptions | None = None, progress: Progress | None = None
) -> ImportSummary:
    """Import a file of the given format into the log; see the module's docstring."""
    options = options or ImportOptions()
    with collector_paused():
        world = read_world(log)
        plan = make_plan(fmt, data, world, options)
        return apply_plan(log, fmt, plan, world, options, progress)


def make_plan(fmt: str, data: bytes, world: World, options: ImportOptions) -> Plan:
    """Map a file to a plan (pure but for reading the file's bytes)."""
    if fmt == "ucdp-ged":
        return ucdp_ged.plan(read_table(data), world, options.release)
    if fmt == "ucdp-pa":
        return ucdp_pa.plan(read_table(data), world, options.release)
    if fmt == "ucdp-acd":
        return ucdp_acd.plan(read_table(data), world, options.release)
    if fmt == "acled":
        deletions = read_table(options.deletions) if options.deletions is not None else None
        return acled.plan(
            read_table(data), world, conflict=options.conflict, deletions=deletions, release=options.release
        )
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
    if fmt == "gdelt":
        return gdelt.plan(data, world, options)
    raise ImportProblem(f"unknown format '{fmt}'; the formats are {', '.join(FORMATS)}")


def read_world(log: ConflictLog) -> World:
    """What the log knows that mappers need: conflicts by external id, actors, ceasefires."""
    known = log.refresh_known()
    world = World(conflicts=set(known.conflicts), actors=set(known.actors))
    for development in all_of(log, ["ConflictRegistered"]):
        for external in development.data.get("external_ids", []):
            world.conflicts_by_external_id.setdefault(external, development.data["conflict"])
            scheme, _, upstream = external.partition(":")
            key = f"{scheme}:conflict:{upstream}"
            if development.id == key_id(key):  # registered by an import, not by a person
                world.registered[key] = (development.id, development.content())
        world.territory[development.data["conflict"]] = development.data.get("territory", [])
        world.parties[development.data["conflict"]] = development.data.get("parties", [])
    targets = {ident: key for key, (ident, _) in world.registered.items()}
    for correction in all_of(log, ["DevelopmentCorrected"]):
        replacement = correction.data["replacement"]
        if replacement["type"] == "ConflictRegistered":
            world.territory[replacement["data"]["conflict"]] = replacement["data"].get("territory", [])
            world.parties[replacement["data"]["conflict"]] = replacement["data"].get("parties", [])
        corrected = targets.get(correction.data["target"])
        if corrected is not None:
            world.registered[corrected] = (correction.data["target"], replacement)
    for development in all_of(log, ["CeasefireCalled", "CeasefireAgreed"]):
        day = development.latest
        if development.data.get("effective"):
            day = max(day, parse_occurred(development.data["effective"]).latest)
        for conflict in development.conflicts:
            if conflict not in world.ceasefires or day < world.ceasefires[conflict]:
                world.ceasefires[conflict] = day
    return world


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
    registrations = [Checked(p, check_development(p.raw)) for p in plan.registrations]
    checked = _without_duplicates(plan, _check(plan, world, registrations, tick, total))
    if options.strict and _rejected(plan):
        _count_reports(summary, plan)
        raise ImportFailed(f"{summary.rejected} row(s) rejected; nothing was imported (strict)", summary)
    submissions = Decisions(log, plan).decide(registrations, checked, summary)
    _count_reports(summary, plan)
    tick(total // 2, total)

    def received(created: bool, outcome: str) -> None:
        if not outcome:
            return
        if created:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        elif outcome != "registered":
            summary.unchanged += 1

    writer: Writer[str] = Writer(log, options.batch_size, received)
    try:
        for submission, outcome in submissions:
            writer.add(submission, outcome)
            tick(total // 2 + (total - total // 2) * writer.written // len(submissions), total)
        writer.flush()
    except BatchRefused as e:
        raise ImportFailed(
            f"writing stopped after {e.written} of {len(submissions)} developments ({e.error}); "
            "running the same import again resumes where it stopped",
            summary,
        ) from e
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


def _check(plan: Plan, world: World, registrations: list[Checked], tick: Progress, total: int) -> list[Checked]:
    """Every planned development through the vocabulary and the reference checks, before any write.

    A row any of whose developments fails is rejected whole.
    """
    conflicts = world.conflicts | {c.draft.data["conflict"] for c in registrations if "conflict" in c.draft.data}
    actors = {c.draft.data["actor"] for c in registrations if "actor" in c.draft.data}
    checked: list[Checked] = []
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
        checked.append(Checked(planned, draft))
    return [c for c in checked if (c.planned.row_id, c.planned.line) not in bad]


def _without_duplicates(plan: Plan, checked: list[Checked]) -> list[Checked]:
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
    kept: list[Checked] = []
    seen: set[str] = set()
    for item in checked:
        if item.planned.row_id in clashing or item.planned.key in seen:
            continue
        seen.add(item.planned.key)
        kept.append(item)
    return kept
