"""Signed checkpoints: the log's head (position, hash, time) signed with Ed25519.

A checkpoint signs the RFC 8785 bytes of

    {"hash": <chain hash at position>, "position": <position>, "signed_at": <ISO time>,
     "statement": "conflict-status checkpoint v1"}

and records the public key that signed it, so that it keeps verifying after the
service's key is lost and replaced.  An auditor who keeps a checkpoint (and the
public key published when it was made) can later check that the log still holds
that (position, hash): that the log since then only grew.

The signing key is an unencrypted PKCS#8 PEM file, mode 0600, created on first
use by whichever process gets there first (an exclusive link, so that two
workers starting together cannot end up with two keys).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.chain import Anchor, Break, Verdict, canonical_json, quick_walk, walk
from events.chain_store import ChainStore
from events.errors import DomainError, Problem

STATEMENT = "conflict-status checkpoint v1"
log = logging.getLogger("conflict_status.checkpoints")


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


def key_id(public_raw: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


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


# -- the signing key ---------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """The service's Ed25519 key."""

    private: Ed25519PrivateKey
    path: Path | None = None

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def sign(self, position: int, hash_: str, signed_at: str) -> Checkpoint:
        signature = self.private.sign(statement_bytes(position, hash_, signed_at))
        return Checkpoint(
            position, hash_, signed_at, self.key_id, self.public_key, base64.b64encode(signature).decode("ascii")
        )


def load_or_create_key(path: Path) -> SigningKey:
    """The key in ``path``, made first (mode 0600) when there is none.

    A missing file means a new key: old checkpoints keep verifying with the
    public key each records.  A file that exists but cannot be read as a key is
    an error, never silently replaced.
    """
    try:
        return _load(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd, temporary = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # fails if another process made the key meanwhile: use theirs
            log.warning(  # a first start, or a lost key: either way, one to back up
                "made a new signing key %s in %s; keep a copy (checkpoints signed by earlier keys still verify)",
                _load(path).key_id,
                path,
            )
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return _load(path)


def _load(path: Path) -> SigningKey:
    data = path.read_bytes()
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("the signing key %s is readable by others (mode %o); make it 0600", path, mode)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as e:
        raise ValueError(f"{path} does not hold a PEM private key") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds a key that is not Ed25519")
    return SigningKey(key, path)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- signing the head ----------------------------------------------------------------------


@dataclass
class Checkpointer:
    """Signs the log's head on request, and after appends once ``every`` developments have passed."""

    store: ChainStore
    key: Callable[[], SigningKey]
    every: int = 1000
    clock: Callable[[], str] = now_iso
    _last: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
        checkpoint = key.sign(head.position, head.hash, self.clock())
        created = self.store.insert_checkpoint(checkpoint.columns())
        if not created:  # another process signed this head with this key meanwhile
            rows = self.store.checkpoint_rows(position=head.position, key_id=key.key_id)
            return Checkpoint.from_row(rows[0]), False
        self._last = max(self._last or 0, head.position)
        return checkpoint, True

    def after_append(self, head: int) -> None:
        """Sign the head when ``every`` positions have passed since the last checkpoint.

        The development is stored whatever happens here: a failure is logged and
        the next append tries again.
        """
        if self._last is not None and head - self._last < self.every:
            return
        with self._lock:
            try:
                latest = self.store.latest_checkpoint_row()
                self._last = int(latest[0]) if latest else 0
                if head - self._last >= self.every:
                    checkpoint, _ = self.sign_head()
                    log.info("signed checkpoint at position %d", checkpoint.position)
            except Exception:
                log.exception("could not sign a checkpoint after position %d; the next append tries again", head)

    def checkpoints(self, after: int = 0, limit: int = 100) -> list[Checkpoint]:
        return [Checkpoint.from_row(r) for r in self.store.checkpoint_rows(after=after, limit=limit)]


# -- verifying -------------------------------------------------------------------------------


@dataclass
class KeyUse:
    """A public key that signed stored checkpoints."""

    key_id: str
    public_key: str
    checkpoints: int = 0
    first_signed_at: str = ""
    last_signed_at: str = ""


@dataclass
class Report:
    """What ``verify_log`` found."""

    verdict: Verdict
    checkpoints: int = 0
    held: int = 0
    keys: list[KeyUse] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def rate(self) -> float:
        """Developments checked per second."""
        return self.verdict.developments / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "ok": v.ok,
            "head": v.head,
            "head_hash": v.head_hash,
            "developments": v.developments,
            "checkpoints": self.checkpoints,
            "checkpoints_matched": v.anchors,
            "held_checkpoints": self.held,
            "break": v.broken.as_dict() if v.broken else None,
            "keys": [k.__dict__ for k in self.keys],
            "seconds": round(self.seconds, 3),
        }


def verify_log(store: ChainStore, held: Sequence[Checkpoint] = ()) -> Report:
    """Recompute the chain of the stored events and check it against every signed checkpoint.

    ``held`` are checkpoints an auditor kept (their signatures already checked
    by ``Checkpoint.from_dict``): the log must still contain their (position, hash).
    """
    started = time.perf_counter()
    if not store.has_chain():
        raise NoChain()
    stored = [Checkpoint.from_row(r) for r in store.checkpoint_rows()]
    report = Report(Verdict(), checkpoints=len(stored), held=len(held), keys=_keys(stored))
    forged = next((c for c in stored if not c.signature_holds()), None)
    if forged is not None:
        report.verdict.broken = Break(
            forged.position,
            "altered",
            f"the checkpoint of position {forged.position} signed at {forged.signed_at} does not verify "
            f"with the public key it records ({forged.key_id})",
        )
        report.seconds = time.perf_counter() - started
        return report
    anchors = [c.anchor() for c in stored] + [c.anchor("the checkpoint you hold") for c in held]
    stop = store.walk_bound()
    quick = quick_walk(store.stream_joined(stop), anchors)
    if quick is not None and quick.head == stop:  # else a link lies beyond the last event
        report.verdict = quick
    else:
        report.verdict = walk(store.stream_rows(stop), store.stream_links(stop), anchors, store)
    report.seconds = time.perf_counter() - started
    return report


def key_uses(store: ChainStore) -> list[KeyUse]:
    """Every public key that signed stored checkpoints, oldest first."""
    return _keys([Checkpoint.from_row(r) for r in store.checkpoint_rows()])


def _keys(checkpoints: Sequence[Checkpoint]) -> list[KeyUse]:
    keys: dict[str, KeyUse] = {}
    for c in sorted(checkpoints, key=lambda c: c.signed_at):
        use = keys.setdefault(c.key_id, KeyUse(c.key_id, c.public_key, first_signed_at=c.signed_at))
        use.checkpoints += 1
        use.last_signed_at = c.signed_at
    return list(keys.values())
