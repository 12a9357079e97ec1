"""Schemas of the log's routes: developments as recorded, batches, pages, the live feed, health.

A development's content fields are not written here: ``content_fields`` derives
them from the vocabulary's envelope (``events.vocabulary``), the one place they
are declared.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from events.vocabulary.content import SUBMITTED
from events.vocabulary.event_types import TYPES, envelope_fields
from events.vocabulary.kinds import ACTOR_CODE, SLUG, Choice, Count, Flag, Kind, ListOf
from events.vocabulary.records import AnyObject, Record
from service.api.schemas.common import POSITION, ReflectsSchema, StrictSchema


def content_fields() -> dict[str, fields.Field]:
    """Marshmallow fields of a development's content, as answers give it, from the vocabulary's envelope."""
    envelope = envelope_fields(AnyObject(description="the fields of its type"))
    return {
        name: _answer_field(envelope[name].kind, required=name != "origin", allow_none=name == "origin")
        for name in SUBMITTED
    }


def _answer_field(kind: Kind, **options: Any) -> fields.Field:
    metadata = {"description": kind.description} if kind.description else {}
    if isinstance(kind, ListOf):
        return fields.List(_answer_field(kind.item), metadata=metadata, **options)
    if isinstance(kind, Record | AnyObject):
        return fields.Dict(metadata=metadata, **options)
    if isinstance(kind, Flag):
        return fields.Boolean(metadata=metadata, **options)
    if isinstance(kind, Count):
        return fields.Integer(metadata=metadata, **options)
    if isinstance(kind, Choice):
        return fields.String(validate=validate.OneOf(kind.values), metadata=metadata, **options)
    return fields.String(metadata=metadata, **options)


def _hash() -> fields.String:
    return fields.String(required=True, metadata={"description": "SHA-256 of its chain entry (see /v1/audit)"})


def _prev_hash() -> fields.String:
    return fields.String(required=True, metadata={"description": "the previous entry's hash (zeros first)"})


class RecordedSchema(StrictSchema):
    """Which development the log recorded, where and when (the fields a record and a stamp share)."""

    id = fields.UUID(required=True, metadata={"description": "the development's id"})
    position = fields.Integer(required=True, metadata={"description": "its position in the log (record order)"})
    recorded_at = fields.DateTime(required=True, metadata={"description": "when the log recorded it"})
    type = fields.String(required=True, validate=validate.OneOf(list(TYPES)))


def _development_fields() -> dict[str, fields.Field]:
    """The content fields, with the days ``occurred`` allows after it."""
    out: dict[str, fields.Field] = {}
    for name, field in content_fields().items():
        out[name] = field
        if name == "occurred":
            out["occurred_earliest"] = fields.Date(
                attribute="earliest", required=True, metadata={"description": "first day it allows"}
            )
            out["occurred_latest"] = fields.Date(
                attribute="latest", required=True, metadata={"description": "last day it allows"}
            )
    return out


class DevelopmentSchema(RecordedSchema.from_dict(_development_fields())):  # type: ignore[misc]
    """A development as the log recorded it: where and when, its content, and its link in the chain."""

    hash = _hash()
    prev_hash = _prev_hash()


class ReceiptSchema(DevelopmentSchema):
    created = fields.Boolean(required=True, metadata={"description": "false when this repeats an earlier submission"})


class StampSchema(RecordedSchema):
    """Where one item of a batch was recorded: the content is the client's own (read it at /v1/events/{id})."""

    digest = fields.String(required=True, metadata={"description": "SHA-256 of its content, as idempotency compares"})
    hash = _hash()
    prev_hash = _prev_hash()
    created = fields.Boolean(required=True, metadata={"description": "false when this repeats an earlier submission"})


