"""Signed checkpoints: the log's head (position, hash, time) signed with Ed25519.

A checkpoint signs the RFC 8785 bytes of

    {"hash": <chain hash at position>, "position": <position>, "signed_at": <ISO time>,
     "statement": "conflict-status checkpoint v1"}

and records the public key that signed it, so that it keeps verifying after the
service's key is lost and replaced.  An auditor who keeps a checkpoint (and the
public key published when it was made) can later check that the log still holds
that (position, hash): that the log since then only grew.  The key itself is
``events.audit.keys``; verifying the log against checkpoints, ``events.audit.verify``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.audit.keys import SigningKey, key_id
from events.audit.walk import Anchor
from events.log.chain import canonical_json
from events.log.store import LogStore
from events.vocabulary.errors import DomainError, Problem

STATEMENT = "conflict-status checkpoint v1"


class InvalidCheckpoint(DomainError):
    """A checkpoint handed in by an auditor is malformed, or its signature does not hold."""

    def __init__(self, detail: str, problems: list[Problem] | None = None) -> None:
        super().__init__(detail)
        self.problems = problems or []


class EmptyLog(DomainError):
    """There is nothing to sign: the log holds no development yet."""

    def __str__(self) -> str:
        return "the log is empty: there is no head to sign yet"


class NoChain(DomainError):
    """The database has no chain tables: it was written by a version without them."""

    def __str__(self) -> str:
        return (
            "this database has no hash chain (it was written before the chain existed); open it once with the service"
        )


def statement_bytes(position: int, hash_: str, signed_at: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    return canonical_json({"hash": hash_, "position": position, "signed_at": signed_at, "statement": STATEMENT})


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed (position, hash, time), with the public key that signed it."""

    position: int
    hash: str
    signed_at: str
    key_id: str
    public_key: str  # base64 of the 32 raw bytes
    signature: str  # base64 of the 64 signature bytes

    @classmethod
    def signed(cls, key: SigningKey, position: int, hash_: str, signed_at: str) -> Checkpoint:
        """The checkpoint of (position, hash, time) signed by ``key``."""
        signature = key.signature(statement_bytes(position, hash_, signed_at))
        return cls(position, hash_, signed_at, key.key_id, key.public_key, signature)

    def columns(self) -> tuple[int, str, str, str, str, str]:
        return (self.position, self.hash, self.signed_at, self.key_id, self.public_key, self.signature)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "hash": self.hash,
            "signed_at": self.signed_at,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "signature": self.signature,
            "algorithm": "Ed25519",
            "statement": STATEMENT,
        }

    def signature_holds(self) -> bool:
        """True when the signature verifies with the recorded public key, which ``key_id`` names."""
        try:
            raw = base64.b64decode(self.public_key, validate=True)
            signature = base64.b64decode(self.signature, validate=True)
            if key_id(raw) != self.key_id:
                return False
            Ed25519PublicKey.from_public_bytes(raw).verify(
                signature, statement_bytes(self.position, self.hash, self.signed_at)
            )
        except (InvalidSignature, ValueError, binascii.Error):
            return False
        return True

    def anchor(self, whose: str = "the checkpoint") -> Anchor:
        return Anchor(self.position, self.hash, f"{whose} signed at {self.signed_at} by key {self.key_id}")

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Checkpoint:
        return cls(int(row[0]), row[1], row[2], row[3], row[4], row[5])

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """A checkpoint from its JSON text (as ``from_dict``)."""
        try:
            value = json.loads(text)
        except ValueError as e:
            raise InvalidCheckpoint(f"the checkpoint is not JSON: {e}", [Problem("checkpoint", "not JSON")]) from None
        return cls.from_dict(value)

    @classmethod
    def from_dict(cls, value: Any) -> Checkpoint:
        """A checkpoint as the API and the CLI hand it out; ``InvalidCheckpoint`` names what is wrong."""
        if not isinstance(value, Mapping):
            raise InvalidCheckpoint("a checkpoint is a JSON object", [Problem("checkpoint", "expected an object")])
        problems = []
        if (
            not isinstance(value.get("position"), int)
            or isinstance(value.get("position"), bool)
            or value["position"] < 1
        ):
            problems.append(Problem("checkpoint.position", "expected a whole number from 1"))
        for name in ("hash", "signed_at", "key_id", "public_key", "signature"):
            if not isinstance(value.get(name), str) or not value[name]:
                problems.append(Problem(f"checkpoint.{name}", "expected a non-empty string"))
        if problems:
            raise InvalidCheckpoint("the checkpoint is malformed", problems)
        checkpoint = cls(
            value["position"],
            value["hash"],
            value["signed_at"],
            value["key_id"],
            value["public_key"],
            value["signature"],
        )
        if not checkpoint.signature_holds():
            raise InvalidCheckpoint(
                "the checkpoint's signature does not verify with the public key it records",
                [Problem("checkpoint.signature", "does not verify")],
            )
        return checkpoint


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Checkpointer:
    """Signs the log's head as a JSON checkpoint on request, and lists the checkpoints.

    The schedule (every ``CHECKPOINT_EVERY`` developments, and within
    ``CHECKPOINT_INTERVAL`` of any unsigned append) is ``events.audit.signing``,
    which signs each scheduled head both as a C2SP note and as a checkpoint here.
    """

    store: LogStore
    key: Callable[[], SigningKey]
    clock: Callable[[], str] = now_iso

    def sign_head(self) -> tuple[Checkpoint, bool]:
        """A checkpoint of the head by the current key, and whether this call made it.

        When the current key already signed the head, that checkpoint is answered.
        """
        head = self.store.chain_head()
        if head is None:
            raise EmptyLog()
        key = self.key()
        latest = self.store.checkpoint_rows(position=head.position, key_id=key.key_id)
        if latest:
            return Checkpoint.from_row(latest[0]), False
        checkpoint = Checkpoint.signed(key, head.position, head.hash, self.clock())
        created = self.store.insert_checkpoint(checkpoint.columns())
        if not created:  # another process signed this head with this key meanwhile
            rows = self.store.checkpoint_rows(position=head.position, key_id=key.key_id)
            return Checkpoint.from_row(rows[0]), False
        return checkpoint, True

    def checkpoints(self, after: int = 0, limit: int = 100) -> list[Checkpoint]:
        return [Checkpoint.from_row(r) for r in self.store.checkpoint_rows(after=after, limit=limit)]
