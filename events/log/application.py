"""The log: an append-only record of developments, as an eventsourcing Application.

Every development is its own single-event aggregate, so writers never contend on
an aggregate; a batch is one ``save()`` and so one transaction.  Submission checks
the vocabulary, then idempotency, then references (``events.log.admission``),
and stores nothing unless every development of the call is sound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, Notification, Recording, Transcoder
from eventsourcing.utils import Environment, get_topic

from events.log.admission import (
    References,
    Submission,
    bound_ids,
    check_all,
    check_keys,
    fresh_indexes,
    ids_of,
    keyed_ids,
)
from events.log.chain import CanonicalJSONTranscoder, Link
from events.log.development import Development, RecordedDevelopment, key_digest
from events.log.group_commit import GroupCommit
from events.log.library import store_events
from events.log.store import LogStore
from events.vocabulary.errors import BatchTooLarge, DevelopmentNotFound
from events.vocabulary.kinds import parse_uuid
from events.vocabulary.references import KnownIds

MAX_BATCH = 10_000

__all__ = ["MAX_BATCH", "ConflictLog", "Receipt", "Submission"]


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to a submission: the development as recorded, and whether this call stored it."""

    development: RecordedDevelopment
    created: bool


class ConflictLog(Application[UUID]):
    """The append-only log of developments."""

    name = "ConflictLog"

    def __init__(self, env: Mapping[str, str]) -> None:
        self._explicit_env = dict(env)
        super().__init__(env=dict(env))
        self.references = References(self.store)
        #: single appends of concurrent threads share one transaction (``events.log.group_commit``)
        self.group_commit = GroupCommit(self.save, getattr(self.recorder, "writer_turn", nullcontext))
        #: called with the new head after every append (the service signs checkpoints with it)
        self.on_appended: Callable[[int], None] | None = None

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Configure from the given mapping only: settings, not ``os.environ``, decide."""
        return Environment(name, dict(env or {}))

    def construct_transcoder(self) -> Transcoder:
        """Store events as RFC 8785 bytes, which the hash chain covers as they are (``events.log.chain``)."""
        transcoder = CanonicalJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def save(
        self, *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None, **kwargs: Any
    ) -> list[Recording[UUID]]:
        """Store the events (or the aggregates' pending events) in one transaction.

        The log has no snapshots and no aggregate cache, so the events go
        straight to the store (``library.store_events``).
        """
        events: list[DomainEventProtocol[UUID]] = []
        for obj in objs:
            if isinstance(obj, Aggregate):
                events += obj.collect_events()
            elif obj is not None:
                events.append(obj)  # type: ignore[arg-type]
        recordings = store_events(self, events, **kwargs)
        if recordings and self.on_appended is not None:
            self.on_appended(max(r.notification.id for r in recordings))
        return recordings

    @property
    def store(self) -> LogStore:
        """The log's own tables beside the events: index, hash chain, signed checkpoints."""
        assert isinstance(self.recorder, LogStore)
        return self.recorder

    # -- writing -------------------------------------------------------------------

    def submit(self, raw: Any, key: str | None = None) -> Receipt:
        """Append one development (or answer with the original for a repeated one)."""
        return self.submit_many([Submission(raw, key)], batch=False)[0]

    def submit_many(self, submissions: Sequence[Submission], *, batch: bool = True) -> list[Receipt]:
        """Append all the developments in one transaction, or none of them."""
        return self._receipts(*self._append(submissions, batch))

    def append_many(self, submissions: Sequence[Submission]) -> list[bool]:
        """Append all the developments in one transaction, or none of them; whether this call stored each.

        ``submit_many`` without the receipts: an import counts what it added and
        needs nothing else back, and building a development for every receipt
        was a tenth of its write.
        """
        ids, _, recordings = self._append(submissions, True)
        stored = {r.domain_event.originator_id for r in recordings}
        created = []
        for ident in ids:
            created.append(ident in stored)
            stored.discard(ident)  # a development repeated in the call is stored by its first item
        return created

    def _append(
        self, submissions: Sequence[Submission], batch: bool
    ) -> tuple[list[UUID], Mapping[str, Any], list[Recording[UUID]]]:
        """Check and store the submissions; their ids, the index rows of those already stored, the new recordings."""
        if len(submissions) > MAX_BATCH:
            raise BatchTooLarge(len(submissions), MAX_BATCH)
        drafts = check_all(submissions, batch)
        ids = ids_of(drafts, submissions)
        digests = list({key_digest(s.key) for s in submissions if s.key})
        for attempt in range(3):
            owners = self.store.key_owners(digests) if digests else {}
            ids = bound_ids(ids, drafts, submissions, owners)  # a known key names its development
            # an id the log drew itself (no client id, no key) is new: only the others can be in the log,
            # unless a failed attempt may have stored them after all (a lost answer to a commit)
            looked_up = [
                *(str(i) for i, d, s in zip(ids, drafts, submissions, strict=True) if attempt or d.client_id or s.key),
                *keyed_ids(submissions, drafts),
            ]
            existing = self.store.index_by_ids(looked_up) if looked_up else {}
            check_keys(submissions, ids, owners, existing, batch)
            fresh = fresh_indexes(drafts, ids, existing, batch)
            self.references.check_references([drafts[i] for i in fresh], [i for i in fresh], batch)
            events = [Development.recorded(drafts[i], ids[i], submissions[i].key) for i in fresh]
            try:
                save = self.save if batch else self.group_commit.save
                recordings = save(*events) if events else []
            except IntegrityError:
                if attempt == 2:
                    raise
                self.references.raise_if_taken_registry(drafts, fresh, batch)
                continue  # another writer stored one of these ids meanwhile: look again
            return ids, existing, recordings
        raise AssertionError("unreachable")

    def _receipts(self, ids: list[UUID], existing: Mapping[str, Any], recordings: Sequence[Any]) -> list[Receipt]:
        positions = [r.notification.id for r in recordings]
        links: Mapping[int, Link] = self.store.recent_links.get(positions)
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
        return self.references.refresh()

    @property
    def known(self) -> KnownIds:
        """The registries as this process last read them."""
        return self.references.known

    def get(self, ident: str) -> RecordedDevelopment:
        """The development with this id, or ``DevelopmentNotFound``."""
        try:
            key = parse_uuid(ident, "id")
        except Exception:
            raise DevelopmentNotFound(str(ident)) from None
        row = self.store.index_by_ids([key]).get(key)
        if row is None:
            raise DevelopmentNotFound(key)
        return self.developments([row["position"]])[0]

    def developments(self, positions: Sequence[int]) -> list[RecordedDevelopment]:
        """The developments at these positions, in log order."""
        return self._decoded(self.store.select_stored(positions))

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
        return self.developments(self.store.select_positions(after=after, limit=limit, **filters))

    def _decoded(self, notifications: Sequence[Notification]) -> list[RecordedDevelopment]:
        """The developments of stored events, with their ``hash`` and ``prev_hash`` from the chain."""
        links = self._links([n.id for n in notifications])
        return [self.decode(n, links.get(n.id)) for n in notifications]

    def _links(self, positions: Sequence[int]) -> Mapping[int, Link]:
        return self.store.links_between(min(positions), max(positions)) if positions else {}

    def head(self) -> int:
        """The position of the newest stored event (0 when the log is empty)."""
        return self.recorder.max_notification_id() or 0


DEVELOPMENT_TOPICS = [get_topic(Development.Recorded), get_topic(Development.Registered)]
