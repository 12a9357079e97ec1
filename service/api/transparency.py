"""The log as a transparency log: entries, the signed checkpoint, its key, and RFC 9162 proofs.

Anyone can check the log from these answers alone: recompute every leaf from
the entries' bytes, check the checkpoint's signature with the key, and check
that a development is in a signed tree (inclusion) and that a tree they kept
is a prefix of a newer one (consistency).  ``conflict-status verify --remote``
does all of it.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from events.audit.proofs import Proofs
from service.api.schemas.transparency import (
    ConsistencyProofSchema,
    ConsistencyQuerySchema,
    EntriesPageSchema,
    EntriesQuerySchema,
    InclusionProofSchema,
    InclusionQuerySchema,
)
from service.auth import reads
from service.runtime import runtime

blp = Blueprint(
    "transparency",
    __name__,
    url_prefix="/v1/audit",
    description="The log as an RFC 9162 Merkle tree with C2SP signed checkpoints: entries and proofs anyone can check",
)

TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _text(body: str) -> Response:
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.route("/entries")
class Entries(MethodView):
    @reads
    @blp.arguments(EntriesQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, EntriesPageSchema)
    def get(self, after: int, limit: int, leaf: int | None = None) -> Any:
        """Read the log's chain entries in leaf order, each with its position, leaf index and exact bytes.

        Leaf *i* of the Merkle tree is the *i*-th entry: its hash is SHA-256 of
        0x00 followed by the bytes, and the entry's chain hash is SHA-256 of
        the bytes (the next entry's `prev_hash`).  Page with `next_after`.
        """
        page = Proofs(runtime().read_log.store).entries(after=after, leaf=leaf, limit=limit)
        headers = {}
        if page.next_after is not None:
            link = url_for("transparency.Entries", after=page.next_after, limit=limit, _external=True)
            headers["Link"] = f'<{link}>; rel="next"'
        items = [{"position": e.position, "leaf_index": e.leaf, "entry": _b64(e.entry)} for e in page.items]
        return {"tree_size": page.tree_size, "items": items, "next_after": page.next_after}, 200, headers


@blp.route("/checkpoint")
class LatestCheckpoint(MethodView):
    @reads
    @blp.doc(responses={"200": {**TEXT, "description": "a C2SP tlog-checkpoint signed note"}})
    @blp.alt_response(404, description="no tree head has been signed yet")
    def get(self) -> Response:
        """The latest signed tree head, as a C2SP tlog-checkpoint signed note.

        Its text is the log's origin, the tree size and the root hash (base64),
        one a line; then a blank line and the signature line
        `— <key name> <base64 of the 4-byte key id and the Ed25519 signature>`.
        Verify it with `GET /v1/audit/key`.
        """
        return _text(runtime().read_heads.latest_signed().note)


@blp.route("/key")
class VerifierKey(MethodView):
    @reads
    @blp.doc(responses={"200": {**TEXT, "description": "a C2SP vkey: <name>+<key id>+<base64 of 0x01 and the key>"}})
    def get(self) -> Response:
        """The key that signs checkpoints, in C2SP vkey form (its name is the checkpoints' origin)."""
        return _text(runtime().read_heads.verifier_key() + "\n")


@blp.route("/proof/inclusion")
class InclusionProof(MethodView):
    @reads
    @blp.arguments(InclusionQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, InclusionProofSchema)
    @blp.alt_response(404, description="no development of the tree is at that position")
    def get(self, position: int, size: int | None = None) -> Any:
        """An RFC 9162 inclusion proof of the development at `position` in the tree of `size` leaves.

        Check it against the root of a signed checkpoint of that size, with the
        leaf hash recomputed from the entry's bytes (`GET /v1/audit/entries`).
        """
        size = size if size is not None else runtime().read_heads.latest_signed().size
        proof = Proofs(runtime().read_log.store).inclusion(position, size)
        return {
            "position": proof.position,
            "leaf_index": proof.leaf_index,
            "tree_size": proof.tree_size,
            "leaf_hash": _b64(proof.leaf_hash),
            "hashes": [_b64(h) for h in proof.hashes],
        }


@blp.route("/proof/consistency")
class ConsistencyProof(MethodView):
    @reads
    @blp.arguments(ConsistencyQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ConsistencyProofSchema)
    def get(self, from_: int, to: int | None = None) -> Any:
        """An RFC 9162 consistency proof that the tree of `from` leaves is a prefix of the tree of `to` leaves.

        With a checkpoint you kept and a newer one, it proves the log only grew
        between them.
        """
        to = to if to is not None else runtime().read_heads.latest_signed().size
        proof = Proofs(runtime().read_log.store).consistency(from_, to)
        return {"from": proof.old_size, "to": proof.new_size, "hashes": [_b64(h) for h in proof.hashes]}
