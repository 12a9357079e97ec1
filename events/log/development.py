"""A development: one aggregate with one event, so that writers never contend.

The aggregate id is the client's id, or a UUID5 of the idempotency key, or a new
UUID4.  Registrations get their own event class (so that the registries can be
read by topic); otherwise every development is a ``Development.Recorded``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from events.log.chain import Link
from events.log.library import add_event_field, new_event
from events.vocabulary.content import Content, content_fields
from events.vocabulary.validation import Draft

#: the submitted content fields and their types (the event stores ``earliest`` and ``latest`` as ISO text)
_CONTENT_TYPES = {f.name: f.type for f in dataclass_fields(Content) if f.name not in ("earliest", "latest")}

#: namespace of ids derived from idempotency keys
KEY_NAMESPACE = uuid.UUID("6f1c2a3e-5b0d-4c84-9a57-3d7e0c6b9f10")


def development_id(client_id: str | None, key: str | None) -> uuid.UUID:
    """The aggregate id of a submitted development."""
    if client_id:
        return uuid.UUID(client_id)
    if key:
        return key_uuid(key)
    return uuid.uuid4()


#: the keys of about two batches: a batch's admission derives each key's id and digest several times
_KEYS_REMEMBERED = 20_000


@lru_cache(maxsize=_KEYS_REMEMBERED)
def key_uuid(key: str) -> uuid.UUID:
    """The id an idempotency key gives a development submitted without one: a UUID5 of the key."""
    return uuid.uuid5(KEY_NAMESPACE, key)


@lru_cache(maxsize=_KEYS_REMEMBERED)
def key_digest(key: str) -> str:
    """SHA-256 of an idempotency key, as the log keeps it: the key names a retry, and may say more than it should."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


#: the stored event's field that holds the digest of the idempotency key it was submitted under
KEY_FIELD = "key_sha256"


class Development(Aggregate):
    """A development as the log keeps it: content, derived world-time bounds, digest."""

    class Created(Aggregate.Created):
        """The library's creation event (unused: a development's event is ``Recorded``)."""

        TOPIC = "events.development:Development.Created"

    class Recorded(Aggregate.Created):
        """A development's one event: its content (``Content``, as stored), world-time bounds and digest."""

        # The content fields come from ``Content``; events stored before ``origin``
        # existed read back with its default.
        __annotations__ = {
            **{name: kind for name, kind in _CONTENT_TYPES.items() if name != "origin"},
            "earliest": "str",
            "latest": "str",
            "digest": "str",
            "origin": "dict[str, Any] | None",
        }
        origin = None
        TOPIC = "events.development:Development.Recorded"

    class Registered(Recorded):
        """A ConflictRegistered or ActorRegistered (read by the registries by topic)."""

        TOPIC = "events.development:Development.Registered"

    TOPIC = "events.development:Development"

    def __init__(self, **content: Any) -> None:
        self.content = content

    @classmethod
    def recorded(cls, draft: Draft, aggregate_id: uuid.UUID, key: str | None = None) -> Development.Recorded:
        """The one event of a new development aggregate, without creating the aggregate.

        The log never loads a development as an aggregate, so appends make only
        the event: the same event ``Aggregate._create`` makes (a test proves it),
        at a third of the cost.  A development submitted under an idempotency
        key also stores the key's digest (``KEY_FIELD``), from which the index
        binds the key to it; others store exactly what they always did.
        """
        event_class = cls.Registered if draft.type in ("ConflictRegistered", "ActorRegistered") else cls.Recorded
        event: Development.Recorded = new_event(
            event_class, aggregate_id, cls.INITIAL_VERSION, DEVELOPMENT_TOPIC, **event_fields(draft)
        )
        if key is not None:
            add_event_field(event, KEY_FIELD, key_digest(key))  # not a declared field: absent unless given
        return event


def event_fields(draft: Draft) -> dict[str, Any]:
    """The fields of a development's event, from its checked draft."""
    out = {name: getattr(draft, name) for name in _CONTENT_TYPES}
    out.update(earliest=draft.earliest.isoformat(), latest=draft.latest.isoformat(), digest=draft.digest())
    return out


# Stored events name their class by topic.  Each class states its own (``TOPIC``):
# the module it stood in when the first events were stored, so that moving a
# class changes no stored topic (the library registers the explicit topics).
DEVELOPMENT_TOPIC = get_topic(Development)
RECORDED_TOPIC = get_topic(Development.Recorded)
REGISTERED_TOPIC = get_topic(Development.Registered)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedDevelopment(Content):
    """A development read back from the log, with its position and record time."""

    id: str
    position: int
    recorded_at: datetime
    digest: str
    #: its chain entry's hash and the previous entry's (``events.log.chain``) when read through the log;
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
            **content_fields(fields),
            earliest=date.fromisoformat(fields["earliest"]),
            latest=date.fromisoformat(fields["latest"]),
            digest=fields["digest"],
            hash=link.hash if link else None,
            prev_hash=link.prev_hash if link else None,
        )
