"""Schemas of the transparency-log routes: entries, and RFC 9162 proofs (hashes in base64)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from service.api.schemas.common import MAX_POSITION, POSITION, StrictSchema

TREE_SIZE = validate.Range(min=1, max=MAX_POSITION)
BASE64_HASH = {"description": "a SHA-256 hash, base64 (standard alphabet, padded)"}


class EntriesQuerySchema(StrictSchema):
    after = fields.Integer(
        load_default=0, validate=POSITION, metadata={"description": "entries of the positions after this one"}
    )
    leaf = fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "instead of `after`: entries from this leaf index on (a checkpoint's tree size)"},
    )
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000))

    @validates_schema
    def _one_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("leaf") is not None and data.get("after"):
            raise ValidationError("give `after` (a position) or `leaf` (a leaf index), not both", "leaf")


class EntrySchema(StrictSchema):
    position = fields.Integer(required=True, metadata={"description": "the development's log position"})
    leaf_index = fields.Integer(required=True, metadata={"description": "its leaf in the Merkle tree (from 0)"})
    entry = fields.String(
        required=True,
        metadata={
            "description": "the chain entry's exact RFC 8785 bytes, base64: the leaf hash is SHA-256(0x00 || bytes) "
            "and the chain hash SHA-256(bytes)"
        },
    )


class EntriesPageSchema(StrictSchema):
    tree_size = fields.Integer(required=True, metadata={"description": "leaves in the tree now"})
    items = fields.List(fields.Nested(EntrySchema), required=True)
    next_after = fields.Integer(
        allow_none=True, required=True, metadata={"description": "pass as `after` for the next page; null at the end"}
    )


class InclusionQuerySchema(StrictSchema):
    position = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_POSITION))
    size = fields.Integer(
        validate=TREE_SIZE,
        metadata={"description": "the tree size of a signed checkpoint (default: the latest signed checkpoint's)"},
    )


class InclusionProofSchema(StrictSchema):
    position = fields.Integer(required=True)
    leaf_index = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, metadata=BASE64_HASH)
    hashes = fields.List(
        fields.String(metadata=BASE64_HASH),
        required=True,
        metadata={"description": "the RFC 9162 inclusion path, from the leaf up"},
    )


class ConsistencyQuerySchema(StrictSchema):
    from_ = fields.Integer(
        data_key="from", required=True, validate=TREE_SIZE, metadata={"description": "the older tree size"}
    )
    to = fields.Integer(
        validate=TREE_SIZE,
        metadata={"description": "the newer tree size (default: the latest signed checkpoint's)"},
    )


class ConsistencyProofSchema(StrictSchema):
    from_ = fields.Integer(data_key="from", attribute="from", required=True)
    to = fields.Integer(required=True)
    hashes = fields.List(
        fields.String(metadata=BASE64_HASH),
        required=True,
        metadata={"description": "the RFC 9162 consistency proof"},
    )
