"""Schemas of the read side: a conflict's status, its timeline, a bilateral agenda, and their lists."""

from __future__ import annotations

from marshmallow import fields, validate

from projections.finding import SORTS, STATUSES
from service.api.csv_answers import FORMATS
from service.api.schemas.common import (
    AS_OF_RANGE,
    ComputedForSchema,
    DevelopmentRefSchema,
    EvidenceSchema,
    ReflectsSchema,
    StrictSchema,
    UncertainSchema,
    UnfoldedSchema,
)

#: present only when a development of the scope could not be folded
UNFOLDED = {"description": "developments that count but could not be folded; the answer leaves them out"}


class DeathsSchema(StrictSchema):
    best = fields.Integer(required=True)
    low = fields.Integer(required=True)
    high = fields.Integer(required=True)


class CeasefireFields(StrictSchema):
    """What a ceasefire says, in force or in the history."""

    status = fields.String(required=True, validate=validate.OneOf(["none", "called", "agreed", "violated"]))
    kind = fields.String(
        allow_none=True,
        required=True,
        validate=validate.OneOf(["called", "agreed"]),
        metadata={"description": "how it came"},
    )
    called_by = fields.List(fields.String(), required=True)
    basis = fields.List(fields.String(), required=True)
    parties = fields.List(fields.String(), required=True)
    since = fields.String(
        allow_none=True, required=True, metadata={"description": "EDTF date of the call or agreement"}
    )
    effective = fields.String(allow_none=True, required=True)
    dialogue_resumption = fields.Boolean(allow_none=True, required=True)
    violations = fields.Integer(
        required=True,
        metadata={"description": "fighting reports and CeasefireViolated dated after `since`, up to the asked date"},
    )
    last_violation = fields.String(allow_none=True, required=True)
    deaths = fields.Nested(DeathsSchema, required=True, metadata={"description": "deaths in its violations"})
    evidence = fields.Nested(EvidenceSchema, required=True)


class EarlierCeasefireSchema(CeasefireFields):
    until = fields.String(required=True, metadata={"description": "the day the next ceasefire replaced it"})


class CeasefireSchema(CeasefireFields):
    """The ceasefire in force on the asked date, and the earlier ones."""

    history = fields.List(
        fields.Nested(EarlierCeasefireSchema),
        required=True,
        metadata={"description": "earlier ceasefires, oldest first"},
    )


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


class FightingSchema(StrictSchema):
    from_ = fields.String(
        data_key="from", attribute="from", required=True, metadata={"description": "first day of the window"}
    )
    to = fields.String(required=True, metadata={"description": "the asked date"})
    reports = fields.Integer(required=True)
    deaths = fields.Nested(DeathsSchema, required=True)
    last_report = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "the day of the latest fighting reported on or before the asked date"},
    )
    evidence = fields.Nested(EvidenceSchema, required=True)


class IntensitySchema(StrictSchema):
    period = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(["minor", "war"]))
    source = fields.String(allow_none=True, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class EpisodeSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(["active", "ended"]))
    since = fields.String(allow_none=True, required=True, metadata={"description": "the fighting that began it"})
    ended = fields.String(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)


class FirstDevelopmentSchema(DevelopmentRefSchema):
    counts_from = fields.String(required=True, metadata={"description": "the first day an answer counts it"})
    known_at = fields.Integer(required=True, metadata={"description": "the log position it was recorded at"})


