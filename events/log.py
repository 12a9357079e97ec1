"""The log: an append-only record of developments, as an eventsourcing Application.

Every development is its own single-event aggregate, so writers never contend on
an aggregate; a batch is one ``save()`` and so one transaction.  Submission checks
the vocabulary, then references (conflicts, actors, targets of corrections), then
idempotency, and stores nothing unless every development of the call is sound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, Notification, Recording, Transcoder
from eventsourcing.utils import Environment, get_topic

from events.chain import CanonicalJSONTranscoder, Link
from events.chain_store import ChainStore
from events.database_url import parameters, sqlite_path
from events.development import Development, RecordedDevelopment, development_id
from events.errors import (
    BatchTooLarge,
    DevelopmentNotFound,
    IdConflict,
    InvalidDevelopment,
    Problem,
    UnknownReference,
)
from events.group_commit import GroupCommit
from events.kinds import parse_uuid
from events.recorders import IndexedPostgresRecorder, IndexedSQLiteRecorder, IndexQueries
from events.references import KnownIds
from events.validation import Draft, check_development
from events.vocabulary import RECORD_KEEPING

MAX_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to a submission: the development as recorded, and whether this call stored it."""

    development: RecordedDevelopment
    created: bool


@dataclass(frozen=True, slots=True)
class Submission:
    """One development to append: its JSON value and, optionally, an idempotency key."""

    raw: Any
    key: str | None = None


