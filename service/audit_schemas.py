"""Marshmallow schemas of the audit and live-feed endpoints."""

from __future__ import annotations

from marshmallow import fields, validate

from service.schemas import POSITION, StrictSchema

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
    held_checkpoints = fields.Integer(required=True, metadata={"description": "checkpoints given with the request"})
    break_ = fields.Nested(BreakSchema, data_key="break", attribute="break", allow_none=True, required=True)
    keys = fields.List(fields.Nested(KeyUseSchema), required=True)
    seconds = fields.Float(required=True)


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
