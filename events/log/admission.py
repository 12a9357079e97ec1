"""What a submission must pass before the log stores anything of it.

First the vocabulary (every problem of every item, at once); then ids (an id or
idempotency key taken by other content is a conflict, and so is a key that
already belongs to a development of another id); then references: unknown
conflicts, actors and targets of corrections are refused by name with the
closest known id, and so are registrations of ids the log already knows.  The
registries are kept in memory (``KnownIds``) and refreshed from the log's index
only when a reference is unknown or a call registers something.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from events.log.development import development_id, key_digest
from events.log.index import IndexQueries
from events.vocabulary.errors import IdConflict, InvalidDevelopment, Problem, UnknownReference
from events.vocabulary.event_types import RECORD_KEEPING
from events.vocabulary.references import KnownIds
from events.vocabulary.validation import Draft, check_development


@dataclass(frozen=True, slots=True)
class Submission:
    """One development to append: its JSON value and, optionally, an idempotency key.

    ``checked`` is the draft ``check_development(raw)`` made, when the caller has
    checked it already (an import checks every row before writing any): the log
    then does not check it again.
    """

    raw: Any
    key: str | None = None
    checked: Draft | None = None


def check_all(submissions: Sequence[Submission], batch: bool) -> list[Draft]:
    """Every submission checked against the vocabulary; every problem of every item at once."""
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for index, submission in enumerate(submissions):
        if submission.checked is not None:
            drafts.append(submission.checked)
            continue
        try:
            drafts.append(check_development(submission.raw))
        except InvalidDevelopment as e:
            problems += [Problem(p.field, p.message, index if batch else None) for p in e.problems]
    if problems:
        raise InvalidDevelopment(problems)
    return drafts


def ids_of(drafts: list[Draft], submissions: Sequence[Submission]) -> list[UUID]:
    """The ids the drafts will have; two items of one call under one id must have the same content."""
    ids = [development_id(d.client_id, s.key) for d, s in zip(drafts, submissions, strict=True)]
    first: dict[UUID, int] = {}
    problems = []
    for index, (ident, draft) in enumerate(zip(ids, drafts, strict=True)):
        if ident in first and drafts[first[ident]].digest() != draft.digest():
            problems.append(Problem("id", f"id {ident} is also used by item {first[ident]} with other content", index))
        first.setdefault(ident, index)
    if problems:
        raise IdConflict("two items of the batch share an id but not their content", problems)
    return ids


def keyed_ids(submissions: Sequence[Submission], drafts: Sequence[Draft]) -> list[str]:
    """The ids keys gave before keys were bound in the index: a keyed submission without an id got the key's UUID5.

    Looked up with the call's ids, so that a key used before its binding was
    recorded (a log written before it was) still finds its development.
    """
    return [str(development_id(None, s.key)) for s, d in zip(submissions, drafts, strict=True) if s.key and d.client_id]


def bound_ids(
    ids: Sequence[UUID], drafts: Sequence[Draft], submissions: Sequence[Submission], owners: Mapping[str, str]
) -> list[UUID]:
    """The ids with each submission that gives a key but no id taking its key's development, if the key is bound."""
    out = list(ids)
    for index, (draft, submission) in enumerate(zip(drafts, submissions, strict=True)):
        if submission.key and not draft.client_id:
            owner = owners.get(key_digest(submission.key))
            if owner is not None:
                out[index] = UUID(owner)
    return out


def check_keys(
    submissions: Sequence[Submission],
    ids: Sequence[UUID],
    owners: Mapping[str, str],
    existing: Mapping[str, Any],
    batch: bool,
) -> None:
    """An idempotency key belongs to the development its first submission stored, whatever ids come later.

    ``owners`` maps key digests to the developments the index binds them to;
    a key the index does not know may still own the development its UUID5 names
    (stored before keys were bound).  A submission whose id is another one than
    its key's development is refused, naming both ids.
    """
    problems: list[Problem] = []
    first: dict[str, tuple[int, UUID]] = {}
    for index, (submission, ident) in enumerate(zip(submissions, ids, strict=True)):
        if not submission.key:
            continue
        digest = key_digest(submission.key)
        derived = str(development_id(None, submission.key))
        owner = owners.get(digest) or (derived if derived in existing else None)
        shown = submission.key if len(submission.key) <= 60 else submission.key[:57] + "..."
        where = index if batch else None
        if owner is not None and owner != str(ident):
            problems.append(
                Problem(
                    "id",
                    f"Idempotency-Key '{shown}' belongs to development {owner}, recorded earlier; "
                    f"this submission names id {ident}",
                    where,
                )
            )
        elif digest in first and first[digest][1] != ident:
            message = f"Idempotency-Key '{shown}' is also used by item {first[digest][0]} with another id"
            problems.append(Problem("id", message, where))
        first.setdefault(digest, (index, ident))
    if problems:
        raise IdConflict("an Idempotency-Key belongs to a development of another id", problems)


