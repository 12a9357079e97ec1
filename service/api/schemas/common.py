"""What every schema module shares: strict ordered schemas, positions, evidence, references to developments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from events.vocabulary.occurred import FIRST_DAY, LAST_DAY

#: the largest log position the databases can hold (a signed 64-bit integer)
MAX_POSITION = 2**63 - 1
POSITION = validate.Range(min=0, max=MAX_POSITION)
#: the days a question may ask about (``events.vocabulary.occurred``)
AS_OF_RANGE = validate.Range(
    min=FIRST_DAY, max=LAST_DAY, error=f"expected a day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
)


#: what ``computed_for.head`` says
REFLECTS = (
    "the log position the answer reflects: every development up to it counts (send it as min_position "
    "to another reader to get an answer at least as new)"
)


class StrictSchema(Schema):
    class Meta:
        ordered = True


class EvidenceSchema(StrictSchema):
    ids = fields.List(fields.UUID(), required=True, metadata={"description": "newest first, at most 20"})
    total = fields.Integer(required=True, metadata={"description": "how many developments stand behind the fact"})
    capped = fields.Boolean(required=True, metadata={"description": "true when ids shows only the newest"})


class DevelopmentRefSchema(StrictSchema):
    id = fields.UUID(required=True)
    type = fields.String(required=True)
    occurred = fields.String(required=True)
    summary = fields.String(required=True)


class UncertainSchema(DevelopmentRefSchema):
    occurred_earliest = fields.String(required=True)
    occurred_latest = fields.String(required=True)


class ComputedForSchema(StrictSchema):
    as_of = fields.String(
        allow_none=True, required=True, metadata={"description": "the date of the world answered for"}
    )
    known_at = fields.Integer(required=True, metadata={"description": "the log position answered for"})
    head = fields.Integer(metadata={"description": REFLECTS})


class ReflectsSchema(StrictSchema):
    head = fields.Integer(required=True, metadata={"description": REFLECTS})


class UnfoldedSchema(StrictSchema):
    """A development that counts but whose fold failed: the answer leaves it out (a retraction repairs it)."""

    id = fields.UUID(required=True)
    type = fields.String(required=True)
    recorded = fields.Integer(required=True, metadata={"description": "position from which this version counted"})
    error = fields.String(required=True, metadata={"description": "what kind of error the fold raised"})
