"""REST resources of the log's tamper evidence: signed checkpoints, the public key, verification."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from events.audit.checkpoints import Checkpoint
from events.audit.verify import key_uses, verify_log
from service.api.schemas.audit import (
    CheckpointPageSchema,
    CheckpointQuerySchema,
    CheckpointSchema,
    PublicKeySchema,
    VerifyQuerySchema,
    VerifyReportSchema,
)
from service.auth import reads, requires
from service.runtime import runtime

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/v1/audit",
    description="Tamper evidence: every development is hash-chained to the one before it, and the head is signed",
)


@blp.route("/checkpoints")
class Checkpoints(MethodView):
    @reads
    @blp.arguments(CheckpointQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, CheckpointPageSchema)
    def get(self, after: int, limit: int) -> Any:
        """List signed checkpoints in position order.

        The service signs its head every `CHECKPOINT_EVERY` developments and on
        request.  Keep one: `GET /v1/audit/verify?checkpoint=...` later proves
        that the log since then only grew.
        """
        items = runtime().read_checkpoints.checkpoints(after=after, limit=limit)
        next_after = items[-1].position if len(items) == limit else None
        headers = {}
        if next_after is not None:
            link = url_for("audit.Checkpoints", after=next_after, limit=limit, _external=True)
            headers["Link"] = f'<{link}>; rel="next"'
        return {"items": [c.as_dict() for c in items], "next_after": next_after}, 200, headers

    @requires("auditor")
    @blp.response(201, CheckpointSchema, description="signed now")
    @blp.alt_response(200, schema=CheckpointSchema, description="the current key had already signed the head")
    def post(self) -> Any:
        """Sign the log's head now (position, chain hash, time), and its tree head (`GET /v1/audit/checkpoint`)."""
        checkpoint, created = runtime().signer.sign_head_now()
        return checkpoint.as_dict(), 201 if created else 200


@blp.route("/public-key")
class PublicKey(MethodView):
    @reads
    @blp.response(200, PublicKeySchema)
    def get(self) -> Any:
        """The Ed25519 public key that signs checkpoints now, and the keys that signed before.

        Each checkpoint also records the key that signed it, so checkpoints signed
        before a key was lost and replaced keep verifying.
        """
        key = runtime().signing_key
        previous = [use for use in key_uses(runtime().read_log.store) if use.key_id != key.key_id]
        return {
            "algorithm": "Ed25519",
            "key_id": key.key_id,
            "public_key": key.public_key,
            "pem": key.public_pem,
            "previous": previous,
        }


@blp.route("/verify")
class Verify(MethodView):
    @requires("auditor")
    @blp.arguments(VerifyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, VerifyReportSchema)
    def get(self, checkpoint: str | None = None) -> Any:
        """Recompute the hash chain and check it against every signed checkpoint.

        Answers `ok`, or the first position that breaks and how: `altered`,
        `missing`, `inserted` or `reordered`.  Give `checkpoint` (a checkpoint
        you kept, as JSON) to check also that the log still holds it.
        """
        held = [Checkpoint.from_json(checkpoint)] if checkpoint else []
        return verify_log(runtime().read_log.store, held).as_dict()
