"""REST resources of the log: submit developments, read them back in pages."""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from uuid import UUID

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from events.log.admission import Submission
from events.log.application import Receipt
from service.api.bodies import json_body, json_or_ndjson_items
from service.api.schemas.events import (
    BatchReceiptSchema,
    DevelopmentSchema,
    EventPageSchema,
    EventQuerySchema,
    ReceiptSchema,
)
from service.auth import reads, requires
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("events", __name__, url_prefix="/v1/events", description="The log of developments")

DEVELOPMENT_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Submission"}}},
}
BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "maxItems": 10000, "items": {"$ref": "#/components/schemas/Submission"}}
        },
        "application/x-ndjson": {"schema": {"type": "string", "description": "one development (JSON object) a line"}},
    },
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "the key belongs to the development its first request stored: the same key with the same "
    "content (and no id, or that development's id) answers with the original record; other content, or another "
    "id in the body: 409",
}


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 200:
        raise ApiProblem(
            400,
            "Idempotency-Key must be 1 to 200 characters",
            [{"field": "Idempotency-Key", "message": "1 to 200 characters"}],
        )
    return key


@blp.route("")
class Events(MethodView):
    @reads
    @blp.arguments(EventQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, EventPageSchema)
    def get(self, after: int, limit: int, type: list[str], **filters: Any) -> Any:
        """Read developments in log order, a page at a time.

        Follow `next_after` (or the `Link: rel="next"` header) to the next page.
        Filters combine: `type` (repeatable), `conflict`, `actor`, and
        `occurred_from`/`occurred_to`, which keep developments whose allowed days
        overlap the range.
        """
        for name in ("occurred_from", "occurred_to"):
            if filters.get(name) is not None:
                filters[name] = filters[name].isoformat()
        log = runtime().read_log
        head = log.head()
        items = log.read(after=after, limit=limit, types=type, **filters)
        next_after = items[-1].position if len(items) == limit else None
        headers = {}
        if next_after is not None:
            args = {k: v for k, v in request.args.items(multi=True) if k != "after"}
            link = url_for("events.Events", after=next_after, **args, _external=True)
            headers["Link"] = f'<{link}>; rel="next"'
        body = {"items": items, "next_after": next_after, "head": head, "computed_for": {"head": head}}
        return body, 200, headers

    @requires("submitter")
    @blp.doc(requestBody=DEVELOPMENT_BODY, parameters=[IDEMPOTENCY_KEY])
    @blp.response(201, ReceiptSchema, description="recorded")
    @blp.alt_response(200, schema=ReceiptSchema, description="repeats an earlier submission: the original record")
    def post(self) -> Any:
        """Submit one development.

        Answers 201 with the recorded development and its `Location`, or 200 with
        the original record when the same content was already submitted under the
        same `id` or `Idempotency-Key`.
        """
        receipt = runtime().log.submit(json_body(), key=_idempotency_key())
        return _receipt(receipt), 201 if receipt.created else 200, {"Location": _location(receipt.development.id)}


@blp.route("/batch")
class Batch(MethodView):
    @requires("submitter")
    @blp.doc(requestBody=BATCH_BODY)
    @blp.response(201, BatchReceiptSchema, description="all stored in one transaction")
    @blp.alt_response(200, schema=BatchReceiptSchema, description="every item repeats an earlier submission")
    def post(self) -> Any:
        """Submit up to 10,000 developments: all are stored in one transaction, or none.

        Send a JSON array, or NDJSON with `Content-Type: application/x-ndjson`.
        Errors name the item's `index` (0-based) and field.  Each item is
        answered with where it was recorded (id, position, time, digest and
        chain hashes), in the order sent; `GET /v1/events/{id}` reads it whole.
        """
        receipts = runtime().log.submit_many([Submission(raw) for raw in json_or_ndjson_items()])
        created = sum(r.created for r in receipts)
        body = {"items": [_receipt(r) for r in receipts], "created": created, "unchanged": len(receipts) - created}
        return body, 201 if created else 200


@blp.route("/<uuid:development_id>")
class Event(MethodView):
    @reads
    @blp.response(200, DevelopmentSchema)
    def get(self, development_id: UUID) -> Any:
        """Read one development by its id."""
        return runtime().read_log.get(str(development_id))


def _location(development_id: str) -> str:
    """The absolute URL of ``Event`` for this id (``url_for`` builds the same, at a twentieth of an append's cost)."""
    return f"{request.url_root.rstrip('/')}{blp.url_prefix}/{development_id}"


def _receipt(receipt: Receipt) -> dict[str, Any]:
    """The recorded development's attributes with ``created``, for ``ReceiptSchema`` or ``StampSchema``.

    A shallow copy: ``dataclasses.asdict`` deep-copies every list and mapping (a
    fifth of a single append's time).  A stamp's schema dumps only its own fields.
    """
    development = receipt.development
    return {**{f.name: getattr(development, f.name) for f in fields(development)}, "created": receipt.created}