class BatchReceiptSchema(StrictSchema):
    """A batch's answer: one stamp an item, in the order sent (not the whole records: the client sent them)."""

    items = fields.List(fields.Nested(StampSchema), required=True)
    created = fields.Integer(required=True, metadata={"description": "how many were stored by this call"})
    unchanged = fields.Integer(required=True, metadata={"description": "how many repeated earlier submissions"})


class EventPageSchema(StrictSchema):
    items = fields.List(fields.Nested(DevelopmentSchema), required=True)
    next_after = fields.Integer(
        allow_none=True, required=True, metadata={"description": "pass as `after` for the next page; null at the end"}
    )
    head = fields.Integer(required=True, metadata={"description": "the log's newest position when answered"})
    computed_for = fields.Nested(ReflectsSchema, required=True)


class EventQuerySchema(StrictSchema):
    after = fields.Integer(load_default=0, validate=POSITION, metadata={"description": "position cursor"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    type = fields.List(
        fields.String(validate=validate.OneOf(list(TYPES))),
        load_default=list,
        metadata={"description": "event types (repeat the parameter for several)"},
    )
    conflict = fields.String(validate=validate.Regexp(SLUG), metadata={"description": "a conflict id"})
    actor = fields.String(validate=validate.Regexp(ACTOR_CODE), metadata={"description": "an actor code"})
    occurred_from = fields.Date(metadata={"description": "developments that may have happened on or after this day"})
    occurred_to = fields.Date(metadata={"description": "developments that may have happened on or before this day"})


class FailingFoldSchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(["conflict", "agenda"]))
    key = fields.String(required=True, metadata={"description": "the conflict id, or the agenda's two actors: FRA-RUS"})
    id = fields.UUID(required=True, metadata={"description": "the development that could not be folded"})
    recorded = fields.Integer(required=True, metadata={"description": "position from which that version counted"})
    type = fields.String(required=True)
    error = fields.String(required=True, metadata={"description": "what kind of error the fold raised"})


class HealthSchema(StrictSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(["ok", "degraded"]),
        metadata={"description": "degraded: a development could not be folded, or writes cannot reach their database"},
    )
    database = fields.String(required=True)
    head = fields.Integer(required=True, metadata={"description": "the newest log position the read side holds"})
    projected = fields.Integer(required=True, metadata={"description": "the position the stored projections reflect"})
    reflects = fields.Integer(required=True, metadata={"description": "the position answers reflect now"})
    writes = fields.String(
        required=True,
        validate=validate.OneOf(["ok", "unreachable"]),
        metadata={"description": "whether DATABASE_URL answers (asked only when reads go elsewhere)"},
    )
    projections = fields.String(
        required=True,
        validate=validate.OneOf(["current", "outdated"]),
        metadata={"description": "outdated: made by folds of another version, until a writer rebuilds them"},
    )
    unfolded = fields.List(
        fields.Nested(FailingFoldSchema),
        required=True,
        metadata={"description": "developments whose fold failed, by scope: only those answers leave them out"},
    )


class StreamHeadersSchema(StrictSchema):
    last_event_id = fields.String(
        data_key="Last-Event-ID",
        metadata={
            "description": "resume after this position (sent by EventSource when it reconnects); wins over `after`; "
            "empty: ignored",
            "pattern": "^[0-9]{0,18}$",
        },
    )


class StreamQuerySchema(StrictSchema):
    after = fields.Integer(
        load_default=0,
        validate=POSITION,
        metadata={"description": "start after this position (a `Last-Event-ID` header takes precedence)"},
    )
    limit = fields.Integer(
        load_default=1000, validate=validate.Range(min=1, max=100_000), metadata={"description": "end after this many"}
    )
    wait = fields.Float(
        load_default=30.0,
        validate=validate.Range(min=0, max=300),
        metadata={"description": "end after this many seconds (reconnect with the last position to go on)"},
    )
    heartbeat = fields.Float(
        load_default=15.0,
        validate=validate.Range(min=0.5, max=120),
        metadata={"description": "seconds between heartbeats while nothing new arrives"},
    )
