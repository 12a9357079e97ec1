"""Marshmallow schemas of query parameters and responses.

Submitted developments are checked by the vocabulary in ``events/`` (the one
place their fields are written); their OpenAPI schema is derived from it in
``service.openapi``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from events.vocabulary.event_types import TYPES
from events.vocabulary.kinds import ACTOR_CODE, SLUG

#: the largest log position the databases can hold (a signed 64-bit integer)
MAX_POSITION = 2**63 - 1
POSITION = validate.Range(min=0, max=MAX_POSITION)


class StrictSchema(Schema):
    class Meta:
        ordered = True


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


class DevelopmentSchema(RecordedSchema):
    """A development as the log recorded it."""

    occurred = fields.String(required=True, metadata={"description": "EDTF date of the world"})
    occurred_earliest = fields.Date(
        attribute="earliest", required=True, metadata={"description": "first day it allows"}
    )
    occurred_latest = fields.Date(attribute="latest", required=True, metadata={"description": "last day it allows"})
    conflicts = fields.List(fields.String(), required=True)
    actors = fields.List(fields.String(), required=True)
    persons = fields.List(fields.Dict(), required=True)
    sources = fields.List(fields.Dict(), required=True)
    summary = fields.String(required=True)
    data = fields.Dict(required=True)
    origin = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the upstream data set row of an imported development: dataset, release, row_id, flags"
        },
    )
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


class HealthSchema(StrictSchema):
    status = fields.String(required=True)
    database = fields.String(required=True)
    head = fields.Integer(required=True)


# -- projections ----------------------------------------------------------------------


class EvidenceSchema(StrictSchema):
    ids = fields.List(fields.UUID(), required=True, metadata={"description": "newest first, at most 20"})
    total = fields.Integer(required=True, metadata={"description": "how many developments stand behind the fact"})
    capped = fields.Boolean(required=True, metadata={"description": "true when ids shows only the newest"})


class CeasefireSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(["none", "called", "agreed", "violated"]))
    called_by = fields.List(fields.String(), required=True)
    basis = fields.List(fields.String(), required=True)
    parties = fields.List(fields.String(), required=True)
    since = fields.String(
        allow_none=True, required=True, metadata={"description": "EDTF date of the call or agreement"}
    )
    effective = fields.String(allow_none=True, required=True)
    dialogue_resumption = fields.Boolean(allow_none=True, required=True)
    violations = fields.Integer(required=True)
    last_violation = fields.String(allow_none=True, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class SummitSchema(StrictSchema):
    summit = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["proposed", "scheduled", "postponed", "cancelled", "held"])
    )
    date = fields.String(allow_none=True, required=True)
    location = fields.String(allow_none=True, required=True)
    format = fields.String(allow_none=True, required=True)
    participants = fields.List(fields.String(), required=True)
    proposed_by = fields.List(fields.String(), required=True)
    in_principle = fields.Boolean(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class UrgedSchema(StrictSchema):
    by = fields.String(required=True)
    on = fields.String(required=True)


class CommitmentSchema(StrictSchema):
    commitment = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["pending", "fulfilled", "broken", "overdue"]))
    overdue = fields.Boolean(required=True, metadata={"description": "pending past its due date at the asked date"})
    description = fields.String(allow_none=True, required=True)
    parties = fields.List(fields.String(), required=True)
    due = fields.String(allow_none=True, required=True)
    summit = fields.String(allow_none=True, required=True)
    made = fields.String(allow_none=True, required=True)
    resolved = fields.String(allow_none=True, required=True)
    breach = fields.String(metadata={"description": "how it was broken"})
    urged = fields.List(fields.Nested(UrgedSchema), required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class FrameworkSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["resolution", "agreement"]))
    body = fields.String()
    number = fields.String()
    title = fields.String(allow_none=True)
    adopted = fields.String()
    agreement = fields.String()
    name = fields.String()
    parties = fields.List(fields.String())
    signed = fields.String()
    evidence = fields.Nested(EvidenceSchema, required=True)


class AssessmentSchema(StrictSchema):
    trend = fields.String(required=True)
    alert = fields.String(allow_none=True, required=True)
    period = fields.String(required=True)
    assessed = fields.String(required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class DeathsSchema(StrictSchema):
    best = fields.Integer(required=True)
    low = fields.Integer(required=True)
    high = fields.Integer(required=True)


class FightingSchema(StrictSchema):
    from_ = fields.String(
        data_key="from", attribute="from", required=True, metadata={"description": "first day of the window"}
    )
    to = fields.String(required=True, metadata={"description": "the asked date"})
    reports = fields.Integer(required=True)
    deaths = fields.Nested(DeathsSchema, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


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
    head = fields.Integer(metadata={"description": "the newest position the projections had reached"})


class ConflictStatusSchema(StrictSchema):
    conflict = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    region = fields.String(allow_none=True, required=True)
    parties = fields.List(fields.String(), required=True)
    external_ids = fields.List(fields.String(), required=True)
    ceasefire = fields.Nested(CeasefireSchema, required=True)
    summits = fields.List(fields.Nested(SummitSchema), required=True)
    commitments = fields.List(fields.Nested(CommitmentSchema), required=True)
    frameworks = fields.List(fields.Nested(FrameworkSchema), required=True)
    assessment = fields.Nested(AssessmentSchema, allow_none=True, required=True)
    fighting = fields.Nested(FightingSchema, required=True)
    last_development = fields.Nested(DevelopmentRefSchema, allow_none=True, required=True)
    developments = fields.Integer(required=True)
    uncertain = fields.List(fields.Nested(UncertainSchema), required=True)
    uncertain_total = fields.Integer(required=True)
    computed_for = fields.Nested(ComputedForSchema, required=True)


class ConflictSummarySchema(StrictSchema):
    conflict = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    summary = fields.String(required=True)
    ceasefire = fields.String(required=True)
    last_development = fields.Nested(DevelopmentRefSchema, allow_none=True, required=True)
    developments = fields.Integer(required=True)


class ConflictListSchema(StrictSchema):
    items = fields.List(fields.Nested(ConflictSummarySchema), required=True)


class TimelineEntrySchema(UncertainSchema):
    position = fields.Integer(required=True)
    recorded = fields.Integer(required=True, metadata={"description": "position of the version shown (a correction's)"})
    corrected_by = fields.UUID(allow_none=True, required=True)
    conflicts = fields.List(fields.String(), required=True)
    actors = fields.List(fields.String(), required=True)
    data = fields.Dict(required=True)
    sources = fields.List(fields.Dict(), required=True)


class TimelineSchema(StrictSchema):
    conflict = fields.String(required=True)
    items = fields.List(fields.Nested(TimelineEntrySchema), required=True)
    next_after = fields.String(allow_none=True, required=True, metadata={"description": "cursor of the next page"})
    computed_for = fields.Nested(ComputedForSchema, required=True)


class TopicSchema(StrictSchema):
    topic = fields.String(required=True)
    raised_by = fields.List(fields.String(), required=True)
    first_raised = fields.String(required=True)
    last_raised = fields.String(required=True)
    horizon = fields.String(required=True, validate=validate.OneOf(["current", "future"]))
    evidence = fields.Nested(EvidenceSchema, required=True)


class ContactSchema(StrictSchema):
    on = fields.String(required=True)
    format = fields.String(required=True)
    location = fields.String(allow_none=True, required=True)
    topics = fields.List(fields.String(), required=True)
    evidence = fields.List(fields.UUID(), required=True)


class BriefingSchema(StrictSchema):
    on = fields.String(required=True)
    by = fields.String(required=True)
    subject = fields.String(required=True)
    evidence = fields.List(fields.UUID(), required=True)


class JointPositionSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["ceasefire_called", "summit_proposed"]))
    conflicts = fields.List(fields.String(), required=True)
    on = fields.String(required=True)
    basis = fields.List(fields.String())
    dialogue_resumption = fields.Boolean(allow_none=True)
    summit = fields.String()
    location = fields.String(allow_none=True)
    in_principle = fields.Boolean(allow_none=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class AgendaSchema(StrictSchema):
    agenda = fields.String(required=True)
    parties = fields.List(fields.String(), required=True)
    topics = fields.List(fields.Nested(TopicSchema), required=True)
    contacts = fields.List(fields.Nested(ContactSchema), required=True)
    contact_count = fields.Integer(required=True)
    briefings = fields.List(fields.Nested(BriefingSchema), required=True)
    joint_positions = fields.List(fields.Nested(JointPositionSchema), required=True)
    last_contact = fields.String(allow_none=True, required=True)
    last_development = fields.Nested(DevelopmentRefSchema, allow_none=True, required=True)
    developments = fields.Integer(required=True)
    uncertain = fields.List(fields.Nested(UncertainSchema), required=True)
    uncertain_total = fields.Integer(required=True)
    computed_for = fields.Nested(ComputedForSchema, required=True)


class AgendaSummarySchema(StrictSchema):
    agenda = fields.String(required=True)
    parties = fields.List(fields.String(), required=True)
    summary = fields.String(required=True)
    last_contact = fields.String(allow_none=True, required=True)
    developments = fields.Integer(required=True)


class AgendaListSchema(StrictSchema):
    items = fields.List(fields.Nested(AgendaSummarySchema), required=True)


class AsOfQuerySchema(StrictSchema):
    as_of = fields.Date(metadata={"description": "date of the world to answer for (default: today)"})
    known_at = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "log position, or ISO 8601 timestamp: only developments recorded by then count"},
    )


class TimelineQuerySchema(AsOfQuerySchema):
    after = fields.String(
        validate=validate.Length(max=40), metadata={"description": "cursor: next_after of the previous page"}
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


# -- audits: replay and diff ----------------------------------------------------------


def _scope_fields() -> dict[str, fields.Field]:
    return {
        "conflict": fields.String(validate=validate.Regexp(SLUG), metadata={"description": "a conflict id"}),
        "agenda": fields.String(
            validate=validate.Regexp(r"^[A-Za-z0-9_-]+,[A-Za-z0-9_-]+$"),
            metadata={"description": "two actor codes, comma-separated: FRA,RUS"},
        ),
    }


class ReplayQuerySchema(StrictSchema.from_dict(_scope_fields())):  # type: ignore[misc]
    after = fields.Integer(load_default=0, validate=POSITION, metadata={"description": "position cursor"})
    until = fields.Integer(validate=POSITION, metadata={"description": "last position to replay"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    as_of = fields.Date(metadata={"description": "the date of the world each step's answer is for (default today)"})


class DiffQuerySchema(StrictSchema.from_dict(_scope_fields())):  # type: ignore[misc]
    from_ = fields.String(
        data_key="from",
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "a date (as_of), a log position (known_at), or both: 2020-01-15@42"},
    )
    to = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "as `from`"})


class ScopeSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["conflict", "agenda"]))
    id = fields.String(required=True)


class ChangeSchema(StrictSchema):
    field = fields.String(required=True, metadata={"description": "path of the fact, such as ceasefire.status"})
    before = fields.Raw(allow_none=True, required=True)
    after = fields.Raw(allow_none=True, required=True)


class DifferenceSchema(ChangeSchema):
    evidence = fields.List(fields.String(), required=True, metadata={"description": "developments behind the fact"})


class StepSchema(StrictSchema):
    position = fields.Integer(required=True)
    development = fields.Nested(DevelopmentSchema, required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


class ReplaySchema(StrictSchema):
    scope = fields.Nested(ScopeSchema, required=True)
    as_of = fields.String(required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True)
    next_after = fields.Integer(allow_none=True, required=True)


class SideSchema(StrictSchema):
    as_of = fields.String(required=True)
    known_at = fields.Integer(required=True)


class DiffSchema(StrictSchema):
    scope = fields.Nested(ScopeSchema, required=True)
    from_ = fields.Nested(SideSchema, data_key="from", attribute="from", required=True)
    to = fields.Nested(SideSchema, required=True)
    differences = fields.List(fields.Nested(DifferenceSchema), required=True)
