"""Schemas of webhook subscriptions and their deliveries."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates

from events.vocabulary.kinds import SLUG
from service.api.schemas.common import POSITION, StrictSchema

AGENDA = r"^[A-Za-z0-9_]+[,-][A-Za-z0-9_]+$"


class NewSubscriptionSchema(StrictSchema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "where each change is POSTed: an http:// or https:// URL"},
    )
    conflicts = fields.List(
        fields.String(validate=validate.Regexp(SLUG)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "only changes to these conflicts (with agendas: to either); none: every change"},
    )
    agendas = fields.List(
        fields.String(validate=validate.Regexp(AGENDA, error="expected two actor codes, such as FRA,RUS")),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "only changes to these agendas, each two actor codes: FRA,RUS"},
    )

    @validates("url")
    def _http(self, value: str, **_: Any) -> None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError("expected an http:// or https:// URL with a host")


class SubscriptionSchema(StrictSchema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    conflicts = fields.List(fields.String(), required=True)
    agendas = fields.List(fields.String(), required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["active", "paused"]),
        metadata={"description": "paused: deliveries kept failing (see reason); POST .../resume"},
    )
    reason = fields.String(allow_none=True, required=True, metadata={"description": "why it is paused"})
    failures = fields.Integer(required=True, metadata={"description": "failed deliveries in a row"})
    cursor = fields.Integer(
        required=True, metadata={"description": "the log position up to which its deliveries are enqueued"}
    )
    created = fields.String(required=True)


class NewSubscriptionAnswerSchema(SubscriptionSchema):
    secret = fields.String(
        required=True,
        metadata={
            "description": "the signing secret (whsec_ and base64), shown only now: verify each request's "
            "webhook-signature with it (Standard Webhooks)"
        },
    )


class DeliveryQuerySchema(StrictSchema):
    after = fields.Integer(load_default=0, validate=POSITION, metadata={"description": "position cursor"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class DeliverySchema(StrictSchema):
    id = fields.String(required=True, metadata={"description": "the webhook-id header: the same on every attempt"})
    position = fields.Integer(required=True, metadata={"description": "the development's log position"})
    scope = fields.Dict(required=True, metadata={"description": "{kind, id} of the conflict or agenda changed"})
    status = fields.String(required=True, validate=validate.OneOf(["pending", "delivered", "cancelled"]))
    attempts = fields.Integer(required=True)
    next_attempt = fields.String(
        allow_none=True, required=True, metadata={"description": "when it is tried again (pending only)"}
    )
    last_error = fields.String(allow_none=True, required=True)
    created = fields.String(required=True)
    delivered = fields.String(allow_none=True, required=True)


class DeliveryPageSchema(StrictSchema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)
    next_after = fields.Integer(allow_none=True, required=True, metadata={"description": "null at the end"})