def fresh_indexes(drafts: list[Draft], ids: list[UUID], existing: Mapping[str, Any], batch: bool) -> list[int]:
    """Indexes of the drafts to store: not yet in the log, and not repeated in the call."""
    fresh: list[int] = []
    seen: set[UUID] = set()
    problems = []
    for index, (ident, draft) in enumerate(zip(ids, drafts, strict=True)):
        row = existing.get(str(ident))
        if row is not None:
            if row["digest"] != draft.digest():
                problems.append(
                    Problem(
                        "id",
                        f"development {ident} was recorded at position {row['position']} with other content",
                        index if batch else None,
                    )
                )
        elif ident not in seen:
            fresh.append(index)
        seen.add(ident)
    if problems:
        raise IdConflict("an id is already taken by a development with other content", problems)
    return fresh


class References:
    """Checks a call's references against the registries (kept in memory, refreshed from the index)."""

    def __init__(self, store: IndexQueries) -> None:
        self.store = store
        self.known = KnownIds()

    def refresh(self) -> KnownIds:
        """Bring the in-memory registries up to date with the log."""
        for row in self.store.registry_since(self.known.position):
            self.known.add(row["kind"], row["key"], row["position"])
        return self.known

    def check_references(self, drafts: list[Draft], indexes: list[int], batch: bool) -> None:
        """Refuse unknown conflicts, actors and targets, and registrations of taken ids."""
        if not self._all_known(drafts):
            self.refresh()
        pending = {key for key in map(registration_key, drafts) if key}
        problems: list[Problem] = []
        targets: dict[str, list[tuple[int, str, Draft]]] = {}
        for index, draft in zip(indexes, drafts, strict=True):
            for kind, ref, field in draft.references:
                if kind == "development":
                    targets.setdefault(ref, []).append((index, field, draft))
                elif not self.known.is_known(kind, ref, pending):
                    problems.append(
                        Problem(field, self.known.unknown_message(kind, ref, pending), index if batch else None)
                    )
        taken = self._taken_registrations(drafts, indexes, batch)
        problems += self._target_problems(targets, batch)
        if taken:
            raise IdConflict("an id is already registered", taken)
        if problems:
            raise UnknownReference(problems)

    def _all_known(self, drafts: list[Draft]) -> bool:
        """Whether the registries in memory already know every reference (they only ever grow).

        Registrations always look at the log: whether their id is taken must be current.
        """
        return not any(registration_key(d) for d in drafts) and all(
            kind == "development" or self.known.is_known(kind, ref) for d in drafts for kind, ref, _ in d.references
        )

    def _taken_registrations(self, drafts: list[Draft], indexes: list[int], batch: bool) -> list[Problem]:
        """Registrations of ids the log knows already, or that the call registers twice."""
        problems: list[Problem] = []
        seen: set[tuple[str, str]] = set()
        for index, draft in zip(indexes, drafts, strict=True):
            where = index if batch else None
            problems += self._registration_problems(draft, where)
            registered = registration_key(draft)
            if registered in seen:
                assert registered is not None
                problems.append(
                    Problem("data", f"{registered[0]} '{registered[1]}' is registered twice in this batch", where)
                )
            if registered:
                seen.add(registered)
        return problems

    def _registration_problems(self, draft: Draft, where: int | None) -> list[Problem]:
        if draft.type == "ConflictRegistered" and draft.data["conflict"] in self.known.conflicts:
            return [Problem("data.conflict", f"conflict '{draft.data['conflict']}' is already registered", where)]
        if draft.type == "ActorRegistered" and self.known.is_known("actor", draft.data["actor"]):
            return [Problem("data.actor", f"actor '{draft.data['actor']}' is already known", where)]
        return []

    def _target_problems(self, targets: dict[str, list[tuple[int, str, Draft]]], batch: bool) -> list[Problem]:
        """Corrections and retractions must name an original development; a correction keeps its type."""
        if not targets:
            return []
        found = self.store.index_by_ids(list(targets))
        problems = []
        for target, uses in targets.items():
            row = found.get(target)
            for index, field, draft in uses:
                where = index if batch else None
                if row is None:
                    problems.append(Problem(field, f"no development has the id {target}", where))
                elif row["type"] in RECORD_KEEPING:
                    problems.append(
                        Problem(
                            field,
                            f"development {target} is a {row['type']}, which cannot be corrected or retracted",
                            where,
                        )
                    )
                elif draft.type == "DevelopmentCorrected" and draft.data["replacement"]["type"] != row["type"]:
                    problems.append(
                        Problem(
                            "data.replacement.type",
                            f"the replacement must be a {row['type']}, like the development it corrects",
                            where,
                        )
                    )
        return problems

    def raise_if_taken_registry(self, drafts: list[Draft], fresh: list[int], batch: bool) -> None:
        """After a failed insert: a concurrent writer may have registered the same id."""
        self.refresh()
        problems = []
        for index in fresh:
            problems += self._registration_problems(drafts[index], index if batch else None)
        if problems:
            raise IdConflict("an id is already registered", problems)


def registration_key(draft: Draft) -> tuple[str, str] | None:
    """(kind, id) of what a registration registers; None for other developments."""
    if draft.type == "ConflictRegistered":
        return ("conflict", draft.data["conflict"])
    if draft.type == "ActorRegistered":
        return ("actor", draft.data["actor"])
    return None