class ConflictLog(Application[UUID]):
    """The append-only log of developments."""

    name = "ConflictLog"

    def __init__(self, env: Mapping[str, str]) -> None:
        self._explicit_env = dict(env)
        super().__init__(env=dict(env))
        self.known = KnownIds()
        #: single appends of concurrent threads share one transaction (``events.group_commit``)
        self.group_commit = GroupCommit(self.save, getattr(self.recorder, "writer_turn", nullcontext))
        #: called with the new head after every append (the service signs checkpoints with it)
        self.on_appended: Callable[[int], None] | None = None

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Configure from the given mapping only: settings, not ``os.environ``, decide."""
        return Environment(name, dict(env or {}))

    def construct_transcoder(self) -> Transcoder:
        """Store events as RFC 8785 bytes, which the hash chain covers as they are (``events.chain``)."""
        transcoder = CanonicalJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def save(
        self, *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None, **kwargs: Any
    ) -> list[Recording[UUID]]:
        """Store the events (or the aggregates' pending events) in one transaction.

        ``Application.save`` tells events from aggregates with runtime
        ``Protocol`` checks, a tenth of a batch's time; the log has no
        snapshots and no aggregate cache, so the events go straight to the store.
        """
        events: list[DomainEventProtocol[UUID]] = []
        for obj in objs:
            if isinstance(obj, Aggregate):
                events += obj.collect_events()
            elif obj is not None:
                events.append(obj)  # type: ignore[arg-type]
        recordings = self.events.put(events, **kwargs) if events else []
        self._notify(recordings)
        if recordings and self.on_appended is not None:
            self.on_appended(max(r.notification.id for r in recordings))
        return recordings

    @property
    def index(self) -> IndexQueries:
        assert isinstance(self.recorder, IndexQueries)
        return self.recorder

    @property
    def chain(self) -> ChainStore:
        """The hash chain and signed checkpoints beside the events."""
        assert isinstance(self.recorder, ChainStore)
        return self.recorder

    # -- writing -------------------------------------------------------------------

    def submit(self, raw: Any, key: str | None = None) -> Receipt:
        """Append one development (or answer with the original for a repeated one)."""
        return self.submit_many([Submission(raw, key)], batch=False)[0]

    def submit_many(self, submissions: Sequence[Submission], *, batch: bool = True) -> list[Receipt]:
        """Append all the developments in one transaction, or none of them."""
        if len(submissions) > MAX_BATCH:
            raise BatchTooLarge(len(submissions), MAX_BATCH)
        drafts = self._check_all(submissions, batch)
        ids = self._ids(drafts, submissions, batch)
        # an id the log drew itself (no client id, no key) is new: only the others can be in the log,
        # unless a failed attempt may have stored them after all (a lost answer to a commit)
        named = [str(i) for i, d, s in zip(ids, drafts, submissions, strict=True) if d.client_id or s.key]
        for attempt in range(3):
            looked_up = named if attempt == 0 else [str(i) for i in ids]
            existing = self.index.index_by_ids(looked_up) if looked_up else {}
            fresh = self._fresh(drafts, ids, existing, batch)
            self._check_references([drafts[i] for i in fresh], [i for i in fresh], batch)
            events = [Development.recorded(drafts[i], ids[i]) for i in fresh]
            try:
                save = self.save if batch else self.group_commit.save
                recordings = save(*events) if events else []
            except IntegrityError:
                if attempt == 2:
                    raise
                self._raise_if_taken_registry(drafts, fresh, batch)
                continue  # another writer stored one of these ids meanwhile: look again
            return self._receipts(ids, existing, recordings)
        raise AssertionError("unreachable")

    def _check_all(self, submissions: Sequence[Submission], batch: bool) -> list[Draft]:
        drafts: list[Draft] = []
        problems: list[Problem] = []
        for index, submission in enumerate(submissions):
            try:
                drafts.append(check_development(submission.raw))
            except InvalidDevelopment as e:
                problems += [Problem(p.field, p.message, index if batch else None) for p in e.problems]
        if problems:
            raise InvalidDevelopment(problems)
        return drafts

    def _ids(self, drafts: list[Draft], submissions: Sequence[Submission], batch: bool) -> list[UUID]:
        ids = [development_id(d.client_id, s.key) for d, s in zip(drafts, submissions, strict=True)]
        first: dict[UUID, int] = {}
        problems = []
        for index, (ident, draft) in enumerate(zip(ids, drafts, strict=True)):
            if ident in first and drafts[first[ident]].digest() != draft.digest():
                problems.append(
                    Problem("id", f"id {ident} is also used by item {first[ident]} with other content", index)
                )
            first.setdefault(ident, index)
        if problems:
            raise IdConflict("two items of the batch share an id but not their content", problems)
        return ids

    def _fresh(self, drafts: list[Draft], ids: list[UUID], existing: Mapping[str, Any], batch: bool) -> list[int]:
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

    def _check_references(self, drafts: list[Draft], indexes: list[int], batch: bool) -> None:
        """Refuse unknown conflicts, actors and targets, and registrations of taken ids."""
        if not self._all_known(drafts):
            self.refresh_known()
        pending = {key for key in map(_registration_key, drafts) if key}
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
        return not any(_registration_key(d) for d in drafts) and all(
            kind == "development" or self.known.is_known(kind, ref) for d in drafts for kind, ref, _ in d.references
        )

    def _taken_registrations(self, drafts: list[Draft], indexes: list[int], batch: bool) -> list[Problem]:
        """Registrations of ids the log knows already, or that the call registers twice."""
        problems: list[Problem] = []
        seen: set[tuple[str, str]] = set()
        for index, draft in zip(indexes, drafts, strict=True):
            where = index if batch else None
            problems += self._registration_problems(draft, where)
            registered = _registration_key(draft)
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
        found = self.index.index_by_ids(list(targets))
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

    def _raise_if_taken_registry(self, drafts: list[Draft], fresh: list[int], batch: bool) -> None:
        """After a failed insert: a concurrent writer may have registered the same id."""
        self.refresh_known()
        problems = []
        for index in fresh:
            problems += self._registration_problems(drafts[index], index if batch else None)
        if problems:
            raise IdConflict("an id is already registered", problems)

    def _receipts(self, ids: list[UUID], existing: Mapping[str, Any], recordings: Sequence[Any]) -> list[Receipt]:
        positions = [r.notification.id for r in recordings]
        links: Mapping[int, Link] = self.chain.recent_links.get(positions)
        if len(links) < len(positions):
            links = self._links(positions)
        created = {
            d.id: d
            for d in (
                RecordedDevelopment.from_event(r.domain_event, r.notification.id, links.get(r.notification.id))
                for r in recordings
            )
        }
        old = {ident: self.get(ident) for ident in {str(i) for i in ids} if ident not in created and ident in existing}
        receipts = []
        handed: set[str] = set()
        for ident in (str(i) for i in ids):
            if ident in created and ident not in handed:
                receipts.append(Receipt(created[ident], True))
            else:
                receipts.append(Receipt(created.get(ident) or old[ident], False))
            handed.add(ident)
        return receipts

    # -- reading ----------------------------------------------------------------------

    def refresh_known(self) -> KnownIds:
        """Bring the in-memory registries up to date with the log."""
        for row in self.index.registry_since(self.known.position):
            self.known.add(row["kind"], row["key"], row["position"])
        return self.known

    def get(self, ident: str) -> RecordedDevelopment:
        """The development with this id, or ``DevelopmentNotFound``."""
        try:
            key = parse_uuid(ident, "id")
        except Exception:
            raise DevelopmentNotFound(str(ident)) from None
        row = self.index.index_by_ids([key]).get(key)
        if row is None:
            raise DevelopmentNotFound(key)
        return self.developments([row["position"]])[0]

    def developments(self, positions: Sequence[int]) -> list[RecordedDevelopment]:
        """The developments at these positions, in log order."""
        return self._decoded(self.index.select_stored(positions))

    def decode(self, notification: Notification, link: Link | None = None) -> RecordedDevelopment:
        """The development a stored event holds (read directly, or through the mapper to upcast)."""
        fast = RecordedDevelopment.from_stored(notification.originator_id, notification.id, notification.state, link)
        if fast is not None:
            return fast
        event = self.mapper.to_domain_event(notification)
        assert isinstance(event, Development.Recorded)
        return RecordedDevelopment.from_event(event, notification.id, link)

    def read(self, *, after: int = 0, limit: int = 100, **filters: Any) -> list[RecordedDevelopment]:
        """A page of developments after a position, optionally filtered (see ``select_positions``)."""
        if not any(v for v in filters.values()):
            notes = self.recorder.select_notifications(
                after, limit, topics=DEVELOPMENT_TOPICS, inclusive_of_start=False
            )
            return self._decoded(notes)
        return self.developments(self.index.select_positions(after=after, limit=limit, **filters))

    def _decoded(self, notifications: Sequence[Notification]) -> list[RecordedDevelopment]:
        """The developments of stored events, with their ``hash`` and ``prev_hash`` from the chain."""
        links = self._links([n.id for n in notifications])
        return [self.decode(n, links.get(n.id)) for n in notifications]

    def _links(self, positions: Sequence[int]) -> Mapping[int, Link]:
        return self.chain.links_between(min(positions), max(positions)) if positions else {}

    def head(self) -> int:
        """The position of the newest stored event (0 when the log is empty)."""
        return self.recorder.max_notification_id() or 0


def _registration_key(draft: Draft) -> tuple[str, str] | None:
    """(kind, id) of what a registration registers; None for other developments."""
    if draft.type == "ConflictRegistered":
        return ("conflict", draft.data["conflict"])
    if draft.type == "ActorRegistered":
        return ("actor", draft.data["actor"])
    return None


DEVELOPMENT_TOPICS = [get_topic(Development.Recorded), get_topic(Development.Registered)]


def log_environment(database_url: str, *, create_tables: bool = True) -> dict[str, str]:
    """The eventsourcing environment for a ``DATABASE_URL`` (sqlite:/// or postgresql://)."""
    parts = urlsplit(database_url)
    create = "y" if create_tables else "n"
    if parts.scheme == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": sqlite_path(database_url),
            "SQLITE_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": create,
            "APPLICATION_RECORDER_TOPIC": get_topic(IndexedSQLiteRecorder),
        }
    if parts.scheme in ("postgres", "postgresql"):
        query = parameters(database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", "public"),
            "POSTGRES_POOL_SIZE": query.get("pool_size", "4"),
            "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", "4"),
            "POSTGRES_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": create,
            "APPLICATION_RECORDER_TOPIC": get_topic(IndexedPostgresRecorder),
        }
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not '{parts.scheme}:'")


def open_log(database_url: str, *, create_tables: bool = True) -> ConflictLog:
    """Open the log at ``database_url``."""
    return ConflictLog(log_environment(database_url, create_tables=create_tables))
