"""A development: one aggregate with one event, so that writers never contend.

The aggregate id is the client's id, or a UUID5 of the idempotency key, or a new
UUID4.  Registrations get their own event class (so that the registries can be
read by topic); otherwise every development is a ``Development.Recorded``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from events.chain import Link
from events.validation import Draft

#: namespace of ids derived from idempotency keys
KEY_NAMESPACE = uuid.UUID("6f1c2a3e-5b0d-4c84-9a57-3d7e0c6b9f10")


def development_id(client_id: str | None, key: str | None) -> uuid.UUID:
    """The aggregate id of a submitted development."""
    if client_id:
        return uuid.UUID(client_id)
    if key:
        return uuid.uuid5(KEY_NAMESPACE, key)
    return uuid.uuid4()


class Development(Aggregate):
    """A development as the log keeps it: content, derived world-time bounds, digest."""

    class Recorded(Aggregate.Created):
        type: str
        occurred: str
        earliest: str
        latest: str
        conflicts: list[str]
        actors: list[str]
        persons: list[dict[str, Any]]
        sources: list[dict[str, Any]]
        summary: str
        data: dict[str, Any]
        digest: str
        #: the upstream data set row of an imported development; events stored
        #: before this field existed read back with the default
        origin: dict[str, Any] | None = None

    class Registered(Recorded):
        """A ConflictRegistered or ActorRegistered (read by the registries by topic)."""

    def __init__(self, **content: Any) -> None:
        self.content = content

    @classmethod
    def recorded(cls, draft: Draft, aggregate_id: uuid.UUID) -> Development.Recorded:
        """The one event of a new development aggregate, without creating the aggregate.

        The log never loads a development as an aggregate, so appends make only
        the event: the same event ``Aggregate._create`` makes (a test proves it),
        at a third of the cost.
        """
        event_class = cls.Registered if draft.type in ("ConflictRegistered", "ActorRegistered") else cls.Recorded
        return event_class(
            originator_id=aggregate_id,
            originator_version=cls.INITIAL_VERSION,
            timestamp=event_class.create_timestamp(),
            originator_topic=DEVELOPMENT_TOPIC,
            **event_fields(draft),
        )


def event_fields(draft: Draft) -> dict[str, Any]:
    """The fields of a development's event, from its checked draft."""
    return dict(
        type=draft.type,
        occurred=draft.occurred.text,
        earliest=draft.occurred.earliest.isoformat(),
        latest=draft.occurred.latest.isoformat(),
        conflicts=draft.conflicts,
        actors=draft.actors,
        persons=draft.persons,
        sources=draft.sources,
        summary=draft.summary,
        data=draft.data,
        digest=draft.digest(),
        origin=draft.origin,
    )


# Stored events name their class by topic.  Should these classes ever move, keep
# the old topics readable with ``eventsourcing.utils.register_topic(old, cls)``.
DEVELOPMENT_TOPIC = get_topic(Development)
RECORDED_TOPIC = get_topic(Development.Recorded)
REGISTERED_TOPIC = get_topic(Development.Registered)


@dataclass(frozen=True, slots=True)
class RecordedDevelopment:
    """A development read back from the log, with its position and record time."""

    id: str
    position: int
    recorded_at: datetime
    type: str
    occurred: str
    earliest: date
    latest: date
    conflicts: list[str]
    actors: list[str]
    persons: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    summary: str
    data: dict[str, Any]
    digest: str
    origin: dict[str, Any] | None = None
    #: its chain entry's hash and the previous entry's (``events.chain``) when read through the log;
    #: not compared, so that a development equals itself however it was read
    hash: str | None = field(default=None, compare=False)
    prev_hash: str | None = field(default=None, compare=False)

    @classmethod
    def from_event(cls, event: Development.Recorded, position: int, link: Link | None = None) -> RecordedDevelopment:
        """A development from its decoded event (events stored before ``origin`` existed have none)."""
        return cls._from_fields(event.originator_id, position, event.timestamp, vars(event), link)

    @classmethod
    def from_stored(
        cls, originator_id: Any, position: int, state: bytes, link: Link | None = None
    ) -> RecordedDevelopment | None:
        """Read a stored event's JSON directly (several times faster than the mapper).

        None when the event needs the mapper: one written with a ``class_version``
        (to be upcast) or whose state is not plain JSON.
        """
        try:
            body = orjson.loads(state)  # a JSONDecodeError (lone surrogates, say) leaves it to the mapper
        except ValueError:
            return None
        if "class_version" in body or not isinstance(body.get("timestamp"), dict):
            return None
        recorded_at = datetime.fromisoformat(body["timestamp"]["_data_"])
        return cls._from_fields(originator_id, position, recorded_at, body, link)

    @classmethod
    def _from_fields(
        cls, originator_id: Any, position: int, recorded_at: datetime, fields: dict[str, Any], link: Link | None
    ) -> RecordedDevelopment:
        """The one mapping from a stored event's fields (decoded or raw JSON) and its chain link to a development.

        The lists and mappings are taken, not copied: every caller hands over
        values of its own (freshly decoded JSON, or the event it just made).
        """
        return cls(
            id=str(originator_id),
            position=position,
            recorded_at=recorded_at,
            type=fields["type"],
            occurred=fields["occurred"],
            earliest=date.fromisoformat(fields["earliest"]),
            latest=date.fromisoformat(fields["latest"]),
            conflicts=fields["conflicts"],
            actors=fields["actors"],
            persons=fields["persons"],
            sources=fields["sources"],
            summary=fields["summary"],
            data=fields["data"],
            digest=fields["digest"],
            origin=fields.get("origin") or None,
            hash=link.hash if link else None,
            prev_hash=link.prev_hash if link else None,
        )

    def content(self) -> dict[str, Any]:
        """The submitted content, as ``Draft.content()`` gives it."""
        return {
            "type": self.type,
            "occurred": self.occurred,
            "conflicts": self.conflicts,
            "actors": self.actors,
            "persons": self.persons,
            "sources": self.sources,
            "summary": self.summary,
            "data": self.data,
            **({"origin": self.origin} if self.origin is not None else {}),
        }