class ConflictStatusSchema(StrictSchema):
    conflict = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    region = fields.String(allow_none=True, required=True)
    parties = fields.List(fields.String(), required=True)
    external_ids = fields.List(fields.String(), required=True)
    territory = fields.List(fields.String(), required=True)
    began = fields.String(allow_none=True, required=True)
    ceasefire = fields.Nested(CeasefireSchema, required=True)
    summits = fields.List(fields.Nested(SummitSchema), required=True)
    commitments = fields.List(fields.Nested(CommitmentSchema), required=True)
    frameworks = fields.List(fields.Nested(FrameworkSchema), required=True)
    assessment = fields.Nested(AssessmentSchema, allow_none=True, required=True)
    intensity = fields.Nested(IntensitySchema, allow_none=True, required=True)
    episode = fields.Nested(EpisodeSchema, allow_none=True, required=True)
    fighting = fields.Nested(FightingSchema, required=True)
    last_development = fields.Nested(DevelopmentRefSchema, allow_none=True, required=True)
    developments = fields.Integer(required=True)
    uncertain = fields.List(fields.Nested(UncertainSchema), required=True)
    uncertain_total = fields.Integer(required=True)
    unfolded = fields.List(fields.Nested(UnfoldedSchema), metadata=UNFOLDED)
    first_development = fields.Nested(
        FirstDevelopmentSchema,
        allow_none=True,
        required=True,
        metadata={"description": "the earliest development in world order (answers before it are empty)"},
    )
    computed_for = fields.Nested(ComputedForSchema, required=True)


class ConflictSummarySchema(StrictSchema):
    conflict = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    region = fields.String(allow_none=True, required=True)
    summary = fields.String(required=True)
    ceasefire = fields.String(required=True)
    last_development = fields.Nested(DevelopmentRefSchema, allow_none=True, required=True)
    developments = fields.Integer(required=True)


class ConflictListSchema(StrictSchema):
    items = fields.List(fields.Nested(ConflictSummarySchema), required=True)
    computed_for = fields.Nested(ReflectsSchema, required=True)


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
    unfolded = fields.List(fields.Nested(UnfoldedSchema), metadata=UNFOLDED)
    first_development = fields.Nested(
        FirstDevelopmentSchema,
        allow_none=True,
        required=True,
        metadata={"description": "the earliest development in world order (answers before it are empty)"},
    )
    computed_for = fields.Nested(ComputedForSchema, required=True)


class AgendaSummarySchema(StrictSchema):
    agenda = fields.String(required=True)
    parties = fields.List(fields.String(), required=True)
    summary = fields.String(required=True)
    last_contact = fields.String(allow_none=True, required=True)
    developments = fields.Integer(required=True)


class AgendaListSchema(StrictSchema):
    items = fields.List(fields.Nested(AgendaSummarySchema), required=True)
    computed_for = fields.Nested(ReflectsSchema, required=True)


#: ``format``: the answer as JSON (the default) or CSV, which ``Accept: text/csv`` asks for too
FORMAT = fields.String(
    validate=validate.OneOf(FORMATS),
    metadata={"description": "json (the default) or csv; without it, Accept: text/csv answers CSV"},
)


class FormatQuerySchema(StrictSchema):
    format = FORMAT


class ConflictListQuerySchema(FormatQuerySchema):
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "words a conflict's id, name, region or summary must all hold (any case)"},
    )
    status = fields.List(
        fields.String(validate=validate.OneOf(STATUSES)),
        metadata={"description": "keep conflicts whose ceasefire has one of these statuses (repeat the parameter)"},
    )
    region = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "keep conflicts of this region (any case); a region no conflict has is a 422"},
    )
    sort = fields.String(
        validate=validate.OneOf(SORTS),
        metadata={"description": "name, latest (newest development first) or developments (most first)"},
    )


class AsOfQuerySchema(StrictSchema):
    as_of = fields.Date(
        validate=AS_OF_RANGE, metadata={"description": "date of the world to answer for (default: today)"}
    )
    known_at = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "log position, or ISO 8601 timestamp: only developments recorded by then count"},
    )


class TimelineQuerySchema(AsOfQuerySchema):
    after = fields.String(
        validate=validate.Length(max=40), metadata={"description": "cursor: next_after of the previous page"}
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "developments a page (100 unless given); a CSV answer without it holds them all"},
    )
    format = FORMAT
