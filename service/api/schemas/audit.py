"""Schemas of the audit routes: signed checkpoints, the public key, verification, replay and diff."""

from __future__ import annotations

from marshmallow import fields, validate

from events.vocabulary.kinds import SLUG
from service.api.schemas.common import AS_OF_RANGE, POSITION, ReflectsSchema, StrictSchema
from service.api.schemas.events import DevelopmentSchema

HEX64 = validate.Regexp(r"^[0-9a-f]{64}$")


class CheckpointSchema(StrictSchema):
    """The log's head signed with Ed25519; keep it to check later that the log only grew."""

    position = fields.Integer(required=True, metadata={"description": "the log position signed"})
    hash = fields.String(required=True, metadata={"description": "the chain hash at that position"})
    signed_at = fields.String(required=True, metadata={"description": "when it was signed (UTC, ISO 8601)"})
    key_id = fields.String(required=True, metadata={"description": "first 16 hex digits of SHA-256 of the public key"})
    public_key = fields.String(required=True, metadata={"description": "the signing Ed25519 public key (base64, raw)"})
    signature = fields.String(required=True, metadata={"description": "Ed25519 signature (base64) of the statement"})
    algorithm = fields.String(required=True, metadata={"description": "always Ed25519"})
    statement = fields.String(
        required=True,
        metadata={
            "description": "the signature covers the RFC 8785 bytes of "
            '{"hash", "position", "signed_at", "statement": "conflict-status checkpoint v1"}'
        },
    )


class CheckpointPageSchema(StrictSchema):
    items = fields.List(fields.Nested(CheckpointSchema), required=True)
    next_after = fields.Integer(
        allow_none=True, required=True, metadata={"description": "pass as `after`; null at the end"}
    )


class CheckpointQuerySchema(StrictSchema):
    after = fields.Integer(load_default=0, validate=POSITION, metadata={"description": "position cursor"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class KeyUseSchema(StrictSchema):
    key_id = fields.String(required=True)
    public_key = fields.String(required=True)
    checkpoints = fields.Integer(required=True, metadata={"description": "how many stored checkpoints it signed"})
    first_signed_at = fields.String(required=True)
    last_signed_at = fields.String(required=True)


class PublicKeySchema(StrictSchema):
    algorithm = fields.String(required=True)
    key_id = fields.String(required=True)
    public_key = fields.String(required=True, metadata={"description": "raw Ed25519 public key, base64"})
    pem = fields.String(required=True, metadata={"description": "the same key as SubjectPublicKeyInfo PEM"})
    previous = fields.List(
        fields.Nested(KeyUseSchema),
        required=True,
        metadata={"description": "other keys that signed stored checkpoints (a lost key is replaced, never reused)"},
    )


class VerifyQuerySchema(StrictSchema):
    checkpoint = fields.String(
        metadata={
            "description": "a checkpoint you kept, as JSON: its signature is checked and the log must still hold "
            "its (position, hash), so that the log since then only grew"
        }
    )


class BreakSchema(StrictSchema):
    position = fields.Integer(required=True, metadata={"description": "the first position that breaks"})
    kind = fields.String(required=True, validate=validate.OneOf(["altered", "missing", "inserted", "reordered"]))
    detail = fields.String(required=True)
    development = fields.String(allow_none=True, required=True, metadata={"description": "the development concerned"})


class VerifyReportSchema(StrictSchema):
    ok = fields.Boolean(required=True, metadata={"description": "true when the chain and every checkpoint hold"})
    head = fields.Integer(required=True, metadata={"description": "the last position checked"})
    head_hash = fields.String(required=True)
    developments = fields.Integer(required=True, metadata={"description": "stored events checked"})
    checkpoints = fields.Integer(required=True, metadata={"description": "signed checkpoints stored"})
    checkpoints_matched = fields.Integer(
        required=True, metadata={"description": "checkpoints (stored and held) the chain reached and met"}
    )
    tree_heads = fields.Integer(required=True, metadata={"description": "signed tree heads (C2SP notes) stored"})
    tree_heads_matched = fields.Integer(
        required=True, metadata={"description": "signed tree heads whose root the tree regrown from the chain met"}
    )
    held_checkpoints = fields.Integer(required=True, metadata={"description": "checkpoints given with the request"})
    break_ = fields.Nested(BreakSchema, data_key="break", attribute="break", allow_none=True, required=True)
    keys = fields.List(fields.Nested(KeyUseSchema), required=True)
    seconds = fields.Float(required=True)


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
    as_of = fields.Date(
        validate=AS_OF_RANGE,
        metadata={"description": "the date of the world each step's answer is for (default today)"},
    )


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
    computed_for = fields.Nested(ReflectsSchema, required=True)


class SideSchema(StrictSchema):
    as_of = fields.String(required=True)
    known_at = fields.Integer(required=True)


class DiffSchema(StrictSchema):
    scope = fields.Nested(ScopeSchema, required=True)
    from_ = fields.Nested(SideSchema, data_key="from", attribute="from", required=True)
    to = fields.Nested(SideSchema, required=True)
    differences = fields.List(fields.Nested(DifferenceSchema), required=True)
    computed_for = fields.Nested(ReflectsSchema, required=True)
