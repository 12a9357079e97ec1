"""Schemas of the change routes: what changed between two points, across every conflict and agenda."""

from __future__ import annotations

from marshmallow import fields, validate

from service.api.schemas.audit import DifferenceSchema, ScopeSchema, SideSchema
from service.api.schemas.common import ReflectsSchema, StrictSchema

POINT = "a date (as_of), a log position (known_at), or both: 2020-01-15@42"


class ChangesQuerySchema(StrictSchema):
    from_ = fields.String(
        data_key="from", required=True, validate=validate.Length(min=1, max=40), metadata={"description": POINT}
    )
    to = fields.String(
        validate=validate.Length(min=1, max=40), metadata={"description": f"{POINT}; default: today at the head"}
    )
    after = fields.String(
        validate=validate.Regexp(r"^(conflict|agenda):[A-Za-z0-9_-]+$"),
        metadata={"description": "cursor: next_after of the previous page"},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "conflicts and agendas compared by this request (each compared costs two folds)"},
    )


class ScopeChangeSchema(StrictSchema):
    scope = fields.Nested(ScopeSchema, required=True)
    differences = fields.List(fields.Nested(DifferenceSchema), required=True)


class ChangesSchema(StrictSchema):
    from_ = fields.Nested(SideSchema, data_key="from", attribute="from", required=True)
    to = fields.Nested(SideSchema, required=True)
    changes = fields.List(
        fields.Nested(ScopeChangeSchema),
        required=True,
        metadata={"description": "every conflict and agenda compared on this page whose answer differs"},
    )
    examined = fields.Integer(required=True, metadata={"description": "conflicts and agendas compared on this page"})
    candidates = fields.Integer(
        required=True,
        metadata={
            "description": "conflicts and agendas that could differ: those touched between the two positions "
            "when both points are for the same date, else every one"
        },
    )
    next_after = fields.String(
        allow_none=True, required=True, metadata={"description": "pass as `after` for the next page; null at the end"}
    )
    computed_for = fields.Nested(ReflectsSchema, required=True)
