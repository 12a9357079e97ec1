"""Marshmallow schemas of query parameters and responses.

Submitted developments are checked by the vocabulary in ``events/`` (the one
place their fields are written); their OpenAPI schema is derived from it in
``service.openapi``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from events.kinds import ACTOR_CODE, SLUG
from events.vocabulary import TYPES


class StrictSchema(Schema):
    class Meta:
        ordered = True


class DevelopmentSchema(StrictSchema):
    """A development as the log recorded it."""

    id = fields.UUID(required=True, metadata={"description": "the development's id"})
    position = fields.Integer(required=True, metadata={"description": "its position in the log (record order)"})
    recorded_at = fields.DateTime(required=True, metadata={"description": "when the log recorded it"})
    type = fields.String(required=True, validate=validate.OneOf(list(TYPES)))
    occurred = fields.String(required=True, metadata={"description": "EDTF date of the world"})
    occurred_earliest = fields.Date(attribute="earliest", required=True, metadata={"description": "first day it allows"})
    occurred_latest = fields.Date(attribute="latest", required=True, metadata={"description": "last day it allows"})
    conflicts = fields.List(fields.String(), required=True)
    actors = fields.List(fields.String(), required=True)
    persons = fields.List(fields.Dict(), required=True)
    sources = fields.List(fields.Dict(), required=True)
    summary = fields.String(required=True)
    data = fields.Dict(required=True)


class ReceiptSchema(DevelopmentSchema):
    created = fields.Boolean(required=True, metadata={"description": "false when this repeats an earlier submission"})


class BatchReceiptSchema(StrictSchema):
    items = fields.List(fields.Nested(ReceiptSchema), required=True)
    created = fields.Integer(required=True, metadata={"description": "how many were stored by this call"})
    unchanged = fields.Integer(required=True, metadata={"description": "how many repeated earlier submissions"})


class EventPageSchema(StrictSchema):
    items = fields.List(fields.Nested(DevelopmentSchema), required=True)
    next_after = fields.Integer(
        allow_none=True, required=True, metadata={"description": "pass as `after` for the next page; null at the end"}
    )
    head = fields.Integer(required=True, metadata={"description": "the log's newest position when answered"})


class EventQuerySchema(StrictSchema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0), metadata={"description": "position cursor"})
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


class HealthSchema(StrictSchema):
    status = fields.String(required=True)
    database = fields.String(required=True)
    head = fields.Integer(required=True)
